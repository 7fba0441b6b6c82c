import { type AppLoadContext, redirect } from "@remix-run/node";
import { compiledQuery } from "../../db/compiled";
import type { Database } from "../../db/index";
import { parseRowId } from "../utils/forms";
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from "kysely";
import type { DB } from "../../db/schema";
import {
  getUser,
  type SessionUser,
  hashToken,
  sessionToken,
  sessionUserQuery,
  touchSession,
} from "./auth.server";
import { forbidden, notFound } from "../utils/action.server";

/**
 * The one permission check. Every staff page and API call asks it, for the
 * object at hand; a person without the right gets a 404 for an object (so ids
 * cannot be probed) and a 403 for a whole area.
 *
 * - admin: everything;
 * - organiser: the events they are given (event_staff role 'organiser');
 * - secretary (単組 書記長): their own union's members and registrations, on any event;
 * - reception: check-in only, at the events they are given.
 */
export type EventPermission = "manage" | "attendees" | "checkin";

export type EventAccess = {
  user: SessionUser;
  eventId: number;
  /** set for a 単組 secretary: every list is narrowed to this union */
  unionId: number | null;
  canManage: boolean;
};

const STAFF_ROLES = ["admin", "organiser", "secretary", "reception"] as const;

/** A signed-in staff member, or a redirect to the staff sign-in. */
export async function requireStaff(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const user = await getUser(context.db, request);
  if (!user) throw signInRedirect(request);
  requireStaffRole(user);
  return user;
}

/** A signed-in administrator; other staff get a 403 for the whole area. */
export async function requireAdmin(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const user = await requireStaff(request, context);
  if (user.role !== "admin") {
    forbidden("このページは管理者専用です。");
  }
  return user;
}

/**
 * What `user` may do at one event (by id, or by slug for the desk's URLs), or
 * undefined when nothing, including for an id or slug that cannot be one (a
 * 404 for the caller, never a 500 from the query). One query: the event and
 * the user's part in it.
 */
export async function getEventAccess(
  db: Database,
  args: { user: SessionUser; eventId?: unknown; slug?: string; permission: EventPermission },
): Promise<EventAccess | undefined> {
  const where = eventToAsk(args.user, args);
  if (!where) return undefined;
  const event = await db
    .selectFrom("events")
    .select((eb) => ["events.id", givenTo(eb, args.user.id, staffRoleOf(args.user)).as("given")])
    .where(where)
    .executeTakeFirst();
  return event ? decideAccess(args.user, args.permission, event) : undefined;
}

/**
 * Like getEventAccess, for a route: the signed-in staff member and their part
 * in the event read in one query (a desk asks this hundreds of times a
 * minute); a redirect to the sign-in, a 403 for non-staff and a 404 for an
 * event that is not the user's to see, as requireStaff and getEventAccess.
 */
export async function requireEventAccess(
  request: Request,
  context: AppLoadContext,
  args: { eventId?: string | number; slug?: string; permission: EventPermission },
): Promise<EventAccess> {
  const token = await sessionToken(request);
  const row = token ? (await sessionAccessQuery(context.db, token, args))[0] : undefined;
  if (token && row) await touchSession(context.db, token, row.last_seen_at);
  return answerEventAccess(request, { token, row, ...args });
}

/**
 * requireEventAccess's session-and-event question, asked by a statement that
 * reads it on its way and hands its row to answerEventAccess: a desk's scan
 * asks it in the scan's first statement, saving the round trip
 * (checkin.server.ts). Undefined when it cannot be asked so (no cookie, a
 * slug that cannot be one): the caller asks requireEventAccess, which
 * refuses as always, without a query for a slug that cannot be one.
 */
export async function eventAccessQuestion(
  request: Request,
  slug: string | undefined,
): Promise<{ token: string; idHash: string; slug: string } | undefined> {
  const token = await sessionToken(request);
  if (!token || slug === undefined || !isEventSlug(slug)) return undefined;
  return { token, idHash: hashToken(token), slug };
}

/** What the session-and-event question reads: the session's user, and the event's id and whether it is given them. */
export type EventAccessRow = SessionUser & {
  last_seen_at: Date;
  event_id: number | null;
  given: SqlBool | null;
};

/**
 * The one answer to the session-and-event question's row (none: no session
 * in force): a redirect to the sign-in, a 403 for non-staff, a 404 for an
 * event that is not the user's to see. The caller renews the sliding session
 * (touchSession with the row's last_seen_at), outside any transaction of its
 * own: the renewal locks the session's row.
 */
export function answerEventAccess(
  request: Request,
  args: {
    token: string | undefined;
    row: EventAccessRow | undefined;
    eventId?: string | number;
    slug?: string;
    permission: EventPermission;
  },
): EventAccess {
  const { token, row } = args;
  if (!token || !row) throw signInRedirect(request);
  const { last_seen_at, event_id, given, ...user } = row;
  requireStaffRole(user);
  const asked = eventToAsk(user, args);
  const access =
    asked && event_id !== null
      ? decideAccess(user, args.permission, { id: event_id, given: Boolean(given) })
      : undefined;
  if (!access) notFound();
  return access;
}

/**
 * The session-and-event question as a query: the session's user and, for the
 * event by id, by slug or both (`key`: "id+", "+slug", "id+slug" or "none"),
 * its id and whether the user is given it. Build it by the key, never by the
 * arguments' values (db/compiled.ts).
 */
export function eventAccessSelect(
  db: Kysely<DB>,
  key: string,
  a: { idHash: string; id?: number; slug?: string },
) {
  return sessionUserQuery(db, a).select((eb) => {
    const staffRole = sql<
      "organiser" | "reception"
    >`case people.role when 'reception' then 'reception' else 'organiser' end`;
    const where = (e: ExpressionBuilder<DB, "events">) =>
      key === "none"
        ? sql<boolean>`false`
        : e.and([
            ...(key.startsWith("id") ? [e("events.id", "=", a.id as number)] : []),
            ...(key.endsWith("slug") ? [e("events.slug", "=", a.slug as string)] : []),
          ]);
    const events = eb.selectFrom("events");
    return [
      events.select("events.id").where(where).as("event_id"),
      events
        .select((e) => givenTo(e, eb.ref("people.id"), staffRole).as("given"))
        .where(where)
        .as("given"),
    ];
  });
}

/**
 * requireEventAccess's one query (eventAccessSelect), compiled once per form
 * of the question (db/compiled.ts): a desk asks it on every scan.
 */
function sessionAccessQuery(
  db: Database,
  token: string,
  args: { eventId?: string | number; slug?: string },
) {
  const event = eventMatch(args);
  const key = event ? `${"id" in event ? "id" : ""}+${"slug" in event ? "slug" : ""}` : "none";
  let query = sessionAccessQueries.get(key);
  if (!query) {
    query = compiledQuery((db, a: { idHash: string; id?: number; slug?: string }) =>
      eventAccessSelect(db, key, a),
    );
    sessionAccessQueries.set(key, query);
  }
  return query(db, { idHash: hashToken(token), ...event });
}

const sessionAccessQueries = new Map<
  string,
  (db: Database, args: { idHash: string; id?: number; slug?: string }) => Promise<EventAccessRow[]>
>();

function signInRedirect(request: Request): Response {
  const url = new URL(request.url);
  return redirect(`/admin/login?next=${encodeURIComponent(url.pathname + url.search)}`);
}

function requireStaffRole(user: SessionUser): void {
  if (!(STAFF_ROLES as readonly string[]).includes(user.role)) {
    forbidden("このページは県本部・単組のスタッフ専用です。");
  }
}

function staffRoleOf(user: SessionUser): "organiser" | "reception" {
  return user.role === "reception" ? "reception" : "organiser";
}

/** Whether the person holds `role` at the event of the row (event_staff). */
function givenTo(
  eb: ExpressionBuilder<DB, "events">,
  personId: string | Expression<string>,
  role: "organiser" | "reception" | Expression<"organiser" | "reception">,
) {
  return eb.exists(
    eb
      .selectFrom("event_staff")
      .select("event_staff.role")
      .whereRef("event_staff.event_id", "=", "events.id")
      .where("event_staff.person_id", "=", personId)
      .where("event_staff.role", "=", role),
  );
}

/**
 * The event to read for an access question, or undefined when the answer is
 * no whatever the event (a role that never has this permission, an id or
 * slug that cannot be one: a 404, never a 500 from the query).
 */
function eventToAsk(
  user: SessionUser,
  args: { eventId?: unknown; slug?: string; permission: EventPermission },
) {
  const { permission } = args;
  if (user.role === "secretary" && (permission === "manage" || !user.organisation_id)) {
    return undefined;
  }
  if (!["admin", "secretary", "organiser", "reception"].includes(user.role)) return undefined;
  if (user.role === "reception" && permission !== "checkin") return undefined;
  return eventWhere(args);
}

/** The event asked for, by id, slug or both; undefined for an id or slug that cannot be one. */
function eventMatch(args: {
  eventId?: unknown;
  slug?: string;
}): { id?: number; slug?: string } | undefined {
  // Plain decimal digits only: /admin/events/0x0c is no event 12 (app/utils/forms.ts).
  const id = args.eventId === undefined ? undefined : parseRowId(args.eventId);
  if (args.eventId !== undefined && id === undefined) return undefined;
  if (args.slug !== undefined && !isEventSlug(args.slug)) return undefined;
  if (id !== undefined && args.slug !== undefined) return { id, slug: args.slug };
  if (id !== undefined) return { id };
  if (args.slug !== undefined) return { slug: args.slug };
  return undefined;
}

/** The event by id or slug; undefined for an id or slug that cannot be one. */
function eventWhere(args: { eventId?: unknown; slug?: string }) {
  const match = eventMatch(args);
  if (!match) return undefined;
  const id = match.id;
  return (eb: ExpressionBuilder<DB, "events">) =>
    eb.and([
      ...(id !== undefined ? [eb("events.id", "=", id)] : []),
      ...(args.slug !== undefined ? [eb("events.slug", "=", args.slug)] : []),
    ]);
}

function decideAccess(
  user: SessionUser,
  permission: EventPermission,
  event: { id: number; given: SqlBool | null },
): EventAccess | undefined {
  const eventId = event.id;
  if (user.role === "admin") return { user, eventId, unionId: null, canManage: true };
  if (user.role === "secretary") {
    if (permission === "manage" || !user.organisation_id) return undefined;
    return { user, eventId, unionId: user.organisation_id, canManage: false };
  }
  if (user.role === "reception" && permission !== "checkin") return undefined;
  if (!event.given) return undefined;
  return { user, eventId, unionId: null, canManage: user.role === "organiser" };
}

/** An id PostgreSQL's integer columns can hold (see parseRowId in app/utils/forms.ts). */
export function isRowId(id: number): boolean {
  return parseRowId(id) !== undefined;
}

/** What an event's slug can look like (letters, digits, - and _), so others need no query. */
export function isEventSlug(slug: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(slug);
}

/** The ids of the events a staff member may open, for lists. null means all. */
export async function visibleEventIds(db: Database, user: SessionUser): Promise<number[] | null> {
  if (user.role === "admin" || user.role === "secretary") return null;
  const rows = await db
    .selectFrom("event_staff")
    .select("event_id")
    .where("person_id", "=", user.id)
    .execute();
  return rows.map((r) => r.event_id);
}
