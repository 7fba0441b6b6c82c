import { createHash } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { type Kysely, sql, type Transaction } from "kysely";
import { z } from "zod";
import { compiledQuery } from "../../db/compiled";
import type { Database, DB } from "../../db/index";
import type { CheckinResultCode } from "../../db/schema";
import {
  buildCheckinResult,
  type CheckinAttendee,
  type CheckinMessages,
  type CheckinResult,
  type CheckinStamp,
  normaliseTicketCode,
  WHOLE_EVENT_LIST_NAME,
} from "../checkin/result";
import type { Roster, RosterEntry } from "../checkin/roster";
import { forbidden } from "../utils/action.server";
import { NO_CONTROL_CHARS, rowId } from "../utils/forms";
import { courseWord } from "../utils/labels";
import { webhookBodyAround, webhookJobs } from "./webhooks.server";
import { audit, auditInsert } from "./audit.server";
import { jsonError } from "../utils/action.server";
import { DomainError, ERROR_MESSAGES } from "./errors.server";
import {
  answerEventAccess,
  type EventAccess,
  type EventAccessRow,
  eventAccessQuestion,
  eventAccessSelect,
  isEventSlug,
  requireEventAccess,
} from "./permissions.server";
import { touchSession } from "./auth.server";
import { inTransaction } from "./transactions.server";

/**
 * Reception (受付): scanning tickets at the door, on a phone, a tablet or a USB
 * scanner, online or offline.
 *
 * Guarantees (ARCHITECTURE.md, rule 2):
 * - one check-in per ticket and list, by the unique key (checkin_list_id,
 *   registration_id); a second scan answers "already checked in at 10:02 at
 *   受付A" and is never an error page;
 * - a check-in locks the registration row, writes the check-in and its audit
 *   entry in one transaction;
 * - a scan carrying a client nonce is answered once: the same nonce again gets
 *   the first answer back and changes nothing (an offline queue sent twice);
 * - an offline scan never changes a check-in that exists: two desks that
 *   scanned the same ticket offline, the first to sync checks it in and the
 *   other sees a duplicate;
 * - an offline scan is dated by the desk's clock only within the window from
 *   the session's first roster download to the sync, and recorded under the
 *   desk name of the signed-in session (`recordRosterDownload`), never under
 *   a time or a name the request claims;
 * - a forged, altered or guessed ticket answers `unknown_ticket` and nothing
 *   about anyone.
 */

type Trx = Transaction<DB>;

/** The messages a desk shows, from the one table of messages. */
export const CHECKIN_MESSAGES: CheckinMessages = {
  already_checked_in: ERROR_MESSAGES.already_checked_in,
  not_registered_for_session: ERROR_MESSAGES.not_registered_for_session,
  waitlisted: ERROR_MESSAGES.waitlisted,
  cancelled: ERROR_MESSAGES.cancelled,
  unknown_ticket: ERROR_MESSAGES.unknown_ticket,
};

// ---------------------------------------------------------------------------
// Access and lists
// ---------------------------------------------------------------------------

/**
 * The web app manifest of one event's desk, so that a reception tablet added
 * to the home screen opens straight on /checkin/:slug, full-screen. Browsers
 * fetch manifests without cookies, so it is public: it says only what the
 * event page says (the title), and nothing for a draft or an unknown slug.
 */
export async function getCheckinManifest(db: Database, slug: string) {
  if (!isEventSlug(slug)) return undefined;
  const event = await db
    .selectFrom("events")
    .select(["slug", "title"])
    .where("slug", "=", slug)
    .where("status", "!=", "draft")
    .executeTakeFirst();
  if (!event) return undefined;
  const desk = `/checkin/${event.slug}`;
  return {
    name: `受付 ${event.title}`,
    short_name: "受付",
    description: `${event.title}の受付(QRコードの読み取り)`,
    lang: "ja",
    id: desk,
    start_url: desk,
    scope: desk,
    display: "fullscreen",
    background_color: "#f7f9fb",
    theme_color: "#0b4f6c",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}

/**
 * The one permission check for a desk: reception of this event, its
 * organisers, admins (and a 単組 secretary, narrowed to their union). Anyone
 * else gets a 404, whether or not the event exists.
 */
export async function requireCheckinAccess(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  options: { explain?: boolean } = {},
): Promise<EventAccess> {
  try {
    // the session and the event in one query: a desk asks on every scan
    return await requireEventAccess(request, context, { slug: slug ?? "", permission: "checkin" });
  } catch (error) {
    // The desk page says why and whom to ask; its JSON API stays a plain 404.
    if (options.explain && error instanceof Response && error.status === 404) {
      const refusal = await checkinRefusal(context.db, slug ?? "");
      if (refusal) forbidden(refusal);
    }
    throw error;
  }
}

/**
 * Why a staff member who is not on a published event's staff cannot open its
 * desk, naming the event and the organisers who can add them (issue 15: the
 * reception account got a bare 404). Drafts and unknown slugs stay a 404.
 */
async function checkinRefusal(db: Database, slug: string): Promise<string | undefined> {
  if (!isEventSlug(slug)) return undefined;
  const event = await db
    .selectFrom("events")
    .select(["id", "title"])
    .where("slug", "=", slug)
    .where("status", "!=", "draft")
    .executeTakeFirst();
  if (!event) return undefined;
  const organisers = await db
    .selectFrom("event_staff")
    .innerJoin("people", "people.id", "event_staff.person_id")
    .select(["people.family_name", "people.given_name"])
    .where("event_staff.event_id", "=", event.id)
    .where("event_staff.role", "=", "organiser")
    .orderBy("people.family_name_kana")
    .execute();
  const whom =
    organisers.length > 0
      ? `このイベントの主催担当(${organisers.map((o) => `${o.family_name} ${o.given_name}`.trim()).join("、")})`
      : "県本部の管理者";
  return `あなたは「${event.title}」の受付担当に登録されていないため、この受付画面を開けません。${whom}に、受付担当として追加するよう依頼してください。`;
}

/**
 * The desk's JSON API around one handler: the permission check, then the
 * handler's answer as JSON. A signed-out desk gets a 401 (not the sign-in
 * page), bad input a 422 naming the field, a DomainError its own status, and
 * every message is Japanese.
 */
export async function checkinApi(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  handler: (access: EventAccess) => Promise<unknown>,
): Promise<Response> {
  return deskJson(async () => handler(await requireCheckinAccess(request, context, slug)));
}

/**
 * A desk's scan (POST /checkin/:slug/scan): checkIn with the desk's access
 * asked by the scan's first statement (deskCheckIn), answered as checkinApi
 * answers. Bad input is answered only to whom may scan here (the access is
 * asked first, as by checkinApi); a scan without a nonce goes as checkinApi's.
 */
export async function deskScan(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<Response> {
  return deskJson(async () => {
    const question = await eventAccessQuestion(request, slug);
    // The access asked on its own (checkinApi's way), when the scan cannot ask it:
    // no cookie or no slug (a 401 or a 404), bad input (answered only to whom may scan here).
    const asked = () => requireCheckinAccess(request, context, slug);
    if (!question) await asked();
    const input = await parseCheckinBody(request, scanInputSchema).catch(async (error) => {
      await asked();
      throw error;
    });
    const scan = {
      listId: input.list,
      ticket: input.ticket,
      registrationId: input.registration,
      desk: input.desk,
    };
    if (question && input.nonce) {
      return {
        result: await deskCheckIn(context.db, request, question, { ...scan, nonce: input.nonce }),
      };
    }
    const access = await asked();
    const result = await checkIn(context.db, {
      ...scan,
      eventId: access.eventId,
      unionId: access.unionId,
      staffId: access.user.id,
    });
    return { result };
  });
}

/**
 * The desk's JSON answer: `answer`'s value, or its refusal as JSON (a
 * signed-out desk a 401, not the sign-in page; an event not theirs a 404; a
 * DomainError its own status), every message Japanese.
 */
async function deskJson(answer: () => Promise<unknown>): Promise<Response> {
  const headers = { "Cache-Control": "no-store" };
  try {
    return Response.json(await answer(), { headers });
  } catch (error) {
    if (error instanceof Response) {
      const code =
        error.status >= 300 && error.status < 400
          ? "login_required"
          : error.status === 404
            ? "not_found"
            : "forbidden";
      const status = code === "login_required" ? 401 : error.status;
      return jsonError({ code, status }, headers);
    }
    if (error instanceof DomainError) return jsonError(error, headers);
    throw error;
  }
}

/** A JSON body parsed by `schema`, or `invalid_input` with the first field's message. */
export async function parseCheckinBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new DomainError("invalid_input", {
      message: "送信内容を読み取れませんでした(JSON形式で送信してください)。",
    });
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DomainError("invalid_input", {
    message: issue?.message ?? ERROR_MESSAGES.invalid_input,
    field: issue?.path.join(".") || undefined,
  });
}

/**
 * Makes sure an event has its check-in lists: 受付(全体) and one per session.
 * Safe to call any number of times, concurrently too (the unique key on
 * (event_id, session_id) keeps one of each).
 */
export async function ensureCheckinLists(db: Database, eventId: number): Promise<void> {
  await sql`
    insert into checkin_lists (event_id, session_id, name)
    select e.id, null::integer, ${WHOLE_EVENT_LIST_NAME} from events e where e.id = ${eventId}
    union all
    select s.event_id, s.id, s.title from event_sessions s where s.event_id = ${eventId}
    on conflict do nothing
  `.execute(db);
}

/** The id of the event's 受付(全体) list, made first if the event has none yet. */
export async function getWholeEventListId(db: Database, eventId: number): Promise<number> {
  const find = () =>
    db
      .selectFrom("checkin_lists")
      .select("id")
      .where("event_id", "=", eventId)
      .where("session_id", "is", null)
      .executeTakeFirst();
  const found = await find();
  if (found) return found.id;
  await ensureCheckinLists(db, eventId);
  return (await find())!.id;
}

export type CheckinList = {
  id: number;
  name: string;
  sessionId: number | null;
  startsAt: string | null;
};

/** What the desk page needs: the event and its lists (the whole event first). */
export async function getCheckinDesk(db: Database, args: { eventId: number }) {
  await ensureCheckinLists(db, args.eventId);
  const event = await db
    .selectFrom("events")
    .select(["id", "slug", "title", "starts_at", "ends_at", "course_word"])
    .where("id", "=", args.eventId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom("checkin_lists as l")
    .leftJoin("event_sessions as s", "s.id", "l.session_id")
    .select(["l.id", "l.name", "l.session_id", "s.starts_at", "s.position"])
    .where("l.event_id", "=", args.eventId)
    .where((eb) => eb.or([eb("l.session_id", "is", null), eb("s.status", "=", "active")]))
    .orderBy(sql`l.session_id is not null`)
    .orderBy("s.starts_at")
    .orderBy("s.position")
    .orderBy("l.id")
    .execute();
  const lists: CheckinList[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    sessionId: r.session_id,
    startsAt: r.starts_at ? new Date(r.starts_at).toISOString() : null,
  }));
  return {
    event: {
      id: event.id,
      slug: event.slug,
      title: event.title,
      courseWord: courseWord(event),
      startsAt: event.starts_at.toISOString(),
      endsAt: event.ends_at.toISOString(),
    },
    lists,
  };
}

/** Checked in / expected for each list; a secretary counts only their union. */
export async function getCheckinCounts(
  db: Database,
  args: { eventId: number; unionId: number | null },
): Promise<{ lists: { id: number; checkedIn: number; expected: number }[] }> {
  const inUnion = unionFilter(args.unionId);
  const result = await sql<{ id: number; checked_in: number; expected: number }>`
    select l.id,
      (select count(*) from checkins c
         join registrations r on r.id = c.registration_id
         join people p on p.id = r.person_id
        where c.checkin_list_id = l.id and ${inUnion})::int as checked_in,
      (case when l.session_id is null then
        (select count(*) from registrations r
           join people p on p.id = r.person_id
          where r.event_id = l.event_id and r.status = 'confirmed' and ${inUnion})
      else
        (select count(*) from registration_sessions rs
           join registrations r on r.id = rs.registration_id
           join people p on p.id = r.person_id
          where rs.session_id = l.session_id and r.status = 'confirmed' and ${inUnion})
      end)::int as expected
    from checkin_lists l
    where l.event_id = ${args.eventId}
    order by l.id
  `.execute(db);
  return {
    lists: result.rows.map((r) => ({ id: r.id, checkedIn: r.checked_in, expected: r.expected })),
  };
}

function unionFilter(unionId: number | null) {
  return unionId === null ? sql<boolean>`true` : sql<boolean>`p.organisation_id = ${unionId}`;
}

// ---------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------

/** sha256 hex, as the page computes it (the roster never holds a secret). */
export function ticketHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What a scan reads of the registration it points at, from the row it locks. */
const SCANNED_COLUMNS = [
  "r.id",
  "r.status",
  "r.person_id",
  "r.course_id",
  "r.ticket_code",
  "r.dietary_needs",
  "r.accessibility_needs",
] as const;

type LockArgs = {
  eventId: number;
  unionId: number | null;
  ticket?: string;
  registrationId?: string;
  ticketHash?: string;
};

/**
 * The registration a scan points at, within the event (and union), as a
 * query that locks its row; undefined when the input names none. A QR holds
 * the secret, matched exactly; a person may type the ticket code; a manual
 * search hands the registration id.
 */
function registrationLock(db: Kysely<DB>, args: LockArgs) {
  const ticket = (args.ticket ?? "").trim();
  let query = db
    .selectFrom("registrations as r")
    .innerJoin("people as p", "p.id", "r.person_id")
    .select(SCANNED_COLUMNS)
    .where("r.event_id", "=", args.eventId);
  if (args.unionId !== null) query = query.where("p.organisation_id", "=", args.unionId);
  if (args.registrationId !== undefined) {
    if (!/^\d{1,18}$/.test(args.registrationId)) return undefined;
    query = query.where("r.id", "=", args.registrationId);
    if (args.ticketHash !== undefined) {
      query = query.where(
        sql<string>`encode(sha256(convert_to(r.ticket_secret, 'UTF8')), 'hex')`,
        "=",
        args.ticketHash,
      );
    }
  } else {
    const code = normaliseTicketCode(ticket);
    if (SECRET_PATTERN.test(ticket)) query = query.where("r.ticket_secret", "=", ticket);
    else if (code) query = query.where("r.ticket_code", "=", code);
    else return undefined;
  }
  return query.forUpdate("r");
}

/**
 * Who a registration `r` is, as a desk shows it: the person `p`, the union
 * `o` and the course `c` (joined). The card adds the ticket code and needs;
 * the roster, which goes to the desk's device, leaves the needs out.
 */
const ATTENDEE_NAME_COLUMNS = [
  "p.family_name",
  "p.given_name",
  "p.family_name_kana",
  "p.given_name_kana",
  "o.name as union_name",
  sql<string>`coalesce(trim(c.code || ' ' || c.title), '')`.as("course"),
] as const;

/**
 * What a desk's card shows of a registration `r` (with its person `p`, union
 * `o` and course `c` joined), and who stamped its check-in (`s`): read by a
 * scan's statement and by attendeeCard alike.
 */
const CARD_COLUMNS = [
  "r.ticket_code",
  "r.dietary_needs",
  "r.accessibility_needs",
  ...ATTENDEE_NAME_COLUMNS,
] as const;
const STAFF_NAME = sql<string>`coalesce(trim(s.family_name || ' ' || s.given_name), '')`.as(
  "staff_name",
);

/** The check-in a scan makes, once its list is known, and what it leaves behind. */
type CheckinValues = {
  eventId: number;
  listId: number;
  /** the list's session: the registration must hold it */
  sessionId: number | null;
  clientTime: Date | null;
  desk: string;
  staffId: string;
  nonce: string | null;
  /** checkin.created's body around the check-in's and the registration's ids (scanRecords) */
  hookBefore: string;
  hookBetween: string;
  hookAfter: string;
  /** the check-in's audit detail, but for the registration's id */
  auditDetail: Record<string, unknown>;
};

/** What a scan's statement needs for its webhooks and audit entry, made once per scan. */
function scanRecords(args: {
  eventId: number;
  list: { id: number; name: string };
  desk: string;
  offline: boolean;
}): Pick<CheckinValues, "hookBefore" | "hookBetween" | "hookAfter" | "auditDetail"> {
  const [hookBefore = "", hookBetween = "", hookAfter = ""] = webhookBodyAround(
    {
      eventId: args.eventId,
      topic: "checkin.created",
      data: {
        checkinId: "",
        registrationId: "",
        listId: args.list.id,
        listName: args.list.name,
        desk: args.desk,
        offline: args.offline,
      },
    },
    ["checkinId", "registrationId"],
  );
  return {
    hookBefore,
    hookBetween,
    hookAfter,
    auditDetail: { list_id: args.list.id, desk: args.desk, offline: args.offline },
  };
}

/**
 * A scan's one statement after its list: the registration's row locked (`r`),
 * its check-in inserted when it may be checked in on the list (`k`: confirmed,
 * and holding the list's session), and what the desk shows (the person, the
 * union, the course, the result, and the stamp: the new check-in's, or the
 * one made before). The row is locked before the insert reads it. With a new
 * check-in, its webhook deliveries and audit entry; with a nonce, the nonce's
 * answer (the scan log, and what a replay of it reads): all in the one round
 * trip.
 */
function scanStatement(
  db: Kysely<DB>,
  lock: NonNullable<ReturnType<typeof registrationLock>>,
  a: CheckinValues,
) {
  const holdsSession = sql<boolean>`(${a.sessionId}::int is null or exists (
    select 1 from registration_sessions rs
    where rs.registration_id = r.id and rs.session_id = ${a.sessionId}::int))`;
  // what the desk is told; reads r, k and holdsSession
  const result = sql<CheckinResultCode>`case when r.status = 'cancelled' then 'cancelled'
    when r.status = 'waitlisted' then 'waitlisted'
    when not ${holdsSession} then 'not_registered_for_session'
    when k.id is not null then 'ok' else 'already_checked_in' end`;
  const stamped = sql<string | null>`case when k.id is not null then k.id
    when r.status = 'confirmed' and ${holdsSession} then prior.id end`;
  const priorOn = sql<boolean>`prior.registration_id = r.id and prior.checkin_list_id = ${a.listId}::int`;
  return (
    db
      .with(
        (cte) => cte("r").materialized(),
        () => lock,
      )
      .with("k", (qc) =>
        qc
          .insertInto("checkins")
          .columns([
            "checkin_list_id",
            "registration_id",
            "checked_in_at",
            "desk",
            "staff_person_id",
            "client_nonce",
          ])
          .expression(
            qc
              .selectFrom("r")
              .select([
                sql<number>`${a.listId}::int`.as("checkin_list_id"),
                "r.id",
                // an offline scan keeps its (bounded) time; a live one is dated by the database
                sql<Date>`coalesce(${a.clientTime}::timestamptz, now())`.as("checked_in_at"),
                sql<string>`${a.desk}::text`.as("desk"),
                sql<string>`${a.staffId}::bigint`.as("staff_person_id"),
                sql<string | null>`${a.nonce}::text`.as("client_nonce"),
              ])
              .where("r.status", "=", "confirmed")
              .where(holdsSession),
          )
          .onConflict((oc) => oc.columns(["checkin_list_id", "registration_id"]).doNothing())
          .returning(["id", "checked_in_at", "desk", "staff_person_id"]),
      )
      // (Kysely writes a raw CTE as it is: each is put in its brackets)
      .with(
        "webhook_jobs",
        () =>
          sql`(${webhookJobs({
            eventId: a.eventId,
            topic: "checkin.created",
            body: sql<string>`${a.hookBefore}::text || to_json(k.id::text)::text || ${a.hookBetween}::text
          || to_json(r.id::text)::text || ${a.hookAfter}::text`,
            from: sql`k, r`,
          })})`,
      )
      .with(
        "audit_entry",
        () =>
          sql`(${auditInsert(
            {
              actorId: a.staffId,
              eventId: a.eventId,
              entity: "checkin",
              action: "checkin",
              detail: a.auditDetail,
            },
            {
              from: sql`k, r`,
              entityId: sql<string>`k.id::text`,
              detail: { registration_id: sql`r.id::text` },
            },
          )})`,
      )
      .with(
        "scan_answer",
        () => sql`(update checkin_scans cs
        set result = ${result}, registration_id = r.id, checkin_id = ${stamped}
        from r left join k on true left join checkins prior on ${priorOn}
        where cs.client_nonce = ${a.nonce}::text)`,
      )
      .selectFrom("r")
      .innerJoin("people as p", "p.id", "r.person_id")
      .leftJoin("organisations as o", "o.id", "p.organisation_id")
      .leftJoin("courses as c", "c.id", "r.course_id")
      .leftJoin("k", (join) => join.onTrue())
      .leftJoin("checkins as prior", (join) => join.on(priorOn))
      .leftJoin("people as s", (join) =>
        join.on(sql<boolean>`s.id = coalesce(k.staff_person_id, prior.staff_person_id)`),
      )
      .select([
        "r.id",
        result.as("result"),
        ...CARD_COLUMNS,
        stamped.as("checkin_id"),
        sql<Date | null>`case when k.id is not null then k.checked_in_at else prior.checked_in_at end`.as(
          "checked_in_at",
        ),
        sql<string | null>`case when k.id is not null then k.desk else prior.desk end`.as("desk"),
        STAFF_NAME,
        sql<number>`(select count(*) from webhook_jobs)`.as("webhook_jobs"),
      ])
  );
}

/** scanStatement for a QR at a desk (nearly every scan), compiled once. */
const qrScanQuery = compiledQuery((db, a: CheckinValues & { secret: string }) =>
  scanStatement(
    db,
    db
      .selectFrom("registrations as r")
      .select(SCANNED_COLUMNS)
      .where("r.event_id", "=", a.eventId)
      .where("r.ticket_secret", "=", a.secret)
      .forUpdate("r"),
    a,
  ),
);

/** A scan's registration, locked, its check-in made if it may be, and its card (scanStatement). */
async function scanRegistration(trx: Trx, args: LockArgs, values: CheckinValues) {
  const ticket = (args.ticket ?? "").trim();
  if (args.unionId === null && args.registrationId === undefined && SECRET_PATTERN.test(ticket)) {
    const [row] = await qrScanQuery(trx, { ...values, secret: ticket });
    return row;
  }
  const lock = registrationLock(trx, args);
  return lock ? scanStatement(trx, lock, values).executeTakeFirst() : undefined;
}

// ---------------------------------------------------------------------------
// Checking in
// ---------------------------------------------------------------------------

const nonceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "送信番号(nonce)の形式が正しくありません");
const deskSchema = z
  .string()
  .trim()
  .max(40, "受付名は40文字以内で入力してください")
  .regex(NO_CONTROL_CHARS, "受付名に使えない文字が含まれています")
  .default("");
const listSchema = rowId("受付リストを選んでください");
const ticketSchema = z
  .string()
  .trim()
  .max(200, "QRコード・受付番号が長すぎます")
  .regex(NO_CONTROL_CHARS, "QRコード・受付番号に使えない文字が含まれています");
const registrationIdSchema = z.string().regex(/^\d{1,18}$/, "参加者の指定が正しくありません");

/** One scan sent while online. */
export const scanInputSchema = z
  .object({
    list: listSchema,
    ticket: ticketSchema.optional(),
    registration: registrationIdSchema.optional(),
    desk: deskSchema,
    nonce: nonceSchema.optional(),
  })
  .refine((v) => Boolean(v.ticket) || Boolean(v.registration), {
    message: "QRコードを読み取るか、受付番号を入力してください",
    path: ["ticket"],
  });

/** The scans a desk queued while offline, sent in one batch. */
export const syncInputSchema = z.object({
  desk: deskSchema,
  scans: z
    .array(
      z
        .object({
          nonce: nonceSchema,
          list: listSchema,
          ticket: ticketSchema.optional(),
          registration: registrationIdSchema.optional(),
          // The roster's hash of the ticket scanned offline (RosterEntry.h):
          // a ticket replaced since (a registration made again) is refused.
          ticketHash: z
            .string()
            .regex(/^[0-9a-f]{64}$/, "参加券の確認情報の形式が正しくありません")
            .optional(),
          clientTime: z.iso.datetime({
            offset: true,
            message: "読み取り時刻の形式が正しくありません",
          }),
        })
        .refine((v) => Boolean(v.ticket) || Boolean(v.registration), {
          message: "QRコードまたは参加者の指定がありません",
          path: ["ticket"],
        }),
    )
    .max(1000, "一度に送信できるのは1000件までです"),
});

/**
 * Notes that this signed-in session took the event's roster (the first time
 * is kept: the earliest its offline scans can be dated) under a desk name
 * (the latest is kept: the name its offline scans are recorded with).
 */
export async function recordRosterDownload(
  db: Database,
  args: { sessionKey: string | undefined; eventId: number; desk: string },
): Promise<void> {
  if (!args.sessionKey) return;
  await db
    .insertInto("checkin_desk_sessions")
    .values({ session_id_hash: args.sessionKey, event_id: args.eventId, desk: args.desk })
    .onConflict((oc) =>
      oc.columns(["session_id_hash", "event_id"]).doUpdateSet({ desk: args.desk }),
    )
    .execute();
}

/** A desk name from the roster's query string: what the desk form allows, else "". */
export function deskName(value: string | null): string {
  const parsed = deskSchema.safeParse(value ?? "");
  return parsed.success ? parsed.data : "";
}

export type CheckInArgs = {
  eventId: number;
  unionId: number | null;
  listId: number;
  /** the QR's secret, or a typed ticket code */
  ticket?: string;
  /** from a manual search */
  registrationId?: string;
  /**
   * With registrationId, from an offline scan of a ticket: the sha256 of the
   * ticket the desk's roster knew. When the registration's ticket is another
   * one now (cancelled and registered again since), the scan is unknown_ticket.
   */
  ticketHash?: string;
  staffId: string;
  desk: string;
  nonce?: string;
  /** when a queued offline scan was made, by the desk's clock */
  clientTime?: Date;
  /** the earliest a queued scan may be dated: the session's first roster download */
  notBefore?: Date;
};

/**
 * Checks a ticket in on one list. Answers with a result (green, amber or red)
 * for every outcome at the door; throws only for a list that is not the
 * event's (`not_found`) or a lock that cannot be had (`busy`).
 */
export async function checkIn(db: Database, args: CheckInArgs): Promise<CheckinResult> {
  return inTransaction(db, (trx) => checkInWith(trx, args));
}

/**
 * A desk's scan as the desk sends it (the scan route): the desk's access
 * (eventAccessQuestion) is asked by the scan's first statement, with the list
 * and the nonce's claim, and answered by answerEventAccess before anything
 * else is read or written; a refusal (a 401, 403 or 404 as requireEventAccess
 * gives) rolls the claim back. A scan is then BEGIN with that statement, the
 * scan's statement and COMMIT: three round trips, not four
 * (docs/decisions/023-speed.md, point 11).
 */
export async function deskCheckIn(
  db: Database,
  request: Request,
  question: { token: string; idHash: string; slug: string },
  input: Pick<CheckInArgs, "listId" | "ticket" | "registrationId" | "desk"> & { nonce: string },
): Promise<CheckinResult> {
  let seen: Date | undefined;
  try {
    return await inTransaction(db, async (trx) => {
      const [answer] = await claimScanAskingQuery(trx, {
        idHash: question.idHash,
        slug: question.slug,
        listId: input.listId,
        nonce: input.nonce,
        desk: input.desk,
      });
      const { list_id, list_name, list_session_id, claimed, ...row } = answer ?? {};
      seen = answer?.last_seen_at;
      const access = answerEventAccess(request, {
        token: question.token,
        row: answer ? (row as EventAccessRow) : undefined,
        slug: question.slug,
        permission: "checkin",
      });
      const args = {
        ...input,
        eventId: access.eventId,
        unionId: access.unionId,
        staffId: access.user.id,
      };
      const list =
        list_id === null || list_id === undefined
          ? undefined
          : {
              id: list_id,
              name: list_name ?? "",
              session_id: list_session_id ?? null,
              claimed: Boolean(claimed),
            };
      return scanClaimed(trx, args, list, null);
    });
  } finally {
    // the sliding session renewed after COMMIT (it locks the session's row)
    if (seen) await touchSession(db, question.token, seen);
  }
}

// The statements of every scan, compiled once (db/compiled.ts).
const scanListQuery = compiledQuery((db, a: { listId: number; eventId: number }) =>
  db
    .selectFrom("checkin_lists as l")
    .innerJoin("events as e", "e.id", "l.event_id")
    .select(["l.id", "l.name", "l.session_id", sql<boolean>`true`.as("claimed")])
    .where("l.id", "=", a.listId)
    .where("l.event_id", "=", a.eventId)
    .forKeyShare("e"),
);

/** What a nonce's claim writes of its scan's row; the rest is its answer (scanStatement). */
const CLAIM_COLUMNS = [
  "client_nonce",
  "event_id",
  "checkin_list_id",
  "result",
  "desk",
  "staff_person_id",
  "client_time",
] as const;

/**
 * scanListQuery and the scan's nonce claimed, in one statement (the claim
 * reads the locked list, so it comes after the event's lock): a second
 * request with the nonce waits on the claim until the first one ends, then
 * claims nothing and gets the first one's answer.
 */
const claimScanQuery = compiledQuery(
  (
    db,
    a: {
      listId: number;
      eventId: number;
      nonce: string;
      desk: string;
      staffId: string;
      clientTime: Date | null;
    },
  ) =>
    db
      .with(
        (cte) => cte("l").materialized(),
        (qc) =>
          qc
            .selectFrom("checkin_lists as l")
            .innerJoin("events as e", "e.id", "l.event_id")
            .select(["l.id", "l.name", "l.session_id"])
            .where("l.id", "=", a.listId)
            .where("l.event_id", "=", a.eventId)
            .forKeyShare("e"),
      )
      .with("claim", (qc) =>
        qc
          .insertInto("checkin_scans")
          .columns(CLAIM_COLUMNS)
          .expression(
            qc
              .selectFrom("l")
              .select([
                sql<string>`${a.nonce}::text`.as("client_nonce"),
                sql<number>`${a.eventId}::int`.as("event_id"),
                "l.id",
                sql<CheckinResultCode>`'unknown_ticket'`.as("result"),
                sql<string>`${a.desk}::text`.as("desk"),
                sql<string>`${a.staffId}::bigint`.as("staff_person_id"),
                sql<Date | null>`${a.clientTime}::timestamptz`.as("client_time"),
              ]),
          )
          .onConflict((oc) => oc.column("client_nonce").doNothing())
          .returning("client_nonce"),
      )
      .selectFrom("l")
      .select([
        "l.id",
        "l.name",
        "l.session_id",
        sql<boolean>`exists (select 1 from claim)`.as("claimed"),
      ]),
);

/**
 * claimScanQuery asked with the desk's access question (`a`: eventAccessSelect
 * by slug): the list of the event `a` found, and the nonce claimed in the
 * name of `a`'s user. No session in force: no row; no such event or list:
 * `list_id` null and nothing claimed.
 */
const claimScanAskingQuery = compiledQuery(
  (db, a: { idHash: string; slug: string; listId: number; nonce: string; desk: string }) =>
    db
      .with(
        (cte) => cte("a").materialized(),
        () => eventAccessSelect(db, "+slug", { idHash: a.idHash, slug: a.slug }),
      )
      .with(
        (cte) => cte("l").materialized(),
        (qc) =>
          qc
            .selectFrom("checkin_lists as l")
            .innerJoin("events as e", "e.id", "l.event_id")
            .select(["l.id", "l.name", "l.session_id"])
            .where("l.id", "=", a.listId)
            .where(sql<boolean>`l.event_id = (select a.event_id from a)`)
            .forKeyShare("e"),
      )
      .with("claim", (qc) =>
        qc
          .insertInto("checkin_scans")
          .columns(CLAIM_COLUMNS)
          .expression(
            qc
              .selectFrom(["l", "a"])
              .select([
                sql<string>`${a.nonce}::text`.as("client_nonce"),
                sql<number>`a.event_id`.as("event_id"),
                "l.id",
                sql<CheckinResultCode>`'unknown_ticket'`.as("result"),
                sql<string>`${a.desk}::text`.as("desk"),
                sql<string>`a.id`.as("staff_person_id"),
                sql<Date | null>`null::timestamptz`.as("client_time"),
              ]),
          )
          .onConflict((oc) => oc.column("client_nonce").doNothing())
          .returning("client_nonce"),
      )
      .selectFrom("a")
      .leftJoin("l", (join) => join.onTrue())
      .selectAll("a")
      .select([
        "l.id as list_id",
        "l.name as list_name",
        "l.session_id as list_session_id",
        sql<boolean>`exists (select 1 from claim)`.as("claimed"),
      ]),
);

/**
 * A scan in two statements (the transaction's BEGIN goes with the first, its
 * COMMIT after the second): the list and the nonce's claim; then the
 * registration's lock, its check-in, what the scan leaves behind (webhooks,
 * audit entry, the nonce's answer) and the desk's card (scanStatement).
 */
async function checkInWith(trx: Trx, args: CheckInArgs): Promise<CheckinResult> {
  // A desk's clock may be wrong, or lie: an offline scan is dated within
  // [the session's first roster download, now]; without a roster, now.
  const now = new Date();
  const clientTime =
    args.clientTime && !Number.isNaN(args.clientTime.getTime())
      ? new Date(
          Math.min(
            now.getTime(),
            Math.max(args.clientTime.getTime(), (args.notBefore ?? now).getTime()),
          ),
        )
      : null;

  // The list, and the event row locked before the registration row: the
  // order in which a cancellation locks them, so the two never deadlock.
  const [list] = args.nonce
    ? await claimScanQuery(trx, {
        listId: args.listId,
        eventId: args.eventId,
        nonce: args.nonce,
        desk: args.desk,
        staffId: args.staffId,
        clientTime,
      })
    : await scanListQuery(trx, { listId: args.listId, eventId: args.eventId });
  return scanClaimed(trx, args, list, clientTime);
}

/**
 * A scan once its list is read and its nonce claimed (the first statement,
 * with or without the desk's access question): the registration's lock, its
 * check-in and the desk's card; a nonce claimed before gets its first answer.
 */
async function scanClaimed(
  trx: Trx,
  args: CheckInArgs,
  list: { id: number; name: string; session_id: number | null; claimed: boolean } | undefined,
  clientTime: Date | null,
): Promise<CheckinResult> {
  if (!list) throw new DomainError("not_found", { message: "この受付リストは見つかりません。" });
  if (args.nonce && !list.claimed) return replay(trx, { ...args, nonce: args.nonce });

  const row = await scanRegistration(trx, args, {
    eventId: args.eventId,
    listId: list.id,
    sessionId: list.session_id,
    clientTime,
    desk: args.desk,
    staffId: args.staffId,
    nonce: args.nonce ?? null,
    ...scanRecords({ eventId: args.eventId, list, desk: args.desk, offline: clientTime !== null }),
  });
  const code: CheckinResultCode = row?.result ?? "unknown_ticket";
  const stamped = code === "ok" || code === "already_checked_in";
  if (row && stamped && row.checkin_id === null) {
    // checked in by another desk while this scan waited for the row: that
    // check-in came after the statement's snapshot, so it is read afresh,
    // and the nonce's answer is given it
    const checkinId = await checkinOf(trx, list.id, row.id);
    if (args.nonce) {
      await trx
        .updateTable("checkin_scans")
        .set({ checkin_id: checkinId })
        .where("client_nonce", "=", args.nonce)
        .execute();
    }
    return describe(trx, { code, list, registrationId: row.id, checkinId, unionId: args.unionId });
  }
  return buildCheckinResult(
    {
      code,
      listId: list.id,
      listName: list.name,
      attendee: row ? attendeeOf(row, row.ticket_code) : null,
      checkin: row && stamped ? stampOf(row) : null,
    },
    CHECKIN_MESSAGES,
  );
}

/** The check-in a registration has on a list, committed by now. */
async function checkinOf(trx: Trx, listId: number, registrationId: string) {
  const existing = await trx
    .selectFrom("checkins")
    .select("id")
    .where("checkin_list_id", "=", listId)
    .where("registration_id", "=", registrationId)
    .executeTakeFirstOrThrow();
  return existing.id;
}

/**
 * The first answer to a nonce, as things stand now: a check-in it made that a
 * scan made earlier elsewhere has since taken over reads as "already checked
 * in" by that desk. Nothing is written.
 */
async function replay(trx: Trx, args: CheckInArgs & { nonce: string }): Promise<CheckinResult> {
  const scan = await trx
    .selectFrom("checkin_scans as s")
    .innerJoin("checkin_lists as l", "l.id", "s.checkin_list_id")
    .select([
      "s.event_id",
      "s.result",
      "s.registration_id",
      "s.checkin_id",
      "l.id as list_id",
      "l.name",
    ])
    .where("s.client_nonce", "=", args.nonce)
    .executeTakeFirstOrThrow();
  const list = { id: scan.list_id, name: scan.name };
  if (scan.event_id !== args.eventId || scan.registration_id === null) {
    return describe(trx, {
      code: "unknown_ticket",
      list,
      registrationId: null,
      checkinId: null,
      unionId: args.unionId,
      replayed: true,
    });
  }
  let code = scan.result;
  let checkinId = scan.checkin_id;
  if (code === "ok" || code === "already_checked_in") {
    const current = await trx
      .selectFrom("checkins")
      .select(["id", "client_nonce"])
      .where("checkin_list_id", "=", scan.list_id)
      .where("registration_id", "=", scan.registration_id)
      .executeTakeFirst();
    if (current) {
      if (code === "ok" && current.client_nonce !== args.nonce) code = "already_checked_in";
      checkinId = current.id;
    }
  }
  return describe(trx, {
    code,
    list,
    registrationId: scan.registration_id,
    checkinId,
    unionId: args.unionId,
    replayed: true,
  });
}

/** The screen for an outcome: the person (never for an unknown ticket) and the stamp. */
async function describe(
  trx: Trx | Database,
  args: {
    code: CheckinResultCode;
    list: { id: number; name: string };
    registrationId: string | null;
    checkinId: string | null;
    unionId: number | null;
    replayed?: boolean;
  },
): Promise<CheckinResult> {
  let attendee: CheckinAttendee | null = null;
  let checkin: CheckinStamp | null = null;
  let code = args.code;
  if (code !== "unknown_ticket" && args.registrationId !== null) {
    const card = await attendeeCard(trx, args.registrationId, args.unionId, args.checkinId);
    attendee = card?.attendee ?? null;
    checkin = card?.checkin ?? null;
    if (!attendee) code = "unknown_ticket";
  }
  return buildCheckinResult(
    {
      code,
      listId: args.list.id,
      listName: args.list.name,
      attendee,
      checkin,
      replayed: args.replayed,
    },
    CHECKIN_MESSAGES,
  );
}

/** The person on a ticket (within the secretary's union) and the check-in's stamp, in one query. */
async function attendeeCard(
  db: Trx | Database,
  registrationId: string,
  unionId: number | null,
  checkinId: string | null,
): Promise<{ attendee: CheckinAttendee; checkin: CheckinStamp | null } | undefined> {
  const [row] =
    unionId === null
      ? await attendeeCardQuery(db, { registrationId, checkinId: checkinId ?? "0" })
      : await unionAttendeeCardQuery(db, {
          registrationId,
          checkinId: checkinId ?? "0",
          unionId,
        });
  if (!row) return undefined;
  return {
    attendee: attendeeOf(row, row.ticket_code),
    checkin: stampOf(row),
  };
}

/** The check-in stamp a card's row read (CARD_COLUMNS' STAFF_NAME with the check-in), if any. */
function stampOf(row: {
  checkin_id: string | null;
  checked_in_at: Date | null;
  desk: string | null;
  staff_name: string;
}): CheckinStamp | null {
  if (row.checkin_id === null || row.checked_in_at === null) return null;
  return {
    id: row.checkin_id,
    at: row.checked_in_at.toISOString(),
    desk: row.desk ?? "",
    staffName: row.staff_name,
  };
}

function attendeeCardBase(db: Kysely<DB>, a: { registrationId: string; checkinId: string }) {
  return db
    .selectFrom("registrations as r")
    .innerJoin("people as p", "p.id", "r.person_id")
    .leftJoin("organisations as o", "o.id", "p.organisation_id")
    .leftJoin("courses as c", "c.id", "r.course_id")
    .leftJoin("checkins as k", (join) =>
      join.onRef("k.registration_id", "=", "r.id").on("k.id", "=", a.checkinId),
    )
    .leftJoin("people as s", "s.id", "k.staff_person_id")
    .select([
      "r.id",
      ...CARD_COLUMNS,
      "k.id as checkin_id",
      "k.checked_in_at",
      "k.desk",
      STAFF_NAME,
    ])
    .where("r.id", "=", a.registrationId);
}

const attendeeCardQuery = compiledQuery(attendeeCardBase);
const unionAttendeeCardQuery = compiledQuery(
  (db, a: { registrationId: string; checkinId: string; unionId: number }) =>
    attendeeCardBase(db, a).where("p.organisation_id", "=", a.unionId),
);

/** The person a desk shows, from a registration row joined to its person, union and course. */
function attendeeOf(
  row: {
    id: string;
    family_name: string;
    given_name: string;
    family_name_kana: string;
    given_name_kana: string;
    union_name: string | null;
    course: string;
    dietary_needs: string;
    accessibility_needs: string;
  },
  ticketCode: string,
): CheckinAttendee {
  return {
    registrationId: row.id,
    name: `${row.family_name} ${row.given_name}`.trim(),
    kana: `${row.family_name_kana} ${row.given_name_kana}`.trim(),
    union: row.union_name ?? "",
    course: row.course,
    ticketCode,
    dietary: row.dietary_needs,
    accessibility: row.accessibility_needs,
  };
}

export type SyncResult = {
  nonce: string;
  result?: CheckinResult;
  error?: string;
  message?: string;
};

/**
 * A desk's offline queue: each scan checked in on its own (one bad scan does not
 * hold up the others), oldest first, by its nonce and its desk-clock time.
 * Sending the same batch again changes nothing.
 */
export async function syncCheckins(
  db: Database,
  args: {
    eventId: number;
    unionId: number | null;
    staffId: string;
    /** the signed-in session: its desk name and roster download time (recordRosterDownload) */
    sessionKey: string | undefined;
    scans: {
      nonce: string;
      list: number;
      ticket?: string;
      registration?: string;
      ticketHash?: string;
      clientTime: string;
    }[];
  },
): Promise<SyncResult[]> {
  const ordered = [...args.scans].sort(
    (a, b) => Date.parse(a.clientTime) - Date.parse(b.clientTime),
  );
  const desk = args.sessionKey
    ? await db
        .selectFrom("checkin_desk_sessions")
        .select(["desk", "roster_downloaded_at"])
        .where("session_id_hash", "=", args.sessionKey)
        .where("event_id", "=", args.eventId)
        .executeTakeFirst()
    : undefined;
  const results: SyncResult[] = [];
  for (const scan of ordered) {
    try {
      const result = await checkIn(db, {
        eventId: args.eventId,
        unionId: args.unionId,
        listId: scan.list,
        ticket: scan.ticket,
        registrationId: scan.registration,
        ticketHash: scan.ticketHash,
        staffId: args.staffId,
        desk: desk?.desk ?? "",
        nonce: scan.nonce,
        clientTime: new Date(scan.clientTime),
        notBefore: desk?.roster_downloaded_at,
      });
      results.push({ nonce: scan.nonce, result });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ nonce: scan.nonce, error: error.code, message: error.message });
    }
  }
  return results;
}

/**
 * Takes a check-in back (a wrong list, a wrong person). Organisers and admins
 * only, never reception; audited with what was removed.
 */
export async function undoCheckin(
  db: Database,
  args: { access: EventAccess; checkinId: string },
): Promise<{ registrationId: string; listId: number }> {
  if (!args.access.canManage) throw new DomainError("undo_not_allowed");
  if (!/^\d{1,18}$/.test(args.checkinId)) throw new DomainError("not_found");
  const eventId = args.access.eventId;
  return inTransaction(db, async (trx) => {
    const found = await trx
      .selectFrom("checkins as c")
      .innerJoin("checkin_lists as l", "l.id", "c.checkin_list_id")
      .select(["c.registration_id"])
      .where("c.id", "=", args.checkinId)
      .where("l.event_id", "=", eventId)
      .executeTakeFirst();
    if (!found) throw new DomainError("not_found", { message: "この受付記録は見つかりません。" });
    await trx.selectFrom("events").select("id").where("id", "=", eventId).forKeyShare().execute();
    await trx
      .selectFrom("registrations")
      .select("id")
      .where("id", "=", found.registration_id)
      .forUpdate()
      .execute();
    const removed = await trx
      .deleteFrom("checkins")
      .where("id", "=", args.checkinId)
      .returning([
        "id",
        "checkin_list_id",
        "registration_id",
        "checked_in_at",
        "desk",
        "staff_person_id",
      ])
      .executeTakeFirst();
    if (!removed) throw new DomainError("not_found", { message: "この受付記録は見つかりません。" });
    await audit(trx, {
      actorId: args.access.user.id,
      eventId,
      entity: "checkin",
      entityId: removed.id,
      action: "checkin_undo",
      detail: {
        list_id: removed.checkin_list_id,
        registration_id: removed.registration_id,
        checked_in_at: removed.checked_in_at.toISOString(),
        desk: removed.desk,
        staff_person_id: removed.staff_person_id,
      },
    });
    return { registrationId: removed.registration_id, listId: removed.checkin_list_id };
  });
}

// ---------------------------------------------------------------------------
// The roster, for offline scanning
// ---------------------------------------------------------------------------

/**
 * Everything a desk needs to decide a scan with no network: every registration
 * of the event (a secretary's union only) with hashed tickets, names, kana,
 * union, course, sessions and current check-ins. Never the needs: they are
 * 要配慮個人情報, and reception sees them only for the person being checked
 * in, from the server's answer to that scan (docs/decisions/019-personal-data.md).
 */
export async function getCheckinRoster(
  db: Database,
  args: { eventId: number; unionId: number | null },
): Promise<Roster> {
  let query = db
    .selectFrom("registrations as r")
    .innerJoin("people as p", "p.id", "r.person_id")
    .leftJoin("organisations as o", "o.id", "p.organisation_id")
    .leftJoin("courses as c", "c.id", "r.course_id")
    .select((eb) => [
      "r.id",
      "r.status",
      "r.ticket_secret",
      "r.ticket_code",
      ...ATTENDEE_NAME_COLUMNS,
      eb
        .selectFrom("registration_sessions as rs")
        .select(
          sql<number[]>`coalesce(array_agg(rs.session_id order by rs.session_id), '{}')`.as("s"),
        )
        .whereRef("rs.registration_id", "=", "r.id")
        .as("sessions"),
      eb
        .selectFrom("checkins as ci")
        .leftJoin("people as st", "st.id", "ci.staff_person_id")
        .select(
          sql<
            { list: number; id: string; at: string; desk: string; staff: string }[] | null
          >`json_agg(json_build_object('list', ci.checkin_list_id, 'id', ci.id::text, 'at', ci.checked_in_at, 'desk', ci.desk, 'staff', coalesce(trim(st.family_name || ' ' || st.given_name), '')))`.as(
            "c",
          ),
        )
        .whereRef("ci.registration_id", "=", "r.id")
        .as("checkins"),
    ])
    .where("r.event_id", "=", args.eventId);
  if (args.unionId !== null) query = query.where("p.organisation_id", "=", args.unionId);
  const rows = await query.orderBy("p.family_name_kana").orderBy("p.given_name_kana").execute();
  const entries = rows.map((row): RosterEntry => {
    const checkins: Record<string, CheckinStamp> = {};
    for (const c of row.checkins ?? []) {
      checkins[String(c.list)] = {
        id: c.id,
        at: new Date(c.at).toISOString(),
        desk: c.desk,
        staffName: c.staff,
      };
    }
    return {
      id: row.id,
      h: ticketHash(row.ticket_secret),
      c: ticketHash(row.ticket_code),
      status: row.status,
      // the code is a credential too: the roster keeps only its hash
      attendee: attendeeOf({ ...row, dietary_needs: "", accessibility_needs: "" }, ""),
      sessions: (row.sessions ?? []).map(Number),
      checkins,
    };
  });
  return { generatedAt: new Date().toISOString(), entries };
}
