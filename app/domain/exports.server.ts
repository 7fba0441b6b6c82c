import { createHash } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index";
import { formatDateTime, tokyoParts } from "../utils/format";
import { NO_CONTROL_CHARS, rowId } from "../utils/forms";
import { courseWord, REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { unionOptions } from "./attendees.server";
import { audit } from "./audit.server";
import { DomainError } from "./errors.server";
import { downloadErrorResponse, takeLongRead } from "./long-reads.server";
import {
  encodeShiftJis,
  shiftJisProblems,
  shiftJisSubstitute,
  toShiftJisText,
} from "./export-cp932.server";
import {
  countExportRows,
  type ExportFilter,
  type ExportGroup,
  type ExportRow,
  exportFilterSchema,
  type RowScope,
  streamRows,
} from "./export-rows.server";
import { findPdfFont, pdfChunks } from "./export-pdf.server";
import { csvRecord, type SheetRow, xlsxSheetChunks } from "./spreadsheets.server";
import type { EventAccess } from "./permissions.server";

/**
 * Attendee exports for organisers: CSV (UTF-8 with BOM, or Shift_JIS), XLSX,
 * and PDF (受付名簿 and 名札), with the columns and filters the organiser picks.
 *
 * Guarantees:
 * - a 単組 secretary's export holds only their union's registrations, whatever
 *   the filter says (`access.unionId`);
 * - rows come from PostgreSQL through a cursor and are written as they come;
 *   nothing holds the whole list;
 * - any cell starting with = + - @, a tab or a CR is prefixed with ' (OWASP's
 *   CSV-injection rule), in the CSV; the XLSX holds every value as a text cell,
 *   never a formula;
 * - a Shift_JIS file never drops or garbles a character silently (see
 *   export-cp932.server.ts);
 * - every export, finished or broken off, is one row in audit_log.
 */

// ---------------------------------------------------------------------------
// The columns
// ---------------------------------------------------------------------------

type CellValue = string | Date | null;

export type ExportColumn = {
  key: string;
  label: string;
  /** width in Excel's character units */
  width: number;
  value: (row: ExportRow) => CellValue;
};

type ExportEvent = Awaited<ReturnType<typeof loadExportEvent>>;

const joinName = (a: string, b: string) => [a, b].filter(Boolean).join(" ");

function answerText(value: string | string[] | undefined): string {
  if (value === undefined) return "";
  return Array.isArray(value) ? value.join("、") : value;
}

/** Every column the event offers, in the order they are written. */
export function exportColumns(event: ExportEvent): ExportColumn[] {
  const columns: ExportColumn[] = [
    {
      key: "name",
      label: "氏名",
      width: 16,
      value: (r) => joinName(r.family_name, r.given_name),
    },
    {
      key: "kana",
      label: "フリガナ",
      width: 20,
      value: (r) => joinName(r.family_name_kana, r.given_name_kana),
    },
    { key: "union", label: "単組", width: 26, value: (r) => r.union_name },
    { key: "workplace", label: "職場", width: 28, value: (r) => r.workplace },
    { key: "email", label: "メールアドレス", width: 30, value: (r) => r.email },
    { key: "phone", label: "電話番号", width: 15, value: (r) => r.phone },
    { key: "status", label: "状態", width: 14, value: (r) => REGISTRATION_STATUS_LABELS[r.status] },
  ];
  if (event.courses.length > 0) {
    columns.push({
      key: "course",
      label: courseWord(event),
      width: 30,
      value: (r) => r.course_label,
    });
  }
  if (event.sessions.length > 0) {
    columns.push({
      key: "sessions",
      label: "参加する日程・企画",
      width: 36,
      value: (r) => r.sessions,
    });
  }
  for (const q of event.questions) {
    columns.push({
      key: `q:${q.id}`,
      label: q.label,
      width: 24,
      value: (r) => answerText(r.answers[String(q.id)]),
    });
  }
  columns.push(
    { key: "dietary", label: "食事の配慮", width: 24, value: (r) => r.dietary_needs },
    {
      key: "accessibility",
      label: "配慮が必要なこと",
      width: 24,
      value: (r) => r.accessibility_needs,
    },
    { key: "ticket_code", label: "受付番号", width: 16, value: (r) => r.ticket_code },
    { key: "registered_at", label: "申込日時", width: 22, value: (r) => r.created_at },
    {
      key: "consent",
      label: "個人情報の同意",
      width: 26,
      value: (r) =>
        r.consent_version !== null && r.consented_at
          ? `第${r.consent_version}版 ${formatDateTime(r.consented_at)}`
          : "",
    },
    { key: "checked_in_at", label: "受付日時", width: 22, value: (r) => r.checked_in_at },
  );
  return columns;
}

/** The event and the columns of an export, for callers that drive the writers themselves (the benchmark). */
export async function planExport(db: Database, args: { eventId: number; columns: string[] }) {
  const event = await loadExportEvent(db, args.eventId);
  return { event, columns: resolveColumns(event, args.columns) };
}

/** In a preset for every event, the event's questions are saved as this one key. */
const ALL_QUESTIONS = "questions";

const DEFAULT_COLUMNS = [
  "name",
  "kana",
  "union",
  "workplace",
  "status",
  "course",
  "ticket_code",
  "registered_at",
];
/** What a course's facilitator needs: who, from where, their answers and needs. */
const FACILITATOR_COLUMNS = [
  "name",
  "kana",
  "union",
  "workplace",
  "course",
  ALL_QUESTIONS,
  "dietary",
  "accessibility",
];

/** The keys that exist at this event, in the catalogue's order; "questions" becomes each question. */
function resolveColumns(event: ExportEvent, keys: readonly string[]): ExportColumn[] {
  const wanted = new Set(keys);
  const all = exportColumns(event);
  return all.filter(
    (c) => wanted.has(c.key) || (wanted.has(ALL_QUESTIONS) && c.key.startsWith("q:")),
  );
}

// ---------------------------------------------------------------------------
// What the organiser asked for
// ---------------------------------------------------------------------------

export const EXPORT_FORMATS = ["csv", "xlsx", "roster", "badges"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const optionsSchema = z.object({
  format: z.enum(EXPORT_FORMATS).default("csv").catch("csv"),
  encoding: z.enum(["utf8", "sjis"]).default("utf8").catch("utf8"),
  group: z.enum(["none", "union", "course"]).default("none").catch("none"),
  ack: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional()
    .catch(undefined),
  preset: rowId().optional().catch(undefined),
});

export type ExportQuery = z.infer<typeof optionsSchema> & {
  filter: ExportFilter;
  /** as asked; empty when none were named */
  columns: string[];
};

/** The query string of the export page and the downloads; anything malformed is ignored. */
export function readExportQuery(params: URLSearchParams): ExportQuery {
  const plain = Object.fromEntries(params);
  const columns = [...new Set(params.getAll("columns"))]
    .filter((c) => /^[a-z_]+$|^q:\d{1,9}$/.test(c))
    .slice(0, 100);
  return {
    ...optionsSchema.parse(plain),
    filter: exportFilterSchema.parse(plain),
    columns,
  };
}

/** The URL of one download (or of the page, with format "page"), carrying the selection. */
export function exportHref(
  eventId: number,
  target: ExportFormat | "page",
  query: {
    columns: string[];
    filter: ExportFilter;
    encoding?: string;
    group?: string;
    ack?: string | null;
    format?: string;
  },
): string {
  const params = new URLSearchParams();
  if (target === "page" && query.format) params.set("format", query.format);
  if (target === "csv" || target === "page") params.set("encoding", query.encoding ?? "utf8");
  if (target === "roster" || target === "page") params.set("group", query.group ?? "none");
  if (target === "badges") params.set("kind", "badges");
  if (target === "roster") params.set("kind", "roster");
  for (const [key, value] of Object.entries(query.filter)) {
    if (value !== undefined) params.set(key, String(value));
  }
  if (target !== "roster" && target !== "badges") {
    for (const c of query.columns) params.append("columns", c);
  }
  if (target === "csv" && query.ack) params.set("ack", query.ack);
  const base = `/admin/events/${eventId}/export`;
  const path =
    target === "page"
      ? base
      : `${base}.${target === "roster" || target === "badges" ? "pdf" : target}`;
  return `${path}?${params.toString()}`;
}

// ---------------------------------------------------------------------------
// The rows, from PostgreSQL
// ---------------------------------------------------------------------------

async function loadExportEvent(db: Database, eventId: number) {
  const event = await db
    .selectFrom("events")
    .select(["id", "slug", "title", "starts_at", "ends_at", "course_word"])
    .where("id", "=", eventId)
    .executeTakeFirst();
  if (!event) throw new DomainError("not_found");
  const questions = await db
    .selectFrom("event_questions")
    .select(["id", "label"])
    .where("event_id", "=", eventId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const courses = await db
    .selectFrom("courses")
    .select(["id", "code", "title", "facilitator"])
    .where("event_id", "=", eventId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const sessions = await db
    .selectFrom("event_sessions")
    .select(["id", "title"])
    .where("event_id", "=", eventId)
    .orderBy("starts_at")
    .orderBy("position")
    .execute();
  return { ...event, questions, courses, sessions };
}

// ---------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------

/** A value as the CSV and the Shift_JIS check see it. */
function cellText(value: CellValue): string {
  if (value === null) return "";
  if (value instanceof Date) return formatDateTime(value);
  return value;
}

// ---------------------------------------------------------------------------
// The Shift_JIS check
// ---------------------------------------------------------------------------

export type ShiftJisProblem = {
  /** null for the header row */
  registrationId: string | null;
  ticketCode: string;
  name: string;
  column: string;
  value: string;
  chars: { char: string; becomes: string }[];
};

export type ShiftJisReport = {
  /** how many cells hold a character the Shift_JIS file cannot keep */
  total: number;
  /** the first ones, for the page */
  problems: ShiftJisProblem[];
  /** what the download must be given back (`ack`) to write the file with the replacements */
  fingerprint: string | null;
};

const PROBLEMS_SHOWN = 200;

/** Lists the cells a Shift_JIS file of this export cannot hold as they are (streams the rows once). */
export async function checkShiftJis(
  db: Database,
  args: { scope: RowScope; columns: ExportColumn[]; signal?: AbortSignal },
): Promise<ShiftJisReport> {
  const hash = createHash("sha256");
  const problems: ShiftJisProblem[] = [];
  let total = 0;
  const note = (problem: ShiftJisProblem, key: string) => {
    total++;
    hash.update(
      `${problem.registrationId ?? "-"}\t${key}\t${problem.chars.map((c) => c.char).join("")}\n`,
    );
    if (problems.length < PROBLEMS_SHOWN) problems.push(problem);
  };
  const describe = (chars: string[]) =>
    chars.map((char) => ({ char, becomes: shiftJisSubstitute(char) }));
  for (const c of args.columns) {
    const chars = shiftJisProblems(c.label);
    if (chars.length > 0) {
      note(
        {
          registrationId: null,
          ticketCode: "",
          name: "(見出し行)",
          column: c.label,
          value: c.label,
          chars: describe(chars),
        },
        c.key,
      );
    }
  }
  for await (const row of streamRows(db, { ...args.scope, group: "none" }, args.signal)) {
    for (const c of args.columns) {
      const text = cellText(c.value(row));
      const chars = shiftJisProblems(text);
      if (chars.length === 0) continue;
      note(
        {
          registrationId: row.id,
          ticketCode: row.ticket_code,
          name: joinName(row.family_name, row.given_name),
          column: c.label,
          value: text.length > 80 ? `${text.slice(0, 80)}…` : text,
          chars: describe(chars),
        },
        c.key,
      );
    }
  }
  return { total, problems, fingerprint: total > 0 ? hash.digest("hex").slice(0, 16) : null };
}

// ---------------------------------------------------------------------------
// Writers: each yields the file's bytes as the rows come
// ---------------------------------------------------------------------------

export type ExportRun = {
  eventId: number;
  unionId: number | null;
  filter: ExportFilter;
  /** who exports, for audit_log */
  actorId: string;
  signal?: AbortSignal;
};

type Tally = { rows: number; completed: boolean; replaced?: number };

const CHUNK_BYTES = 64 * 1024;

/** Records the export in audit_log once the file is written or broken off. */
async function recordExport(
  db: Database,
  run: ExportRun,
  detail: Record<string, unknown>,
  tally: Tally,
) {
  await audit(db, {
    actorId: run.actorId,
    eventId: run.eventId,
    entity: "export",
    entityId: run.eventId,
    action: "export",
    detail: { ...detail, ...tally, filter: run.filter, union_id: run.unionId },
  });
}

/**
 * The CSV, UTF-8 with a BOM or Shift_JIS (CP932). For Shift_JIS, the caller
 * has checked that the organiser saw the list of characters it replaces.
 */
export async function* csvChunks(
  db: Database,
  run: ExportRun & { event: ExportEvent; columns: ExportColumn[]; encoding: "utf8" | "sjis" },
): AsyncGenerator<Uint8Array> {
  const tally: Tally = { rows: 0, completed: false, replaced: 0 };
  const encode = (text: string): Uint8Array =>
    run.encoding === "utf8" ? Buffer.from(text, "utf8") : encodeShiftJis(text);
  const cell =
    run.encoding === "utf8"
      ? (value: string) => value
      : (value: string) => {
          const safe = toShiftJisText(value);
          tally.replaced = (tally.replaced ?? 0) + safe.replaced;
          return safe.text;
        };
  try {
    let text =
      (run.encoding === "utf8" ? "\uFEFF" : "") + csvRecord(run.columns.map((c) => cell(c.label)));
    for await (const row of streamRows(db, { ...run, group: "none" }, run.signal)) {
      text += csvRecord(run.columns.map((c) => cell(cellText(c.value(row)))));
      tally.rows++;
      if (text.length >= CHUNK_BYTES / 2) {
        yield encode(text);
        text = "";
      }
    }
    if (!run.signal?.aborted) {
      yield encode(text);
      tally.completed = true;
    }
  } finally {
    await recordExport(
      db,
      run,
      { format: "csv", encoding: run.encoding, columns: run.columns.map((c) => c.key) },
      tally,
    );
  }
}

/**
 * The XLSX, written by exceljs's streaming WorkbookWriter: a bold header row,
 * the first row frozen, column widths, times as Excel dates in Tokyo time, and
 * every other value as a text cell (so no value can become a formula).
 */
export async function* xlsxChunks(
  db: Database,
  run: ExportRun & { event: ExportEvent; columns: ExportColumn[] },
): AsyncGenerator<Uint8Array> {
  const tally: Tally = { rows: 0, completed: false };
  async function* rows(): AsyncGenerator<SheetRow> {
    for await (const row of streamRows(db, { ...run, group: "none" }, run.signal)) {
      yield { cells: run.columns.map((c) => c.value(row)) };
      tally.rows++;
    }
  }
  try {
    yield* xlsxSheetChunks({
      name: "参加者一覧",
      columns: run.columns.map((c) => ({
        width: c.width,
        numFmt: c.key.endsWith("_at") ? "yyyy/mm/dd hh:mm" : undefined,
      })),
      header: run.columns.map((c) => c.label),
      rows: rows(),
      signal: run.signal,
    });
    tally.completed = !run.signal?.aborted;
  } finally {
    await recordExport(db, run, { format: "xlsx", columns: run.columns.map((c) => c.key) }, tally);
  }
}

/** The PDF: a 受付名簿 (reception list with a tick box per person) or 名札 (badges with the ticket QR). */
export async function* pdfFileChunks(
  db: Database,
  run: ExportRun & { event: ExportEvent; kind: "roster" | "badges"; group: ExportGroup },
): AsyncGenerator<Uint8Array> {
  const tally: Tally = { rows: 0, completed: false };
  const rows = streamRows(
    db,
    { ...run, group: run.kind === "roster" ? run.group : "none" },
    run.signal,
  );
  const course = run.filter.course
    ? run.event.courses.find((c) => c.id === run.filter.course)
    : undefined;
  try {
    yield* pdfChunks({
      kind: run.kind,
      group: run.group,
      event: run.event,
      subtitle: course ? `${course.code} ${course.title}`.trim() : undefined,
      rows,
      onRow: () => {
        tally.rows++;
      },
    });
    tally.completed = !run.signal?.aborted;
  } finally {
    await recordExport(db, run, { format: "pdf", kind: run.kind, group: run.group }, tally);
  }
}

// ---------------------------------------------------------------------------
// The download, as the resource routes answer it
// ---------------------------------------------------------------------------

/**
 * The file as a web stream, made only as it is read (no chunk is made ahead
 * of a reader). The long-read slot is given back (`release`) when the file
 * ends, fails or is cancelled (a client that went away or stalled).
 */
function toWebStream(
  chunks: AsyncGenerator<Uint8Array>,
  release: () => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            release();
            controller.close();
          } else if (next.value.byteLength > 0) controller.enqueue(next.value);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      async cancel() {
        try {
          await chunks.return(undefined);
        } finally {
          release();
        }
      },
    },
    { highWaterMark: 0 },
  );
}

function fileName(event: ExportEvent, what: { ja: string; en: string }, ext: string, suffix = "") {
  const p = tokyoParts(new Date());
  const stamp = `${p.year}${String(p.month).padStart(2, "0")}${String(p.day).padStart(2, "0")}`;
  const ascii = `${event.slug}-${what.en}-${stamp}.${ext}`.replace(/[^\w.-]/g, "_");
  const full = `${what.ja}_${event.slug}${suffix ? `_${suffix}` : ""}_${stamp}.${ext}`.replace(
    /[\\/:*?"<>|\s]/g,
    "_",
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(full)}`;
}

const CONTENT_TYPES = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
} as const;

/**
 * One download as an HTTP response whose body is written while the rows
 * stream in. `X-Row-Count` says how many rows to expect (for the progress
 * bar). Refuses, as a plain-text Japanese answer with the error's status: a
 * Shift_JIS CSV whose problem characters were not confirmed on the export page
 * (409 export_unconfirmed, with the list), or a PDF when no Japanese font is
 * installed (503 pdf_font_missing, with what to install).
 */
export async function exportFileResponse(
  db: Database,
  args: {
    access: EventAccess;
    file: "csv" | "xlsx" | "pdf";
    params: URLSearchParams;
    signal?: AbortSignal;
    /** a HEAD request: the headers only, and the slot given back at once */
    method?: string;
  },
): Promise<Response> {
  try {
    // The slot first, before any query (app/domain/long-reads.server.ts).
    const read = takeLongRead(db);
    try {
      const response = await buildExport(read.db, { ...args, release: read.release });
      if (args.method === "HEAD") {
        await response.body?.cancel();
        read.release();
        return new Response(null, { status: response.status, headers: response.headers });
      }
      return response;
    } catch (error) {
      read.release();
      throw error;
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return downloadErrorResponse(error);
  }
}

async function buildExport(
  db: Database,
  args: Parameters<typeof exportFileResponse>[1] & { release: () => void },
): Promise<Response> {
  const { access } = args;
  const query = readExportQuery(args.params);
  const event = await loadExportEvent(db, access.eventId);
  const run: ExportRun = {
    eventId: event.id,
    unionId: access.unionId,
    filter: query.filter,
    actorId: access.user.id,
    signal: args.signal,
  };
  const course = query.filter.course
    ? event.courses.find((c) => c.id === query.filter.course)
    : undefined;
  const suffix = course?.code ?? "";
  const headers = new Headers({
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  let chunks: AsyncGenerator<Uint8Array>;
  if (args.file === "pdf") {
    const kind = args.params.get("kind") === "badges" ? "badges" : "roster";
    if (!findPdfFont()) throw new DomainError("pdf_font_missing");
    headers.set("Content-Type", CONTENT_TYPES.pdf);
    headers.set(
      "Content-Disposition",
      fileName(
        event,
        kind === "badges" ? { ja: "名札", en: "badges" } : { ja: "受付名簿", en: "reception-list" },
        "pdf",
        suffix,
      ),
    );
    chunks = pdfFileChunks(db, { ...run, event, kind, group: query.group });
  } else {
    const columns = resolveColumns(
      event,
      query.columns.length > 0 ? query.columns : DEFAULT_COLUMNS,
    );
    if (columns.length === 0) {
      throw new DomainError("invalid_input", {
        field: "columns",
        message: "出力する項目を1つ以上選んでください。",
      });
    }
    const what = { ja: "参加者一覧", en: "attendees" };
    if (args.file === "xlsx") {
      headers.set("Content-Type", CONTENT_TYPES.xlsx);
      headers.set("Content-Disposition", fileName(event, what, "xlsx", suffix));
      chunks = xlsxChunks(db, { ...run, event, columns });
    } else {
      if (query.encoding === "sjis") {
        const report = await checkShiftJis(db, { scope: run, columns, signal: args.signal });
        if (report.fingerprint && report.fingerprint !== query.ack) {
          throw new DomainError("export_unconfirmed", {
            message: unconfirmedMessage(report),
          });
        }
      }
      headers.set(
        "Content-Type",
        `${CONTENT_TYPES.csv}; charset=${query.encoding === "sjis" ? "Shift_JIS" : "utf-8"}`,
      );
      headers.set("Content-Disposition", fileName(event, what, "csv", suffix));
      chunks = csvChunks(db, { ...run, event, columns, encoding: query.encoding });
    }
  }
  headers.set("X-Row-Count", String(await countExportRows(db, run)));
  return new Response(toWebStream(chunks, args.release), { status: 200, headers });
}

function unconfirmedMessage(report: ShiftJisReport): string {
  const lines = report.problems.slice(0, 20).map((p) => {
    const chars = p.chars.map((c) => `${c.char}→${c.becomes}`).join(" ");
    return `・${p.name}(${p.ticketCode || "—"})「${p.column}」: ${chars}`;
  });
  const more = report.total > lines.length ? [`ほか${report.total - lines.length}件`] : [];
  return [
    `Shift_JISでは表せない文字を含む項目が${report.total}件あります。エクスポート画面で一覧を確認してから、ダウンロードしてください(正確な表記が必要な場合は UTF-8(BOM付き)を選んでください)。`,
    ...lines,
    ...more,
  ].join("\n");
}

// ---------------------------------------------------------------------------
// The export page
// ---------------------------------------------------------------------------

export type ExportPreset = {
  id: number;
  name: string;
  scope: "event" | "all";
  columns: string[];
};

async function listExportPresets(db: Database, args: { personId: string; eventId: number }) {
  const rows = await db
    .selectFrom("export_presets")
    .select(["id", "name", "event_id", "columns"])
    .where("person_id", "=", args.personId)
    .where((eb) => eb.or([eb("event_id", "=", args.eventId), eb("event_id", "is", null)]))
    .orderBy(sql`event_id nulls last`)
    .orderBy("name")
    .execute();
  return rows.map(
    (r): ExportPreset => ({
      id: r.id,
      name: r.name,
      scope: r.event_id === null ? "all" : "event",
      columns: r.columns,
    }),
  );
}

/**
 * Everything the export page shows: the columns and filters to pick from, the
 * person's presets, the selection (from the query string or a preset), how
 * many rows it holds, and, for a Shift_JIS CSV, the cells that file cannot
 * hold as they are — listed before anything is downloaded.
 */
export async function getExportPage(db: Database, args: { access: EventAccess; url: URL }) {
  const { access } = args;
  const query = readExportQuery(args.url.searchParams);
  const event = await loadExportEvent(db, access.eventId);
  const presets = await listExportPresets(db, { personId: access.user.id, eventId: event.id });
  const available = exportColumns(event);
  const preset = query.preset ? presets.find((p) => p.id === query.preset) : undefined;
  const askedFor =
    query.columns.length > 0 ? query.columns : preset ? preset.columns : DEFAULT_COLUMNS;
  const columns = resolveColumns(event, askedFor);
  const selection = {
    format: query.format,
    encoding: query.encoding,
    group: query.group,
    filter: query.filter,
    columns: columns.map((c) => c.key),
  };
  const scope: RowScope = { eventId: event.id, unionId: access.unionId, filter: query.filter };
  const count = await countExportRows(db, scope);
  const shiftJis =
    query.format === "csv" && query.encoding === "sjis" && columns.length > 0
      ? await checkShiftJis(db, { scope, columns })
      : null;
  const target = query.format;
  const download =
    columns.length > 0 || target === "roster" || target === "badges"
      ? exportHref(event.id, target, { ...selection, ack: shiftJis?.fingerprint })
      : null;
  const facilitatorColumns = resolveColumns(event, FACILITATOR_COLUMNS).map((c) => c.key);
  const courseLists = event.courses.map((c) => {
    const filter: ExportFilter = { course: c.id, status: "confirmed" };
    const q = { columns: facilitatorColumns, filter, encoding: "utf8", group: "none" };
    return {
      id: c.id,
      label: `${c.code} ${c.title}`.trim(),
      facilitator: c.facilitator,
      csv: exportHref(event.id, "csv", q),
      xlsx: exportHref(event.id, "xlsx", q),
      roster: exportHref(event.id, "roster", q),
    };
  });
  return {
    event: { id: event.id, title: event.title },
    narrowed: access.unionId !== null,
    options: {
      sessions: event.sessions,
      courses: courseLists.map((c) => ({ id: c.id, label: c.label })),
      unions: await unionOptions(db),
    },
    available: available.map((c) => ({ key: c.key, label: c.label })),
    selection,
    presets,
    appliedPreset: preset?.name ?? null,
    count,
    shiftJis,
    download,
    fontMissing: !findPdfFont(),
    courseLists,
  };
}

export const presetSchema = z.object({
  name: z
    .string({ message: "プリセット名を入力してください" })
    .trim()
    .min(1, "プリセット名を入力してください")
    .max(50, "プリセット名は50文字以内で入力してください")
    .regex(NO_CONTROL_CHARS, "プリセット名に使えない文字が含まれています"),
  scope: z.enum(["event", "all"], { message: "保存先を選んでください" }),
  columns: z.array(z.string().max(20)).min(1, "出力する項目を1つ以上選んでください").max(100),
});
export type PresetInput = z.infer<typeof presetSchema>;

/**
 * Saves the person's column choice under a name, for this event or for every
 * event (there an event's questions are kept as "every question"). The same
 * name again replaces it. Refuses columns the event does not have.
 */
export async function saveExportPreset(
  db: Database,
  args: { access: EventAccess; input: PresetInput },
): Promise<ExportPreset> {
  const event = await loadExportEvent(db, args.access.eventId);
  const columns = resolveColumns(event, args.input.columns).map((c) => c.key);
  if (columns.length === 0) {
    throw new DomainError("invalid_input", {
      field: "columns",
      message: "出力する項目を1つ以上選んでください。",
    });
  }
  const all = args.input.scope === "all";
  const saved = all
    ? [...new Set(columns.map((key) => (key.startsWith("q:") ? ALL_QUESTIONS : key)))]
    : columns;
  const row = await db
    .insertInto("export_presets")
    .values({
      person_id: args.access.user.id,
      event_id: all ? null : event.id,
      name: args.input.name,
      columns: saved,
    })
    .onConflict((oc) =>
      oc.columns(["person_id", "event_id", "name"]).doUpdateSet({
        columns: saved,
        updated_at: new Date(),
      }),
    )
    .returning(["id", "name", "event_id", "columns"])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    scope: row.event_id === null ? "all" : "event",
    columns: row.columns,
  };
}

/** Deletes one of the person's own presets (of this event or for every event). */
export async function deleteExportPreset(
  db: Database,
  args: { access: EventAccess; presetId: number },
): Promise<void> {
  const result = await db
    .deleteFrom("export_presets")
    .where("id", "=", args.presetId)
    .where("person_id", "=", args.access.user.id)
    .where((eb) => eb.or([eb("event_id", "=", args.access.eventId), eb("event_id", "is", null)]))
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new DomainError("not_found");
}
