import { randomBytes } from "node:crypto";
import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { type ExpressionBuilder, sql } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import { currentEnv } from "../env.server";
import { discardBody } from "../utils/body.server";
import { type FieldErrors, type FormValues, NO_CONTROL_CHARS, parseForm } from "../utils/forms";
import { audit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import { DomainError, type ErrorCode } from "./errors.server";
import { isConfirmedMember } from "./membership.server";
import { getEventAccess } from "./permissions.server";
import { getManagedGroup } from "./working-groups/access.server";
import { inTransaction } from "./transactions.server";

/**
 * Materials (資料) and the uploaded files behind materials and reports.
 *
 * Files: at most 20 MB; a PDF, an Office Open XML file (.pptx .docx .xlsx) or
 * a PNG/JPEG image, as told by the bytes themselves, never by the name or the
 * browser's Content-Type; stored under a random name in UPLOAD_DIR (default
 * .data/uploads), outside anything served statically; read back only through
 * a route that has asked `getMaterialFile` (or the report's equivalent) first.
 *
 * Who sees a material: `public` everyone; `members` anyone signed in with a
 * completed profile; `registrants` those with a confirmed registration for the
 * material's event; `roster` the members of the material's group. Admins, and
 * the organisers who manage the event or group, see all of theirs.
 */

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const MAX_TEXT_FIELD_BYTES = 64 * 1024;

/** Where files are kept; read at each use so tests can point it at a temp folder. */
export function uploadDir(): string {
  return path.resolve(currentEnv().UPLOAD_DIR);
}

// ---------------------------------------------------------------------------
// Reading an upload form
// ---------------------------------------------------------------------------

export type UploadedFile = { filename: string; bytes: Buffer };

export type UploadForm = {
  /** the text fields, as FormData would give them */
  formData: FormData;
  file: UploadedFile | null;
  /** set when the file was refused while reading (too large) */
  error: ErrorCode | null;
};

/**
 * An upload form's action: read the form, check it with `schema`, then `save`
 * it. Answers the form's errors and values for the page, or null once saved.
 */
export async function saveUploadForm<S extends z.ZodType>(
  request: Request,
  schema: S,
  save: (data: z.infer<S>, file: UploadedFile | null) => Promise<unknown>,
): Promise<{ errors: FieldErrors; values: FormValues } | null> {
  const upload = await readUploadForm(request);
  const form = parseForm(schema, upload.formData);
  if (upload.error) {
    return { errors: { file: new DomainError(upload.error).message }, values: form.values };
  }
  if (!form.ok) return { errors: form.errors, values: form.values };
  try {
    await save(form.data, upload.file);
  } catch (error) {
    if (error instanceof DomainError) {
      return { errors: { [error.field ?? "_form"]: error.message }, values: form.values };
    }
    throw error;
  }
  return null;
}

/**
 * Reads a multipart form with one file field, keeping the file in memory only
 * up to `maxBytes`: a larger file stops the reading with `file_too_large`, and
 * nothing is ever written to disk here. A form that is not multipart is read
 * as usual (a link material needs no file).
 */
async function readUploadForm(
  request: Request,
  options: { fileField?: string; maxBytes?: number } = {},
): Promise<UploadForm> {
  const fileField = options.fileField ?? "file";
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    return { formData: await request.formData(), file: null, error: null };
  }
  const fields = new FormData();
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes + MAX_TEXT_FIELD_BYTES * 4) {
    await discardBody(request);
    return { formData: fields, file: null, error: "file_too_large" };
  }
  let file: UploadedFile | null = null;
  let tooLarge = false;
  const handler: UploadHandler = async ({ name, filename, data }) => {
    const limit = name === fileField && filename !== undefined ? maxBytes : MAX_TEXT_FIELD_BYTES;
    const chunks: Uint8Array[] = [];
    let size = 0;
    // Past the limit the part is still read, and dropped, so that the answer
    // reaches the browser rather than a closed connection.
    for await (const chunk of data) {
      size += chunk.byteLength;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    }
    if (tooLarge) return undefined;
    const bytes = Buffer.concat(chunks);
    if (filename === undefined) {
      fields.append(name, bytes.toString("utf8"));
    } else if (name === fileField && filename !== "" && bytes.length > 0) {
      file = { filename: cleanFilename(filename), bytes };
    }
    return undefined;
  };
  try {
    await parseMultipartFormData(request, handler);
  } catch {
    return { formData: fields, file: null, error: "invalid_input" };
  }
  if (tooLarge) return { formData: fields, file: null, error: "file_too_large" };
  return { formData: fields, file, error: null };
}

/** The last path segment, without control characters, at most 200 characters. */
function cleanFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: this strips them
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  return (clean || "file").slice(-200);
}

// ---------------------------------------------------------------------------
// Storing files
// ---------------------------------------------------------------------------

export type FileType = { contentType: string; extension: string; label: string };

/** The main part each Office Open XML kind lists in its ZIP directory. */
const OOXML: [string, FileType][] = [
  [
    "ppt/presentation.xml",
    {
      contentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      extension: "pptx",
      label: "PowerPoint",
    },
  ],
  [
    "word/document.xml",
    {
      contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      extension: "docx",
      label: "Word",
    },
  ],
  [
    "xl/workbook.xml",
    {
      contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      extension: "xlsx",
      label: "Excel",
    },
  ],
];

/**
 * The type of a file from its first bytes (and, for a ZIP, the Office parts
 * its directory lists), or null when it is none of the allowed kinds: a
 * renamed .exe or a plain ZIP is refused whatever its name says.
 */
export function detectFileType(bytes: Buffer): FileType | null {
  const starts = (signature: number[]) => signature.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) {
    return { contentType: "application/pdf", extension: "pdf", label: "PDF" };
  }
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { contentType: "image/png", extension: "png", label: "PNG画像" };
  }
  if (starts([0xff, 0xd8, 0xff])) {
    return { contentType: "image/jpeg", extension: "jpg", label: "JPEG画像" };
  }
  if (starts([0x50, 0x4b, 0x03, 0x04])) {
    const names = bytes.toString("latin1");
    if (!names.includes("[Content_Types].xml")) return null;
    for (const [part, type] of OOXML) if (names.includes(part)) return type;
  }
  return null;
}

export type StoredFile = {
  storageKey: string;
  contentType: string;
  size: number;
  filename: string;
};

/**
 * Checks a file (size, then type by its bytes) and writes it under a random
 * 128-bit name. Refuses with `file_required`, `file_too_large` or `file_type`
 * and writes nothing. The caller removes it with `removeStoredFile` if what
 * it belongs to is not saved.
 */
export async function storeFile(file: UploadedFile | null): Promise<StoredFile> {
  if (!file || file.bytes.length === 0) throw new DomainError("file_required", { field: "file" });
  if (file.bytes.length > MAX_UPLOAD_BYTES) {
    throw new DomainError("file_too_large", { field: "file" });
  }
  const type = detectFileType(file.bytes);
  if (!type) throw new DomainError("file_type", { field: "file" });
  const dir = uploadDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const storageKey = randomBytes(16).toString("hex");
  await writeFile(path.join(dir, storageKey), file.bytes, { flag: "wx", mode: 0o600 });
  const stem = file.filename.replace(/\.[^.]*$/, "") || "file";
  return {
    storageKey,
    contentType: type.contentType,
    size: file.bytes.length,
    filename: `${stem}.${type.extension}`,
  };
}

const STORAGE_KEY = /^[0-9a-f]{32}$/;

/** The bytes of a stored file, or undefined when the key is malformed or the file gone. */
export async function readStoredFile(storageKey: string): Promise<Buffer | undefined> {
  if (!STORAGE_KEY.test(storageKey)) return undefined;
  try {
    return await readFile(path.join(uploadDir(), storageKey));
  } catch {
    return undefined;
  }
}

export async function removeStoredFile(storageKey: string | null): Promise<void> {
  if (!storageKey || !STORAGE_KEY.test(storageKey)) return;
  await unlink(path.join(uploadDir(), storageKey)).catch(() => {});
}

/** The response that sends a stored file: a download, never sniffed, never cached. */
export function fileResponse(
  bytes: Buffer,
  file: { filename: string; contentType: string },
): Response {
  const ascii = file.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[";\\]/g, "_");
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": file.contentType || "application/octet-stream",
      "Content-Length": String(bytes.length),
      "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": "sandbox",
    },
  });
}

// ---------------------------------------------------------------------------
// Who sees which material
// ---------------------------------------------------------------------------

export type Visibility = "public" | "members" | "registrants" | "roster";

/**
 * The one condition that says whether `user` may see a material row. Used by
 * the list and the download alike, so they can never disagree.
 */
function visibleTo(user: SessionUser | undefined) {
  return (eb: ExpressionBuilder<DB, "materials">) => {
    const conditions = [eb("materials.visibility", "=", "public")];
    if (user) {
      if (user.role === "admin") return eb.lit(true);
      if (isConfirmedMember(user)) conditions.push(eb("materials.visibility", "=", "members"));
      conditions.push(
        eb.and([
          eb("materials.visibility", "=", "registrants"),
          eb.exists(
            eb
              .selectFrom("registrations")
              .select(sql`1`.as("one"))
              .whereRef("registrations.event_id", "=", "materials.event_id")
              .where("registrations.person_id", "=", user.id)
              .where("registrations.status", "=", "confirmed"),
          ),
        ]),
        eb.and([
          eb("materials.visibility", "=", "roster"),
          eb.exists(
            eb
              .selectFrom("working_group_members")
              .select(sql`1`.as("one"))
              .whereRef("working_group_members.group_id", "=", "materials.group_id")
              .where("working_group_members.person_id", "=", user.id),
          ),
        ]),
      );
      if (user.role === "organiser") conditions.push(managedBy(user)(eb));
    }
    return eb.or(conditions);
  };
}

/** Whether `user` manages a material row: an admin, or the organiser of its event or group. */
function managedBy(user: SessionUser | undefined) {
  return (eb: ExpressionBuilder<DB, "materials">) => {
    if (user?.role === "admin") return eb.lit(true);
    if (user?.role !== "organiser") return eb.lit(false);
    return eb.or([
      eb.exists(
        eb
          .selectFrom("event_staff")
          .select(sql`1`.as("one"))
          .whereRef("event_staff.event_id", "=", "materials.event_id")
          .where("event_staff.person_id", "=", user.id)
          .where("event_staff.role", "=", "organiser"),
      ),
      eb.exists(
        eb
          .selectFrom("working_groups")
          .select(sql`1`.as("one"))
          .whereRef("working_groups.id", "=", "materials.group_id")
          .where("working_groups.organisation_id", "=", user.organisation_id ?? 0),
      ),
    ]);
  };
}

function materialsQuery(db: Database, user: SessionUser | undefined) {
  return db
    .selectFrom("materials")
    .leftJoin("events", "events.id", "materials.event_id")
    .leftJoin("event_sessions", "event_sessions.id", "materials.session_id")
    .leftJoin("working_groups", "working_groups.id", "materials.group_id")
    .select([
      "materials.id",
      "materials.title",
      "materials.description",
      "materials.kind",
      "materials.url",
      "materials.filename",
      "materials.content_type",
      "materials.size_bytes",
      "materials.visibility",
      "materials.created_at",
      "materials.event_id",
      "materials.group_id",
      "events.slug as event_slug",
      "events.title as event_title",
      "events.starts_at as event_starts_at",
      "event_sessions.title as session_title",
      "working_groups.name as group_name",
      "working_groups.theme as group_theme",
    ])
    .select((eb) => managedBy(user)(eb).as("can_manage"));
}

/**
 * The materials `user` may see (anyone, when undefined), newest event first;
 * narrowed to one event or one group when asked. A link's URL is part of the
 * row only because the row is visible.
 */
export async function listVisibleMaterials(
  db: Database,
  args: { user?: SessionUser; eventId?: number; eventIds?: number[]; groupId?: number },
) {
  let query = materialsQuery(db, args.user).where(visibleTo(args.user));
  if (args.eventId !== undefined) query = query.where("materials.event_id", "=", args.eventId);
  if (args.eventIds !== undefined) {
    if (args.eventIds.length === 0) return [];
    query = query.where("materials.event_id", "in", args.eventIds);
  }
  if (args.groupId !== undefined) query = query.where("materials.group_id", "=", args.groupId);
  return query
    .orderBy(sql`events.starts_at desc nulls last`)
    .orderBy("materials.group_id")
    .orderBy("materials.created_at", "desc")
    .orderBy("materials.id", "desc")
    .execute();
}

/** How many materials exist (of one event, when asked) that `user` cannot see, to suggest signing in. */
export async function countHiddenMaterials(
  db: Database,
  args: { user?: SessionUser; eventId?: number },
): Promise<number> {
  let query = db
    .selectFrom("materials")
    .select(sql<number>`count(*)::int`.as("n"))
    .where((eb) => eb.not(visibleTo(args.user)(eb)));
  if (args.eventId !== undefined) query = query.where("materials.event_id", "=", args.eventId);
  const row = await query.executeTakeFirstOrThrow();
  return row.n;
}

/** What a list of an event's materials shows of one: never the file's storage key. */
export type EventMaterial = {
  id: number;
  title: string;
  description: string;
  kind: "file" | "link" | "video";
  /** 「PDF」「PowerPoint」…, or 「リンク」「動画」 */
  typeLabel: string;
  sizeBytes: number | null;
  sessionTitle: string | null;
};

const KIND_LABELS = { link: "リンク", video: "動画" } as const;

/** The label of a stored file's type, as detectFileType named it when it was uploaded. */
function fileTypeLabel(contentType: string): string {
  const known: FileType[] = [
    { contentType: "application/pdf", extension: "pdf", label: "PDF" },
    { contentType: "image/png", extension: "png", label: "PNG画像" },
    { contentType: "image/jpeg", extension: "jpg", label: "JPEG画像" },
    ...OOXML.map(([, type]) => type),
  ];
  return known.find((t) => t.contentType === contentType)?.label ?? "ファイル";
}

function toEventMaterial(row: Awaited<ReturnType<typeof listVisibleMaterials>>[number]) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    kind: row.kind,
    typeLabel: row.kind === "file" ? fileTypeLabel(row.content_type) : KIND_LABELS[row.kind],
    sizeBytes: row.kind === "file" ? row.size_bytes : null,
    sessionTitle: row.session_title,
  } satisfies EventMaterial;
}

/**
 * An event's materials as its public page lists them: only `public` ones,
 * and how many others there are. The event page is one page for everyone
 * (the page cache shares it, app/page-cache.ts), so this never asks who is
 * signed in; the rest are listed on the registrant's own page (/me).
 */
export async function listPublicEventMaterials(
  db: Database,
  args: { eventId: number },
): Promise<{ materials: EventMaterial[]; others: number }> {
  const rows = await listVisibleMaterials(db, { eventId: args.eventId });
  const others = await countHiddenMaterials(db, { eventId: args.eventId });
  return { materials: rows.map(toEventMaterial), others };
}

/**
 * The materials of each given event that `user` may see (the same rule as
 * the download, so a listed material always opens), by event id.
 */
export async function listMaterialsOfEvents(
  db: Database,
  args: { user: SessionUser; eventIds: number[] },
): Promise<Record<number, EventMaterial[]>> {
  const rows = await listVisibleMaterials(db, { user: args.user, eventIds: args.eventIds });
  const byEvent: Record<number, EventMaterial[]> = {};
  for (const row of rows) {
    if (row.event_id === null) continue;
    byEvent[row.event_id] ??= [];
    byEvent[row.event_id]?.push(toEventMaterial(row));
  }
  return byEvent;
}

/**
 * What opening a material gives `user`: a file's bytes, or a link to follow;
 * undefined when it does not exist or is not theirs to see (the route answers
 * 404, or 403 to someone not signed in, and sends no bytes).
 */
export async function getMaterialFile(
  db: Database,
  args: { user?: SessionUser; materialId: number },
): Promise<
  | { kind: "file"; bytes: Buffer; filename: string; contentType: string }
  | { kind: "link"; url: string }
  | undefined
> {
  if (!Number.isSafeInteger(args.materialId) || args.materialId <= 0) return undefined;
  const row = await db
    .selectFrom("materials")
    .select(["id", "kind", "url", "storage_key", "filename", "content_type"])
    .where("materials.id", "=", args.materialId)
    .where(visibleTo(args.user))
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.kind !== "file") return row.url ? { kind: "link", url: row.url } : undefined;
  const bytes = row.storage_key ? await readStoredFile(row.storage_key) : undefined;
  if (!bytes) return undefined;
  return { kind: "file", bytes, filename: row.filename, contentType: row.content_type };
}

// ---------------------------------------------------------------------------
// Managing materials
// ---------------------------------------------------------------------------

/** Keeps the events `personId` is an organiser of (for a query on events). */
export function organisedBy(personId: string) {
  return (eb: ExpressionBuilder<DB, "events">) =>
    eb.exists(
      eb
        .selectFrom("event_staff")
        .select(sql`1`.as("one"))
        .whereRef("event_staff.event_id", "=", "events.id")
        .where("event_staff.person_id", "=", personId)
        .where("event_staff.role", "=", "organiser"),
    );
}

/** Where an organiser may attach materials: their events (with sessions) and groups. */
export async function listMaterialTargets(db: Database, user: SessionUser) {
  let events = db
    .selectFrom("events")
    .select(["events.id", "events.title", "events.starts_at"])
    .orderBy("events.starts_at", "desc");
  if (user.role !== "admin") {
    events = events.where(organisedBy(user.id));
  }
  const eventRows = await events.execute();
  const sessions = await db
    .selectFrom("event_sessions")
    .select(["id", "event_id", "title"])
    .where("event_id", "in", eventRows.length > 0 ? eventRows.map((e) => e.id) : [0])
    .orderBy("starts_at")
    .orderBy("position")
    .execute();
  let groups = db
    .selectFrom("working_groups")
    .select(["id", "name", "theme", "term"])
    .orderBy("term", "desc")
    .orderBy("number");
  if (user.role !== "admin") {
    groups = groups.where("organisation_id", "=", user.organisation_id ?? 0);
  }
  return { events: eventRows, sessions, groups: await groups.execute() };
}

const TARGET = /^(event|session|group):(\d{1,9})$/;

export const materialSchema = z
  .object({
    title: z
      .string({ message: "資料名を入力してください" })
      .trim()
      .min(1, "資料名を入力してください")
      .max(200, "資料名は200文字以内で入力してください")
      .regex(NO_CONTROL_CHARS, "資料名に使えない文字が含まれています"),
    description: z
      .string()
      .trim()
      .max(1000, "説明は1000文字以内で入力してください")
      .regex(NO_CONTROL_CHARS, "説明に使えない文字が含まれています")
      .optional()
      .default(""),
    target: z
      .string({ message: "資料を掲載する先を選んでください" })
      .regex(TARGET, "資料を掲載する先を選んでください"),
    kind: z.enum(["file", "link", "video"], { message: "資料の種類を選んでください" }),
    url: z.string().trim().max(1000).optional().default(""),
    visibility: z.enum(["public", "members", "registrants", "roster"], {
      message: "公開範囲を選んでください",
    }),
  })
  .superRefine((v, ctx) => {
    if (v.kind !== "file" && !/^https:\/\/[^\s]+$/.test(v.url)) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "リンク先のURL(https://で始まるもの)を入力してください",
      });
    }
    const kind = TARGET.exec(v.target)?.[1];
    if (v.visibility === "roster" && kind !== "group") {
      ctx.addIssue({
        code: "custom",
        path: ["visibility"],
        message: "「専門部会の部会員」は、専門部会に掲載する資料だけに選べます",
      });
    }
    if (v.visibility === "registrants" && kind === "group") {
      ctx.addIssue({
        code: "custom",
        path: ["visibility"],
        message: "「イベントの参加申込者」は、イベントに掲載する資料だけに選べます",
      });
    }
  });

export type MaterialInput = z.infer<typeof materialSchema>;

/** Resolves "event:3" / "session:12" / "group:2" to ids the actor manages, or throws not_found. */
async function resolveTarget(db: Database, actor: SessionUser, target: string) {
  const [, kind, raw] = TARGET.exec(target) ?? [];
  const id = Number(raw);
  if (kind === "group") {
    const group = await getManagedGroup(db, { user: actor, groupId: id });
    if (!group) throw new DomainError("not_found", { field: "target" });
    return { event_id: null, session_id: null, group_id: group.id };
  }
  let eventId = id;
  let sessionId: number | null = null;
  if (kind === "session") {
    const session = await db
      .selectFrom("event_sessions")
      .select(["id", "event_id"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!session) throw new DomainError("not_found", { field: "target" });
    eventId = session.event_id;
    sessionId = session.id;
  }
  const access = await getEventAccess(db, { user: actor, eventId, permission: "manage" });
  if (!access?.canManage) throw new DomainError("not_found", { field: "target" });
  return { event_id: eventId, session_id: sessionId, group_id: null };
}

/**
 * Adds a material to an event, a session or a group the actor manages. A file
 * is checked and stored first; if the row cannot be saved, the file is removed.
 */
export async function createMaterial(
  db: Database,
  args: { actor: SessionUser; input: MaterialInput; file: UploadedFile | null },
): Promise<number> {
  const { input } = args;
  const target = await resolveTarget(db, args.actor, input.target);
  const stored = input.kind === "file" ? await storeFile(args.file) : null;
  try {
    return await inTransaction(db, async (trx) => {
      const row = await trx
        .insertInto("materials")
        .values({
          ...target,
          title: input.title,
          description: input.description,
          kind: input.kind,
          url: input.kind === "file" ? "" : input.url,
          storage_key: stored?.storageKey ?? null,
          filename: stored?.filename ?? "",
          content_type: stored?.contentType ?? "",
          size_bytes: stored?.size ?? null,
          visibility: input.visibility,
          created_by: args.actor.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await audit(trx, {
        actorId: args.actor.id,
        eventId: target.event_id,
        entity: "material",
        entityId: row.id,
        action: "create",
        detail: { title: input.title, visibility: input.visibility, kind: input.kind },
      });
      return row.id;
    });
  } catch (error) {
    await removeStoredFile(stored?.storageKey ?? null);
    throw error;
  }
}

/** Removes a material the actor manages, and its file. */
export async function deleteMaterial(
  db: Database,
  args: { actor: SessionUser; materialId: number },
): Promise<void> {
  const row = await db
    .selectFrom("materials")
    .select(["id", "event_id", "session_id", "group_id", "storage_key", "title"])
    .where("id", "=", args.materialId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found");
  const target = row.group_id !== null ? `group:${row.group_id}` : `event:${row.event_id ?? 0}`;
  await resolveTarget(db, args.actor, target);
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("materials").where("id", "=", row.id).execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: row.event_id,
      entity: "material",
      entityId: row.id,
      action: "delete",
      detail: { title: row.title },
    });
  });
  await removeStoredFile(row.storage_key);
}

/** Whether the user may add materials at all (an admin or an organiser). */
export function canManageMaterials(user: SessionUser | undefined): boolean {
  return user?.role === "admin" || user?.role === "organiser";
}
