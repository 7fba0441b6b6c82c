import { type AppLoadContext, redirect } from "@remix-run/node";
import type { Database } from "../../db/index";
import { parseRowId } from "../utils/forms";
import { getUser, type SessionUser } from "./auth.server";
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
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/admin/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (!(STAFF_ROLES as readonly string[]).includes(user.role)) {
    forbidden("このページは県本部・単組のスタッフ専用です。");
  }
  return user;
}

/** A signed-in administrator; other staff get a 403 for the whole area. */
export async function requireAdmin(request: Request, context: AppLoadContext): Promise<SessionUser> {
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
  const { user, permission } = args;
  // Plain decimal digits only: /admin/events/0x0c is no event 12 (app/utils/forms.ts).
  const id = args.eventId === undefined ? undefined : parseRowId(args.eventId);
  if (args.eventId !== undefined && id === undefined) return undefined;
  if (args.slug !== undefined && !isEventSlug(args.slug)) return undefined;
  const staffRole =
    user.role === "organiser" ? "organiser" : user.role === "reception" ? "reception" : null;
  if (user.role === "secretary" && (permission === "manage" || !user.organisation_id)) {
    return undefined;
  }
  if (!staffRole && user.role !== "admin" && user.role !== "secretary") return undefined;
  if (staffRole === "reception" && permission !== "checkin") return undefined;
  if (id === undefined && args.slug === undefined) return undefined;
  const event = await db
    .selectFrom("events")
    .select((eb) => [
      "events.id",
      eb
        .exists(
          eb
            .selectFrom("event_staff")
            .select("event_staff.role")
            .whereRef("event_staff.event_id", "=", "events.id")
            .where("event_staff.person_id", "=", user.id)
            .where("event_staff.role", "=", staffRole ?? "organiser"),
        )
        .as("given"),
    ])
    .$if(id !== undefined, (q) => q.where("events.id", "=", id as number))
    .$if(args.slug !== undefined, (q) => q.where("events.slug", "=", args.slug as string))
    .executeTakeFirst();
  if (!event) return undefined;
  const eventId = event.id;
  if (user.role === "admin") return { user, eventId, unionId: null, canManage: true };
  if (user.role === "secretary") {
    return { user, eventId, unionId: user.organisation_id, canManage: false };
  }
  if (!event.given) return undefined;
  return { user, eventId, unionId: null, canManage: staffRole === "organiser" };
}

/** Like getEventAccess, for a route: a 404 when the event is not the user's to see. */
export async function requireEventAccess(
  request: Request,
  context: AppLoadContext,
  args: { eventId?: string | number; slug?: string; permission: EventPermission },
): Promise<EventAccess> {
  const user = await requireStaff(request, context);
  const access = await getEventAccess(context.db, { user, ...args });
  if (!access) notFound();
  return access;
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
