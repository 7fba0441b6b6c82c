import { sql, type Transaction } from "kysely";
import type { DB } from "../../db/index";
import type { ErrorCode } from "./errors.server";

/**
 * Capacity: the seats of an event, its sessions and its breakout courses
 * (ARCHITECTURE.md rule 1). Every transaction that takes, frees or checks a
 * seat does it through this module.
 *
 * LOCK ORDER — the one place it is written; every transaction that locks more
 * than one of these rows takes them in this order, so that none deadlocks:
 *   1. the event row (events);
 *   2. its sessions (event_sessions), by id;
 *   3. its courses (courses), by id;
 *   4. a registration row (lockRegistration), then what hangs off it
 *      (registration_sessions, checkins, union_quotas).
 * Registering takes a subset of 1–3 (one statement, takeSeats); cancelling,
 * changing and promoting lock all of 1–3 first (lockEventCapacity), since
 * they free and re-take seats in any order. A check-in holds the event row
 * (key share) before the registration row. Waits are bounded by the
 * connection's lock_timeout and become `busy` (inTransaction).
 * docs/decisions/023-speed.md says why seats are counters.
 */

type Trx = Transaction<DB>;

export type Seats = { eventId: number; sessionIds: number[]; courseId: number | null };

/** Which capacity rows had no limit when the registration form was read. */
export type Unlimited = { event: boolean; sessions: Set<number>; course: boolean };

/**
 * Takes one seat in the event, each session and the course, in one statement:
 * the rows are locked in the lock order (each CTE waits for the one before),
 * checked, and counted up only when every one has room. Returns which was
 * full first (`event_full`, `session_full`, `course_full`), or null.
 *
 * A row that had no limit when the form was read is only share-locked (many
 * registrations hold that at once) and not counted; should an organiser have
 * set a limit since, it is checked and counted like the others (they recount
 * it when they set it: recountTaken). Sessions are locked alike, all shared
 * only when none had a limit, so that they are locked by id. `force` (an organiser's
 * override) counts past every limit and past "waitlist only".
 */
export async function takeSeats(
  trx: Trx,
  seats: Seats,
  options: { force?: boolean; unlimited?: Unlimited } = {},
): Promise<ErrorCode | null> {
  const force = Boolean(options.force);
  const u = options.unlimited;
  const sessionIds = [...new Set(seats.sessionIds)].sort((a, b) => a - b);
  const courseIds = seats.courseId === null ? [] : [seats.courseId];
  // A shared lock where the form saw no limit; the sessions all alike, so
  // that they are locked by id whatever their limits.
  const sharedEvent = !force && (u?.event ?? false);
  const sharedSessions = !force && sessionIds.every((id) => u?.sessions.has(id));
  const sharedCourse = !force && (u?.course ?? false);
  const lock = (shared: boolean) => (shared ? sql`for share` : sql`for update`);
  const room = force ? sql`true` : sql`(capacity is null or taken < capacity)`;
  const { rows } = await sql<{ which_full: ErrorCode | null }>`
    with e as (
      select id, capacity, taken, ${sharedEvent}::boolean as shared
        from events where id = ${seats.eventId} ${lock(sharedEvent)}
    ), s as (
      select id, capacity, taken, ${sharedSessions}::boolean as shared
        from event_sessions where id = any(${sessionIds}::int[]) and exists (select 1 from e)
        order by id ${lock(sharedSessions)}
    ), c as (
      select id, capacity, taken, allocation, ${sharedCourse}::boolean as shared
        from courses where id = any(${courseIds}::int[]) and (select count(*) from s) >= 0
        ${lock(sharedCourse)}
    ), verdict as (
      select case
        when not exists (select 1 from e where ${room}) then 'event_full'
        when (select count(*) from s where ${room}) < ${sessionIds.length}::int then 'session_full'
        when (select count(*) from c where ${room} and (${force}::boolean or allocation = 'first_come'))
          < ${courseIds.length}::int then 'course_full'
      end as which_full
    ), te as (
      update events set taken = taken + 1
        where id in (select id from e where not shared or capacity is not null)
          and (select which_full from verdict) is null
    ), ts as (
      update event_sessions set taken = taken + 1
        where id in (select id from s where not shared or capacity is not null)
          and (select which_full from verdict) is null
    ), tc as (
      update courses set taken = taken + 1
        where id in (select id from c where not shared or capacity is not null)
          and (select which_full from verdict) is null
    )
    select which_full from verdict`.execute(trx);
  return rows[0]?.which_full ?? null;
}

/**
 * Gives back the seats a confirmed registration held, in one statement
 * (under lockEventCapacity). A counter never goes below zero.
 */
export async function releaseSeats(trx: Trx, seats: Seats): Promise<void> {
  await sql`
    with e as (
      update events set taken = greatest(taken - 1, 0) where id = ${seats.eventId}
    ), s as (
      update event_sessions set taken = greatest(taken - 1, 0) where id = any(${seats.sessionIds}::int[])
    )
    update courses set taken = greatest(taken - 1, 0) where id = ${seats.courseId ?? 0}`.execute(
    trx,
  );
}

/**
 * Locks every capacity row of an event (1–3 of the lock order), in one
 * statement, before a transaction that frees and re-takes seats in any order
 * (cancel, change, promote).
 */
export async function lockEventCapacity(trx: Trx, eventId: number): Promise<void> {
  await sql`
    with e as (select id from events where id = ${eventId} for update),
    s as (
      select id from event_sessions where event_id = ${eventId} and exists (select 1 from e)
      order by id for update
    )
    select id from courses where event_id = ${eventId} and (select count(*) from s) >= 0
    order by id for update`.execute(trx);
}

/**
 * Sets `taken` from the confirmed registrations, for a row whose capacity an
 * organiser is changing. Run in the transaction that updates the row, after
 * its lock: registrations that took a shared lock have committed by then.
 */
export async function recountTaken(
  trx: Trx,
  target: { table: "events" | "event_sessions" | "courses"; id: number },
): Promise<number> {
  const count =
    target.table === "events"
      ? sql<number>`(select count(*)::int from registrations r where r.event_id = ${target.id} and r.status = 'confirmed')`
      : target.table === "courses"
        ? sql<number>`(select count(*)::int from registrations r where r.course_id = ${target.id} and r.status = 'confirmed')`
        : sql<number>`(select count(*)::int from registration_sessions rs join registrations r on r.id = rs.registration_id
            where rs.session_id = ${target.id} and r.status = 'confirmed')`;
  const row = await trx
    .updateTable(target.table)
    .set({ taken: count })
    .where("id", "=", target.id)
    .returning("taken")
    .executeTakeFirstOrThrow();
  return row.taken;
}

/** The seats a registration holds (or would hold): the event, its sessions, its course. */
export async function seatsOf(
  trx: Trx,
  registrationId: string,
  eventId: number,
  courseId: number | null,
): Promise<Seats> {
  const sessions = await trx
    .selectFrom("registration_sessions")
    .select("session_id")
    .where("registration_id", "=", registrationId)
    .execute();
  return { eventId, sessionIds: sessions.map((s) => s.session_id), courseId };
}

/**
 * The registration row, locked (4 of the lock order): by id, within an event
 * and/or of a person. Undefined when there is none. (A person's row at an
 * event is locked by registerWith's reads, registrationReadsQuery.)
 */
export async function lockRegistration(
  trx: Trx,
  by: { id: string; eventId?: number; personId?: string },
) {
  if (!/^\d{1,18}$/.test(by.id)) return undefined;
  let query = trx
    .selectFrom("registrations")
    .select(["id", "event_id", "person_id", "status", "course_id", "created_at", "ticket_code"])
    .where("id", "=", by.id);
  if (by.eventId !== undefined) query = query.where("event_id", "=", by.eventId);
  if (by.personId !== undefined) query = query.where("person_id", "=", by.personId);
  return query.forUpdate().executeTakeFirst();
}

/**
 * Gives freed seats to the people waiting, first in line first (under
 * lockEventCapacity). Someone whose choice is still full is skipped, not
 * dropped; a "waitlist only" course is left to the organiser. Calls
 * `promoted` for each, in the same transaction (their history and email).
 */
export async function promoteWaitlisted(
  trx: Trx,
  eventId: number,
  promoted: (registrationId: string) => Promise<void>,
): Promise<string[]> {
  const waiting = await trx
    .selectFrom("registrations")
    .leftJoin("courses", "courses.id", "registrations.course_id")
    .select(["registrations.id", "registrations.course_id", "courses.allocation"])
    .where("registrations.event_id", "=", eventId)
    .where("registrations.status", "=", "waitlisted")
    .orderBy("registrations.waitlisted_at")
    .orderBy("registrations.id")
    .execute();
  const ids: string[] = [];
  for (const candidate of waiting) {
    if (candidate.allocation === "waitlist_only") continue;
    const seats = await seatsOf(trx, candidate.id, eventId, candidate.course_id);
    const full = await takeSeats(trx, seats);
    if (full === "event_full") break;
    if (full) continue;
    await trx
      .updateTable("registrations")
      .set({ status: "confirmed", confirmed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", candidate.id)
      .execute();
    await promoted(candidate.id);
    ids.push(candidate.id);
  }
  return ids;
}
