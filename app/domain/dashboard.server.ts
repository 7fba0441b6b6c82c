import { sql } from "kysely";
import type { Database } from "../../db/index";

/**
 * An event's figures for its organisers: registrations by course, session and
 * union, per day, seats left and how many have checked in. A secretary's
 * figures count their own union only.
 */
export async function getEventDashboard(
  db: Database,
  args: { eventId: number; unionId: number | null },
) {
  const scoped = db
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .where("registrations.event_id", "=", args.eventId)
    .$if(args.unionId !== null, (q) => q.where("people.organisation_id", "=", args.unionId))
    .select([
      "registrations.id",
      "registrations.status",
      "registrations.course_id",
      "registrations.created_at",
      "people.organisation_id",
    ]);
  const byStatus = await db
    .selectFrom(scoped.as("r"))
    .select(["r.status", sql<number>`count(*)::int`.as("n")])
    .groupBy("r.status")
    .execute();
  const byCourse = await db
    .selectFrom("courses")
    .leftJoin(scoped.as("r"), (j) =>
      j.onRef("r.course_id", "=", "courses.id").on("r.status", "=", "confirmed"),
    )
    .select([
      "courses.id",
      "courses.code",
      "courses.title",
      "courses.capacity",
      "courses.taken",
      sql<number>`count(r.id)::int`.as("n"),
    ])
    .where("courses.event_id", "=", args.eventId)
    .groupBy("courses.id")
    .orderBy("courses.position")
    .execute();
  const bySession = await db
    .selectFrom("event_sessions")
    .leftJoin("registration_sessions", "registration_sessions.session_id", "event_sessions.id")
    .leftJoin(scoped.as("r"), (j) =>
      j
        .onRef("r.id", "=", "registration_sessions.registration_id")
        .on("r.status", "=", "confirmed"),
    )
    .select([
      "event_sessions.id",
      "event_sessions.title",
      "event_sessions.capacity",
      "event_sessions.taken",
      sql<number>`count(r.id)::int`.as("n"),
    ])
    .where("event_sessions.event_id", "=", args.eventId)
    .groupBy("event_sessions.id")
    .orderBy("event_sessions.starts_at")
    .execute();
  const byUnion = await db
    .selectFrom(scoped.as("r"))
    .leftJoin("organisations", "organisations.id", "r.organisation_id")
    .leftJoin("union_quotas", (j) =>
      j
        .onRef("union_quotas.organisation_id", "=", "r.organisation_id")
        .on("union_quotas.event_id", "=", args.eventId),
    )
    .select([
      "organisations.name",
      "union_quotas.seats",
      sql<number>`count(*) filter (where r.status = 'confirmed')::int`.as("n"),
    ])
    .groupBy(["organisations.name", "organisations.name_kana", "union_quotas.seats"])
    .orderBy("organisations.name_kana")
    .execute();
  const perDay = await db
    .selectFrom(scoped.as("r"))
    .select([
      sql<string>`to_char(r.created_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD')`.as("day"),
      sql<number>`count(*)::int`.as("n"),
    ])
    .groupBy("day")
    .orderBy("day")
    .execute();
  const checkedIn = await db
    .selectFrom("checkins")
    .innerJoin("checkin_lists", "checkin_lists.id", "checkins.checkin_list_id")
    .innerJoin(scoped.as("r"), "r.id", "checkins.registration_id")
    .select(sql<number>`count(distinct checkins.registration_id)::int`.as("n"))
    .where("checkin_lists.event_id", "=", args.eventId)
    .executeTakeFirstOrThrow();
  const event = await db
    .selectFrom("events")
    .select(["capacity", "taken"])
    .where("id", "=", args.eventId)
    .executeTakeFirstOrThrow();
  const status = Object.fromEntries(byStatus.map((s) => [s.status, s.n])) as Record<string, number>;
  return {
    confirmed: status.confirmed ?? 0,
    waitlisted: status.waitlisted ?? 0,
    cancelled: status.cancelled ?? 0,
    seatsLeft: event.capacity === null ? null : Math.max(0, event.capacity - event.taken),
    capacity: event.capacity,
    checkedIn: checkedIn.n,
    byCourse,
    bySession,
    byUnion,
    perDay,
  };
}
