import { sql } from "kysely";
import type { z } from "zod";
import type { Database } from "../../db/index";
import { attendeeFilterSchema, scopedRegistrations } from "./attendees.server";

/**
 * The rows of an attendee export, as every file format reads them: the
 * organiser's filter, a secretary's union, and the order (五十音, grouped by
 * union or course for the 受付名簿). exports.server.ts writes CSV and XLSX
 * from them, export-pdf.server.ts the PDFs.
 */

/** The attendee list's filters that exports share: status, session, course, union. */
export const exportFilterSchema = attendeeFilterSchema.pick({
  status: true,
  session: true,
  course: true,
  union: true,
});
export type ExportFilter = z.infer<typeof exportFilterSchema>;

export type RowScope = {
  eventId: number;
  /** a secretary's union: everything is narrowed to it */
  unionId: number | null;
  filter: ExportFilter;
};

/** How many rows an export with this scope holds. */
export async function countExportRows(db: Database, scope: RowScope): Promise<number> {
  const row = await scopedRegistrations(db, scope)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type ExportGroup = "none" | "union" | "course";

function rowQuery(db: Database, scope: RowScope & { group: ExportGroup }) {
  // Each registration's sessions as one text, aggregated once for the event
  // and joined: as a subquery per row, it was half of PostgreSQL's time for
  // a 20,000-row export (~0.02 ms a row: a hash join built for each row).
  const attended = db
    .selectFrom("registration_sessions")
    .innerJoin("event_sessions", "event_sessions.id", "registration_sessions.session_id")
    .where("event_sessions.event_id", "=", scope.eventId)
    .groupBy("registration_sessions.registration_id")
    .select([
      "registration_sessions.registration_id",
      sql<string>`string_agg(event_sessions.title, '、' order by event_sessions.starts_at, event_sessions.position, event_sessions.id)`.as(
        "titles",
      ),
    ])
    .as("attended");
  let query = scopedRegistrations(db, scope)
    .leftJoin(attended, "attended.registration_id", "registrations.id")
    .select((eb) => [
      "registrations.id",
      "registrations.status",
      "registrations.ticket_code",
      "registrations.ticket_secret",
      "registrations.answers",
      "registrations.dietary_needs",
      "registrations.accessibility_needs",
      "registrations.created_at",
      "registrations.course_id",
      "registrations.consent_version",
      "registrations.consented_at",
      "people.family_name",
      "people.given_name",
      "people.family_name_kana",
      "people.given_name_kana",
      "people.email",
      "people.phone",
      "people.workplace",
      "people.organisation_id as union_id",
      "organisations.name as union_name",
      sql<
        string | null
      >`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
        "course_label",
      ),
      "attended.titles as sessions",
      eb
        .selectFrom("checkins")
        .select((c) => c.fn.min("checkins.checked_in_at").as("t"))
        .whereRef("checkins.registration_id", "=", "registrations.id")
        .as("checked_in_at"),
    ]);
  // 五十音 order: the kana are katakana, whose code points already run in 五十音 order.
  if (scope.group === "union") {
    query = query
      .orderBy(sql`organisations.name_kana collate "C" nulls last`)
      .orderBy("people.organisation_id");
  } else if (scope.group === "course") {
    query = query.orderBy(sql`courses.position nulls last`).orderBy("registrations.course_id");
  }
  return query
    .orderBy(sql`people.family_name_kana collate "C"`)
    .orderBy(sql`people.given_name_kana collate "C"`)
    .orderBy("registrations.id");
}

export type ExportRow = Awaited<ReturnType<ReturnType<typeof rowQuery>["execute"]>>[number];

/** The rows one by one through a PostgreSQL cursor; stops (and closes the cursor) on abort. */
export async function* streamRows(
  db: Database,
  scope: RowScope & { group: ExportGroup },
  signal?: AbortSignal,
): AsyncGenerator<ExportRow> {
  for await (const row of rowQuery(db, scope).stream(500)) {
    if (signal?.aborted) return;
    yield row;
  }
}
