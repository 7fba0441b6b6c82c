import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database } from "../../db/index";
import type { EventKind } from "../../db/schema";
import { NO_CONTROL_CHARS, rowId, textField } from "../utils/forms";
import { audit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import { DomainError } from "./errors.server";
import { isConfirmedMember } from "./membership.server";
import {
  organisedBy,
  readStoredFile,
  removeStoredFile,
  storeFile,
  type UploadedFile,
} from "./materials.server";
import { getEventAccess } from "./permissions.server";
import { inTransaction } from "./transactions.server";

/**
 * 自治研レポート: members and unions submit a report (title, authors, union,
 * the 分科会 it is meant for, and the file) for a convention; the event's
 * organiser accepts it, assigns it to a 分科会, orders the presentations and
 * records awards (表彰).
 *
 * The public list shows accepted reports' titles, authors, unions and awards.
 * A report's file is for members (signed in, profile completed) once it is
 * accepted, for everyone if the author agreed (file_public), and always for
 * its submitter and the event's organisers.
 */

const REPORT_EVENT_KINDS: EventKind[] = [
  "prefectural_convention",
  "national_convention",
  "study_session",
  "youth_gathering",
];

/** Events taking reports now: published, not yet started, of a kind that has reports. */
export async function listReportEvents(db: Database, now: Date = new Date()) {
  return db
    .selectFrom("events")
    .select((eb) => [
      "events.id",
      "events.slug",
      "events.title",
      "events.starts_at",
      "events.ends_at",
      jsonArrayFrom(
        eb
          .selectFrom("courses")
          .select(["courses.id", "courses.code", "courses.title"])
          .whereRef("courses.event_id", "=", "events.id")
          .where("courses.status", "=", "active")
          .orderBy("courses.position"),
      ).as("courses"),
    ])
    .where("events.status", "=", "published")
    .where("events.kind", "in", REPORT_EVENT_KINDS)
    .where("events.starts_at", ">", now)
    .orderBy("events.starts_at")
    .execute();
}

const text = (label: string, max: number) => textField(label, max, { required: true });

/** A 分科会 picked from a list, or none (""). */
const optionalCourse = z
  .string()
  .optional()
  .default("")
  .refine((v) => v === "" || /^\d{1,9}$/.test(v), "分科会を選んでください")
  .transform((v) => (v === "" ? null : Number(v)));

export const reportSchema = z.object({
  event: rowId("提出先のイベントを選んでください"),
  title: text("レポートの題名", 200),
  authors: text("執筆者", 300),
  organisation_id: rowId("所属単組を選んでください"),
  course: optionalCourse,
  file_public: z
    .any()
    .optional()
    .transform((v) => v === "on" || v === "1" || v === "true"),
});

export type ReportInput = z.infer<typeof reportSchema>;

/** The union a person may file reports under: their own, or any for admins and organisers. */
export function reportUnionOf(user: Pick<SessionUser, "role" | "organisation_id">): number | null {
  return user.role === "admin" || user.role === "organiser" ? null : (user.organisation_id ?? 0);
}

/**
 * Submits a report under the submitter's own union (see reportUnionOf). The event must be taking reports, the 分科会 must be one
 * of its own, and the file must pass the upload checks (size, type by its
 * bytes); otherwise nothing is written, neither the row nor the file.
 */
export async function submitReport(
  db: Database,
  args: {
    personId: string;
    /** the one union the submitter may file under (their own), or null for HQ staff: any */
    unionId: number | null;
    input: ReportInput;
    file: UploadedFile | null;
    now?: Date;
  },
): Promise<number> {
  const { input } = args;
  const events = await listReportEvents(db, args.now);
  const event = events.find((e) => e.id === input.event);
  if (!event) throw new DomainError("reports_closed", { field: "event" });
  if (input.course !== null && !event.courses.some((c) => c.id === input.course)) {
    throw new DomainError("invalid_input", {
      field: "course",
      message: "分科会は一覧から選んでください。",
    });
  }
  // A member files under their own union only (ARCHITECTURE.md rule 9).
  if (args.unionId !== null && input.organisation_id !== args.unionId) {
    throw new DomainError("forbidden", {
      field: "organisation_id",
      message: "レポートは、ご自身の所属単組の名義でのみ提出できます。",
    });
  }
  const union = await db
    .selectFrom("organisations")
    .select("id")
    .where("id", "=", input.organisation_id)
    .executeTakeFirst();
  if (!union) {
    throw new DomainError("invalid_input", {
      field: "organisation_id",
      message: "所属単組を一覧から選んでください。",
    });
  }
  const stored = await storeFile(args.file);
  try {
    return await inTransaction(db, async (trx) => {
      const row = await trx
        .insertInto("reports")
        .values({
          event_id: event.id,
          requested_course_id: input.course,
          organisation_id: union.id,
          submitted_by: args.personId,
          title: input.title,
          authors: input.authors,
          storage_key: stored.storageKey,
          filename: stored.filename,
          content_type: stored.contentType,
          size_bytes: stored.size,
          file_public: input.file_public,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await audit(trx, {
        actorId: args.personId,
        eventId: event.id,
        entity: "report",
        entityId: row.id,
        action: "submit",
        detail: { title: input.title },
      });
      return row.id;
    });
  } catch (error) {
    await removeStoredFile(stored.storageKey);
    throw error;
  }
}

function reportsQuery(db: Database) {
  return db
    .selectFrom("reports")
    .innerJoin("events", "events.id", "reports.event_id")
    .leftJoin("courses", "courses.id", "reports.course_id")
    .leftJoin("courses as requested", "requested.id", "reports.requested_course_id")
    .leftJoin("organisations", "organisations.id", "reports.organisation_id")
    .select([
      "reports.id",
      "reports.event_id",
      "reports.title",
      "reports.authors",
      "reports.status",
      "reports.award",
      "reports.file_public",
      "reports.presentation_order",
      "reports.course_id",
      "reports.requested_course_id",
      "reports.filename",
      "reports.size_bytes",
      "reports.created_at",
      sql<boolean>`reports.storage_key is not null`.as("has_file"),
      "events.slug as event_slug",
      "events.title as event_title",
      "events.starts_at as event_starts_at",
      sql<
        string | null
      >`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
        "course_label",
      ),
      "courses.position as course_position",
      sql<
        string | null
      >`case when requested.id is null then null else trim(requested.code || ' ' || requested.title) end`.as(
        "requested_course_label",
      ),
      "organisations.name as union_name",
    ]);
}

/** A member's own reports, newest first. */
export function listMyReports(db: Database, personId: string) {
  return reportsQuery(db)
    .where("reports.submitted_by", "=", personId)
    .orderBy("reports.created_at", "desc")
    .execute();
}

/**
 * The public list: accepted reports only, by event (newest first), then by
 * 分科会 and presentation order. Whether the file may be opened is for the
 * download route to decide; `file_public` is shown as a hint.
 */
export function listPublicReports(db: Database, args: { eventSlug?: string } = {}) {
  let query = reportsQuery(db).where("reports.status", "=", "accepted");
  if (args.eventSlug) query = query.where("events.slug", "=", args.eventSlug);
  return query
    .orderBy("events.starts_at", "desc")
    .orderBy(sql`courses.position nulls last`)
    .orderBy(sql`reports.presentation_order nulls last`)
    .orderBy("reports.id")
    .execute();
}

/** Every report of one event, for its organiser, with the event's 分科会. */
export async function getReportsForManager(
  db: Database,
  args: { user: SessionUser; eventId: number },
) {
  const access = await getEventAccess(db, {
    user: args.user,
    eventId: args.eventId,
    permission: "manage",
  });
  if (!access?.canManage) return undefined;
  const event = await db
    .selectFrom("events")
    .select(["id", "slug", "title", "starts_at", "ends_at"])
    .where("id", "=", args.eventId)
    .executeTakeFirstOrThrow();
  const courses = await db
    .selectFrom("courses")
    .select(["id", "code", "title"])
    .where("event_id", "=", event.id)
    .orderBy("position")
    .execute();
  const reports = await reportsQuery(db)
    .where("reports.event_id", "=", event.id)
    .orderBy(sql`courses.position nulls last`)
    .orderBy(sql`reports.presentation_order nulls last`)
    .orderBy("reports.id")
    .execute();
  return { event, courses, reports };
}

/** Events whose reports the user manages, with counts; for /admin/reports. */
export async function listReportEventsForManager(db: Database, user: SessionUser) {
  let query = db
    .selectFrom("events")
    .select((eb) => [
      "events.id",
      "events.title",
      "events.starts_at",
      "events.status",
      eb
        .selectFrom("reports")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("reports.event_id", "=", "events.id")
        .as("reports"),
      eb
        .selectFrom("reports")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("reports.event_id", "=", "events.id")
        .where("reports.status", "=", "submitted")
        .as("waiting"),
    ])
    .where("events.kind", "in", REPORT_EVENT_KINDS)
    .orderBy("events.starts_at", "desc");
  if (user.role !== "admin") {
    query = query.where(organisedBy(user.id));
  }
  return query.execute();
}

export const reportReviewSchema = z.object({
  report: rowId(),
  status: z.enum(["submitted", "accepted", "rejected"], { message: "採否を選んでください" }),
  course: optionalCourse,
  award: z
    .string()
    .trim()
    .max(100, "表彰は100文字以内で入力してください")
    .regex(NO_CONTROL_CHARS, "表彰に使えない文字が含まれています")
    .optional()
    .default(""),
});

/**
 * The organiser's decision on one report: accepted or not, the 分科会 it is
 * presented in, and its award. A report moved to another 分科会 goes to the
 * end of that 分科会's programme.
 */
export async function reviewReport(
  db: Database,
  args: { actor: SessionUser; eventId: number; input: z.infer<typeof reportReviewSchema> },
): Promise<void> {
  const page = await getReportsForManager(db, { user: args.actor, eventId: args.eventId });
  if (!page) throw new DomainError("not_found");
  const { input } = args;
  if (input.course !== null && !page.courses.some((c) => c.id === input.course)) {
    throw new DomainError("invalid_input", { message: "分科会は一覧から選んでください。" });
  }
  await inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom("reports")
      .select(["id", "course_id", "presentation_order"])
      .where("id", "=", input.report)
      .where("event_id", "=", args.eventId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new DomainError("not_found");
    let order = current.presentation_order;
    if (input.status !== "accepted" || input.course === null) {
      order = null;
    } else if (current.course_id !== input.course || order === null) {
      const last = await trx
        .selectFrom("reports")
        .select(sql<number>`coalesce(max(presentation_order), 0)::int`.as("n"))
        .where("event_id", "=", args.eventId)
        .where("course_id", "=", input.course)
        .where("id", "!=", current.id)
        .executeTakeFirstOrThrow();
      order = last.n + 1;
    }
    await trx
      .updateTable("reports")
      .set({
        status: input.status,
        course_id: input.course,
        award: input.status === "accepted" ? input.award : "",
        presentation_order: order,
        updated_at: sql`now()`,
      })
      .where("id", "=", current.id)
      .execute();
    if (current.course_id !== null && current.course_id !== input.course) {
      await renumber(trx, args.eventId, current.course_id);
    }
    await audit(trx, {
      actorId: args.actor.id,
      eventId: args.eventId,
      entity: "report",
      entityId: current.id,
      action: "review",
      detail: { status: input.status, course_id: input.course, award: input.award },
    });
  });
}

/** Closes the gaps in one 分科会's presentation order: 1, 2, 3… */
async function renumber(db: Database, eventId: number, courseId: number) {
  const rows = await db
    .selectFrom("reports")
    .select("id")
    .where("event_id", "=", eventId)
    .where("course_id", "=", courseId)
    .where("presentation_order", "is not", null)
    .orderBy("presentation_order")
    .orderBy("id")
    .execute();
  for (const [i, row] of rows.entries()) {
    await db
      .updateTable("reports")
      .set({ presentation_order: i + 1 })
      .where("id", "=", row.id)
      .execute();
  }
}

/** Moves an accepted report one place earlier or later within its 分科会's programme. */
export async function moveReport(
  db: Database,
  args: { actor: SessionUser; eventId: number; reportId: number; direction: "up" | "down" },
): Promise<void> {
  const page = await getReportsForManager(db, { user: args.actor, eventId: args.eventId });
  if (!page) throw new DomainError("not_found");
  await inTransaction(db, async (trx) => {
    const report = await trx
      .selectFrom("reports")
      .select(["id", "course_id"])
      .where("id", "=", args.reportId)
      .where("event_id", "=", args.eventId)
      .where("status", "=", "accepted")
      .executeTakeFirst();
    if (!report || report.course_id === null) throw new DomainError("not_found");
    await renumber(trx, args.eventId, report.course_id);
    const rows = await trx
      .selectFrom("reports")
      .select(["id", "presentation_order"])
      .where("event_id", "=", args.eventId)
      .where("course_id", "=", report.course_id)
      .where("presentation_order", "is not", null)
      .orderBy("presentation_order")
      .forUpdate()
      .execute();
    const index = rows.findIndex((r) => r.id === report.id);
    const other = rows[args.direction === "up" ? index - 1 : index + 1];
    const self = rows[index];
    if (!other || !self) return;
    await trx
      .updateTable("reports")
      .set({ presentation_order: other.presentation_order })
      .where("id", "=", self.id)
      .execute();
    await trx
      .updateTable("reports")
      .set({ presentation_order: self.presentation_order })
      .where("id", "=", other.id)
      .execute();
  });
}

/**
 * A report's file for `user`, or undefined when it is not theirs to open
 * (the route then answers 404, or 403 to someone not signed in).
 */
export async function getReportFile(
  db: Database,
  args: { user?: SessionUser; reportId: number },
): Promise<{ bytes: Buffer; filename: string; contentType: string } | undefined> {
  if (!Number.isSafeInteger(args.reportId) || args.reportId <= 0) return undefined;
  const report = await db
    .selectFrom("reports")
    .select([
      "id",
      "event_id",
      "status",
      "file_public",
      "submitted_by",
      "storage_key",
      "filename",
      "content_type",
    ])
    .where("id", "=", args.reportId)
    .executeTakeFirst();
  if (!report?.storage_key) return undefined;
  const { user } = args;
  let allowed = report.status === "accepted" && report.file_public;
  if (!allowed && user) {
    allowed =
      report.submitted_by === user.id ||
      (report.status === "accepted" && isConfirmedMember(user)) ||
      Boolean(
        (
          await getEventAccess(db, {
            user,
            eventId: report.event_id,
            permission: "manage",
          })
        )?.canManage,
      );
  }
  if (!allowed) return undefined;
  const bytes = await readStoredFile(report.storage_key);
  if (!bytes) return undefined;
  return {
    bytes,
    filename: report.filename || "report",
    contentType: report.content_type || "application/octet-stream",
  };
}
