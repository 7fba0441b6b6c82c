import { createHmac, randomBytes } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { jsonError } from "../utils/action.server";
import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { WebhookTopic } from "../../db/schema";
import { NO_CONTROL_CHARS, rowId } from "../utils/forms";
import {
  activeAccount,
  hashToken,
  newToken,
  SESSION_USER_COLUMNS,
  type SessionUser,
} from "./auth.server";
import { DomainError, ERROR_MESSAGES, type ErrorCode } from "./errors.server";
import { checkOutboundUrl, OUTBOUND_MESSAGES, OutboundRefused, postOutbound } from "./outbound.server";
import { type EventPermission, getEventAccess } from "./permissions.server";
import { auditPersonalDataRead } from "./privacy.server";

/**
 * The JSON API under /api/v1: per-person tokens (stored as hashes, shown once),
 * the same permission checks as the pages, and webhooks signed with HMAC and
 * sent through the job queue with retries.
 */

/** An error as the API answers it: a fixed code and a Japanese message. */
export function apiError(
  code: ErrorCode | "unauthorized",
  status: number,
  message?: string,
): Response {
  return jsonError({ code, status, message });
}

export async function createApiToken(
  db: Database,
  args: { personId: string; name: string },
): Promise<string> {
  const token = `jk_${newToken()}`;
  await db
    .insertInto("api_tokens")
    .values({ person_id: args.personId, name: args.name, token_hash: hashToken(token) })
    .execute();
  return token;
}

export function listApiTokens(db: Database, personId: string) {
  return db
    .selectFrom("api_tokens")
    .select(["id", "name", "created_at", "last_used_at", "revoked_at"])
    .where("person_id", "=", personId)
    .orderBy("id", "desc")
    .execute();
}

/**
 * Revokes one of the person's own tokens. Answers false, and changes nothing,
 * for a token that is not theirs or not there (or already revoked).
 */
export async function revokeApiToken(
  db: Database,
  args: { personId: string; id: number },
): Promise<boolean> {
  const row = await db
    .updateTable("api_tokens")
    .set({ revoked_at: sql`now()` })
    .where("id", "=", args.id)
    .where("person_id", "=", args.personId)
    .where("revoked_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** The staff member behind a Bearer token, or a 401 response thrown. */
export async function requireApiUser(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const header = request.headers.get("authorization") ?? "";
  const token = header.match(/^Bearer\s+(\S{10,200})$/i)?.[1];
  if (!token) throw apiError("unauthorized", 401);
  // Found and marked as used in one statement.
  const user = await context.db
    .updateTable("api_tokens")
    .from("people")
    .set({ last_used_at: sql`now()` })
    .whereRef("people.id", "=", "api_tokens.person_id")
    .where("api_tokens.token_hash", "=", hashToken(token))
    .where("api_tokens.revoked_at", "is", null)
    .where("people.role", "in", ["admin", "organiser", "secretary", "reception"])
    .where(activeAccount)
    .returning(SESSION_USER_COLUMNS)
    .executeTakeFirst();
  if (!user) throw apiError("unauthorized", 401);
  return user;
}

/** The event access for an API call, or a 404 thrown (ids cannot be probed). */
export async function requireApiEventAccess(
  context: AppLoadContext,
  args: { user: SessionUser; eventId: unknown; permission: EventPermission },
) {
  const access = await getEventAccess(context.db, args);
  if (!access) throw apiError("not_found", 404);
  return access;
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

export const WEBHOOK_TOPICS: WebhookTopic[] = [
  "registration.created",
  "registration.cancelled",
  "checkin.created",
];

export const webhookSchema = z.object({
  url: z
    .string({ message: "送信先URLを入力してください" })
    .trim()
    .min(1, "送信先URLを入力してください")
    .max(500, "送信先URLは500文字以内で入力してください")
    .url(
      "送信先URLの形式が正しくありません。https://example.jp/hooks/jichiken のように入力してください",
    )
    .refine(
      (v) => /^https?:\/\//.test(v),
      "送信先URLは http:// または https:// で始まるURLを入力してください",
    ),
  topics: z
    .array(
      z.enum(WEBHOOK_TOPICS as [WebhookTopic, ...WebhookTopic[]], {
        message: "通知する出来事は一覧から選んでください",
      }),
      { message: "通知する出来事を1つ以上選んでください" },
    )
    .min(1, "通知する出来事を1つ以上選んでください"),
});

/**
 * Saves a webhook. Its URL must reach a public address (outbound.server.ts),
 * else `invalid_input` on the field `url`, and nothing is saved.
 */
export async function createWebhook(
  db: Database,
  args: {
    personId: string;
    url: string;
    topics: WebhookTopic[];
    eventId?: number | null;
    allowPrivate: boolean;
  },
): Promise<{ id: number; secret: string }> {
  const refusal = await checkOutboundUrl(args.url, { allowPrivate: args.allowPrivate });
  if (refusal) {
    throw new DomainError("invalid_input", { field: "url", message: OUTBOUND_MESSAGES[refusal] });
  }
  const secret = randomBytes(24).toString("base64url");
  const row = await db
    .insertInto("webhooks")
    .values({
      created_by: args.personId,
      url: args.url,
      topics: args.topics,
      secret,
      event_id: args.eventId ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

export function listWebhooks(db: Database, personId: string) {
  return db
    .selectFrom("webhooks")
    .select(["id", "url", "topics", "active", "event_id", "created_at"])
    .where("created_by", "=", personId)
    .orderBy("id", "desc")
    .execute();
}

export async function deleteWebhook(db: Database, args: { personId: string; id: number }) {
  await db
    .deleteFrom("webhooks")
    .where("id", "=", args.id)
    .where("created_by", "=", args.personId)
    .execute();
}

/**
 * Queues a webhook delivery for every active hook that wants `topic` at this
 * event, in the caller's transaction: no webhook without its cause. Hooks of
 * people who could not see the event do not fire.
 */
export async function enqueueWebhooks(
  trx: Transaction<DB>,
  args: { eventId: number; topic: WebhookTopic; data: Record<string, unknown> },
): Promise<void> {
  const hooks = await trx
    .selectFrom("webhooks")
    .innerJoin("people", "people.id", "webhooks.created_by")
    .select(["webhooks.id"])
    .where("webhooks.active", "=", true)
    .where(sql<boolean>`${args.topic} = any(webhooks.topics)`)
    .where((eb) =>
      eb.or([eb("webhooks.event_id", "is", null), eb("webhooks.event_id", "=", args.eventId)]),
    )
    .where((eb) =>
      eb.or([
        eb("people.role", "=", "admin"),
        eb(
          "people.id",
          "in",
          eb
            .selectFrom("event_staff")
            .select("person_id")
            .where("event_id", "=", args.eventId)
            .where("role", "=", "organiser"),
        ),
      ]),
    )
    .execute();
  for (const hook of hooks) {
    const body = JSON.stringify({
      type: args.topic,
      eventId: args.eventId,
      createdAt: new Date().toISOString(),
      data: args.data,
    });
    await sql`select graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', ${hook.id}::int, 'body', ${body}::text), max_attempts := 15)`.execute(
      trx,
    );
  }
}

const deliveryPayload = z.object({ webhookId: z.number(), body: z.string() });

/**
 * Sends one delivery: POST with `X-Jichiken-Signature: sha256=<hex HMAC of
 * the body>`; anything but a 2xx throws, so the worker retries with backoff.
 * Only to a public address, checked on the address connected to
 * (outbound.server.ts); a redirect is not followed and counts as a failure.
 * A URL that now points inside is not retried: the delivery is dropped and
 * logged.
 */
export async function deliverWebhook(
  db: Database,
  payload: unknown,
  options: { allowPrivate?: boolean } = {},
): Promise<void> {
  const { webhookId, body } = deliveryPayload.parse(payload);
  const hook = await db
    .selectFrom("webhooks")
    .select(["url", "secret", "active"])
    .where("id", "=", webhookId)
    .executeTakeFirst();
  if (!hook?.active) return;
  const signature = createHmac("sha256", hook.secret).update(body).digest("hex");
  let status: number;
  try {
    status = await postOutbound(hook.url, {
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Jichiken-Event": (JSON.parse(body) as { type: string }).type,
        "X-Jichiken-Signature": `sha256=${signature}`,
      },
      allowPrivate: options.allowPrivate ?? false,
    });
  } catch (error) {
    if (error instanceof OutboundRefused) {
      console.warn(
        `[${new Date().toISOString()}] webhook ${webhookId}: not sent, ${error.reason} (${hook.url})`,
      );
      return;
    }
    throw error;
  }
  if (status < 200 || status >= 300) throw new Error(`webhook ${webhookId}: HTTP ${status}`);
}

// ---------------------------------------------------------------------------
// Reading, for the API
// ---------------------------------------------------------------------------

/** The events the API user may see. */
export async function apiListEvents(db: Database, user: SessionUser) {
  const { listStaffEvents } = await import("./admin-events.server");
  const events = await listStaffEvents(db, user);
  return events.map((e) => ({
    id: e.id,
    slug: e.slug,
    title: e.title,
    kind: e.kind,
    status: e.status,
    startsAt: e.starts_at,
    endsAt: e.ends_at,
    capacity: e.capacity,
    confirmed: e.confirmed,
    waitlisted: e.waitlisted,
  }));
}

function registrationRows(db: Database) {
  return db
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .leftJoin("courses", "courses.id", "registrations.course_id")
    .select([
      "registrations.id",
      "registrations.event_id as eventId",
      "registrations.status",
      "registrations.ticket_code as ticketCode",
      "registrations.created_at as createdAt",
      "people.family_name as familyName",
      "people.given_name as givenName",
      "people.family_name_kana as familyNameKana",
      "people.given_name_kana as givenNameKana",
      "people.email",
      "organisations.name as union",
      "courses.id as courseId",
      sql<
        string | null
      >`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
        "course",
      ),
    ]);
}

/**
 * One page (100) of an event's registrations, narrowed to a secretary's
 * union. Each read is audited (who, event, filters, rows), like a download.
 */
export async function apiListRegistrations(
  db: Database,
  args: { eventId: number; unionId: number | null; status?: string; page: number; actorId: string },
) {
  let query = registrationRows(db).where("registrations.event_id", "=", args.eventId);
  if (args.unionId !== null) query = query.where("people.organisation_id", "=", args.unionId);
  if (args.status === "confirmed" || args.status === "waitlisted" || args.status === "cancelled") {
    query = query.where("registrations.status", "=", args.status);
  }
  const rows = await query
    .orderBy(sql`people.family_name_kana collate "C"`)
    .orderBy("registrations.id")
    .limit(100)
    .offset((args.page - 1) * 100)
    .execute();
  await auditPersonalDataRead(db, {
    actorId: args.actorId,
    eventId: args.eventId,
    action: "api_list",
    rows: rows.length,
    filter: { status: args.status ?? null, page: args.page, union_id: args.unionId },
  });
  return rows;
}

/** One registration by id, with its event id, for the access check that follows. */
export function apiGetRegistration(db: Database, id: string) {
  if (!/^\d{1,18}$/.test(id)) return Promise.resolve(undefined);
  return registrationRows(db)
    .select("people.organisation_id as unionId")
    .where("registrations.id", "=", id)
    .executeTakeFirst();
}


/** The forms of /admin/api. */
export const apiSettingsSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("token"),
      name: z
        .string({ message: "トークンの名前を入力してください" })
        .trim()
        .min(1, "トークンの名前を入力してください")
        .max(100, "トークンの名前は100文字以内で入力してください")
        .regex(NO_CONTROL_CHARS, "トークンの名前に使えない文字が含まれています"),
    }),
    z.object({
      intent: z.literal("revoke"),
      id: rowId(
        "無効にするAPIトークンが指定されていません。画面を再読み込みして、一覧の「無効にする」から操作してください。",
      ),
    }),
    z.object({ intent: z.literal("webhook"), ...webhookSchema.shape }),
    z.object({
      intent: z.literal("delete_webhook"),
      id: rowId(
        "削除するWebhookが指定されていません。画面を再読み込みして、一覧の「削除」から操作してください。",
      ),
    }),
  ],
  {
    message:
      "操作の種類が正しくありません。画面を再読み込みして、トークンの作成・無効化、Webhookの登録・削除のボタンから操作してください。",
  },
);
