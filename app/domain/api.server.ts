import type { AppLoadContext } from "@remix-run/node";
import { sql } from "kysely";
import { jsonError } from "../utils/action.server";
import { z } from "zod";
import type { Database } from "../../db/index";
import { NO_CONTROL_CHARS, rowId } from "../utils/forms";
import {
  activeAccount,
  hashToken,
  newToken,
  SESSION_USER_COLUMNS,
  type SessionUser,
} from "./auth.server";
import { type ErrorCode } from "./errors.server";
import { listStaffEvents } from "./event-admin.server";
import { webhookSchema } from "./webhooks.server";
import { type EventPermission, getEventAccess } from "./permissions.server";
import { auditPersonalDataRead } from "./privacy.server";

/**
 * The JSON API under /api/v1: per-person tokens (stored as hashes, shown once)
 * and the same permission checks as the pages. Webhooks are webhooks.server.ts.
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
// Reading, for the API
// ---------------------------------------------------------------------------

/** The events the API user may see. */
export async function apiListEvents(db: Database, user: SessionUser) {
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
