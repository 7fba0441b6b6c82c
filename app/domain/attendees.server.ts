import { type RawBuilder, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database } from "../../db/index";
import { rowId } from "../utils/forms";
import { HIRAGANA_CHARS, KATAKANA_CHARS, searchKey } from "../utils/japanese";

/** The attendee list's filters, from the query string; anything malformed is ignored. */
export const attendeeFilterSchema = z.object({
  status: z.enum(["confirmed", "waitlisted", "cancelled"]).optional().catch(undefined),
  session: rowId().optional().catch(undefined),
  course: rowId().optional().catch(undefined),
  union: rowId().optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  sort: z.enum(["kana", "registered"]).default("kana").catch("kana"),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type AttendeeFilter = z.infer<typeof attendeeFilterSchema>;

export const PAGE_SIZE = 50;

/**
 * One page of an event's registrations, filtered and sorted in 五十音 order
 * by フリガナ. `unionId` (a 単組 secretary's access) narrows everything to
 * that union, whatever the filter says.
 */
export async function listAttendees(
  db: Database,
  args: { eventId: number; unionId: number | null; filter: AttendeeFilter },
) {
  const f = args.filter;
  const query = scopedRegistrations(db, args);
  const total = await query
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  let rows = query.select([
    "registrations.id",
    "registrations.status",
    "registrations.ticket_code",
    "registrations.created_at",
    "registrations.waitlisted_at",
    "registrations.dietary_needs",
    "registrations.accessibility_needs",
    "people.family_name",
    "people.given_name",
    "people.family_name_kana",
    "people.given_name_kana",
    "people.email",
    "organisations.name as union_name",
    sql<
      string | null
    >`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
      "course_label",
    ),
  ]);
  rows =
    f.sort === "registered"
      ? rows.orderBy("registrations.created_at", "desc")
      : rows
          .orderBy(sql`people.family_name_kana collate "C"`)
          .orderBy(sql`people.given_name_kana collate "C"`);
  const page = await rows
    .orderBy("registrations.id")
    .limit(PAGE_SIZE)
    .offset((f.page - 1) * PAGE_SIZE)
    .execute();
  return {
    rows: page,
    total: Number(total.n),
    pages: Math.max(1, Math.ceil(Number(total.n) / PAGE_SIZE)),
  };
}

/** The filters the attendee list and the exports share. */
export type RegistrationFilter = Pick<
  AttendeeFilter,
  "status" | "session" | "course" | "union" | "q"
>;

/**
 * An event's registrations joined with their person, union and course, and
 * filtered: the one query behind the attendee list and every export.
 * `unionId` (a 単組 secretary's access) narrows everything to that union,
 * whatever the filter says.
 */
export function scopedRegistrations(
  db: Database,
  args: { eventId: number; unionId: number | null; filter: RegistrationFilter },
) {
  const f = args.filter;
  let query = db
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .leftJoin("courses", "courses.id", "registrations.course_id")
    .where("registrations.event_id", "=", args.eventId);
  if (args.unionId !== null) query = query.where("people.organisation_id", "=", args.unionId);
  if (f.status) query = query.where("registrations.status", "=", f.status);
  if (f.course) query = query.where("registrations.course_id", "=", f.course);
  if (f.union) query = query.where("people.organisation_id", "=", f.union);
  if (f.session) {
    const session = f.session;
    query = query.where("registrations.id", "in", (eb) =>
      eb
        .selectFrom("registration_sessions")
        .select("registration_id")
        .where("session_id", "=", session),
    );
  }
  if (f.q) {
    const key = searchKey(f.q);
    const like = `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(searchKeySql(sql`people.family_name || people.given_name`), "ilike", like),
        eb(searchKeySql(sql`people.family_name_kana || people.given_name_kana`), "ilike", like),
        eb(sql`normalize(people.email, NFKC)`, "ilike", like),
        eb(sql`replace(registrations.ticket_code, '-', '')`, "ilike", like.replace(/-/g, "")),
      ]),
    );
  }
  return query;
}

/**
 * The stored side of searchKey (app/utils/japanese.ts) in SQL: full-width to
 * half-width, hiragana to katakana, spaces and middle dots out, so that
 * 「あくつ」 finds アクツ (and a reading stored in hiragana before
 * normalisation existed). Compare it with ilike against searchKey(query).
 */
export function searchKeySql(expr: RawBuilder<unknown>) {
  return sql<string>`translate(regexp_replace(normalize(${expr}, NFKC), '[[:space:]・]', '', 'g'), ${HIRAGANA_CHARS}, ${KATAKANA_CHARS})`;
}

/** The choices for the attendee filters: the event's sessions, courses and the unions. */
export async function attendeeFilterOptions(db: Database, eventId: number) {
  const sessions = await db
    .selectFrom("event_sessions")
    .select(["id", "title"])
    .where("event_id", "=", eventId)
    .orderBy("starts_at")
    .orderBy("position")
    .execute();
  const courses = await db
    .selectFrom("courses")
    .select(["id", "code", "title", "capacity", "taken", "status"])
    .where("event_id", "=", eventId)
    .orderBy("position")
    .execute();
  return { sessions, courses, unions: await unionOptions(db) };
}

/** Every local union, for a union filter, in kana order. */
export function unionOptions(db: Database) {
  return db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("kind", "=", "local_union")
    .orderBy("name_kana")
    .execute();
}

/** One registration of the event, with its person, choices and history; undefined when not visible. */
export async function getAttendee(
  db: Database,
  args: { eventId: number; registrationId: string; unionId: number | null },
) {
  if (!/^\d{1,18}$/.test(args.registrationId)) return undefined;
  let query = db
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select((eb) => [
      "registrations.id",
      "registrations.status",
      "registrations.ticket_code",
      "registrations.course_id",
      "registrations.answers",
      "registrations.dietary_needs",
      "registrations.accessibility_needs",
      "registrations.created_at",
      "registrations.consent_version",
      "registrations.consented_at",
      "registrations.needs_consented_at",
      "registrations.personal_data_removed_at",
      eb
        .selectFrom("people as attester")
        .select(sql<string>`trim(attester.family_name || ' ' || attester.given_name)`.as("n"))
        .whereRef("attester.id", "=", "registrations.consent_attested_by")
        .as("consent_attested_by_name"),
      "people.family_name",
      "people.given_name",
      "people.family_name_kana",
      "people.given_name_kana",
      "people.email",
      "people.phone",
      "people.workplace",
      "organisations.name as union_name",
      jsonArrayFrom(
        eb
          .selectFrom("registration_sessions")
          .select("registration_sessions.session_id")
          .whereRef("registration_sessions.registration_id", "=", "registrations.id"),
      ).as("sessions"),
      jsonArrayFrom(
        eb
          .selectFrom("registration_history")
          .leftJoin("people as actor", "actor.id", "registration_history.actor_person_id")
          .select([
            "registration_history.id",
            "registration_history.at",
            "registration_history.action",
            "registration_history.detail",
            sql<string | null>`nullif(trim(actor.family_name || ' ' || actor.given_name), '')`.as(
              "actor_name",
            ),
          ])
          .whereRef("registration_history.registration_id", "=", "registrations.id")
          .orderBy("registration_history.at"),
      ).as("history"),
      jsonArrayFrom(
        eb
          .selectFrom("checkins")
          .innerJoin("checkin_lists", "checkin_lists.id", "checkins.checkin_list_id")
          .select(["checkins.checked_in_at", "checkins.desk", "checkin_lists.name"])
          .whereRef("checkins.registration_id", "=", "registrations.id"),
      ).as("checkins"),
    ])
    .where("registrations.id", "=", args.registrationId)
    .where("registrations.event_id", "=", args.eventId);
  if (args.unionId !== null) query = query.where("people.organisation_id", "=", args.unionId);
  return query.executeTakeFirst();
}
