import { PassThrough } from "node:stream";
import type { AppLoadContext } from "@remix-run/node";
import ExcelJS from "exceljs";
import { type ExpressionBuilder, sql, type Transaction } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { GroupMeetingEmail, GroupMeetingEmailKind } from "../../emails/types";
import { groupTitle, meetingNumberLabel, type RsvpAnswer } from "../components/group-meetings";
import { formatDate } from "../utils/format";
import { textField, rowId, parseRowId } from "../utils/forms";
import { audit } from "./audit.server";
import { hashToken, newToken, type SessionUser } from "./auth.server";
import { DomainError } from "./errors.server";
import { csvRecord } from "./exports.server";
import { enqueueEmail } from "./mailer.server";
import { requireStaff } from "./permissions.server";
import { downloadErrorResponse, withLongRead } from "./long-reads.server";
import { auditPersonalDataRead } from "./privacy.server";
import { inTransaction } from "./transactions.server";

/**
 * 専門部会 (working groups): rosters, meetings (one meeting may be shared by
 * several groups), RSVP by members and from email links, attendance, and the
 * 専門部会員募集 every other year.
 *
 * Who may do what: anyone sees the groups, their themes and their meeting
 * dates; only a roster member (or a manager) sees the roster, the ZOOM link
 * and their own answers; only an admin, or an organiser of the group's
 * organisation, manages a group.
 */

type Trx = Transaction<DB>;

const RSVP_LINK_DAYS_AFTER_START = 30;
const REMINDER_GAP_MINUTES = 10;

const personName = sql<string>`trim(people.family_name || ' ' || people.given_name)`;

// ---------------------------------------------------------------------------
// Permission
// ---------------------------------------------------------------------------

/** An admin, or an organiser; others get a 403 (the staff frame already asked for staff). */
export async function requireGroupManager(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const user = await requireStaff(request, context);
  if (user.role !== "admin" && user.role !== "organiser") {
    throw new Response("専門部会の管理は、県本部の管理者・主催担当のみが行えます。", {
      status: 403,
    });
  }
  return user;
}

/** True when `user` manages groups of this organisation: an admin, or its organiser. */
function managesOrganisation(user: SessionUser, organisationId: number): boolean {
  if (user.role === "admin") return true;
  return user.role === "organiser" && user.organisation_id === organisationId;
}

/** The group when `user` may manage it, else undefined (a route answers 404). */
export async function getManagedGroup(db: Database, args: { user: SessionUser; groupId: number }) {
  if (!Number.isSafeInteger(args.groupId) || args.groupId <= 0) return undefined;
  const group = await db
    .selectFrom("working_groups")
    .selectAll()
    .where("id", "=", args.groupId)
    .executeTakeFirst();
  if (!group || !managesOrganisation(args.user, group.organisation_id)) return undefined;
  return group;
}

/** The group of a manager's page (by the route's id), or a 404. */
export async function requireManagedGroup(
  request: Request,
  context: AppLoadContext,
  groupId: string | undefined,
) {
  const user = await requireGroupManager(request, context);
  const group = await getManagedGroup(context.db, { user, groupId: parseRowId(groupId) ?? 0 });
  if (!group) throw new Response("Not Found", { status: 404 });
  // who opened it, for the audit of downloads (attendanceFileResponse)
  return { ...group, managerId: user.id };
}

async function requireManagedGroups(trx: Database, user: SessionUser, groupIds: number[]) {
  const groups = await trx
    .selectFrom("working_groups")
    .select(["id", "organisation_id", "name", "theme"])
    .where("id", "in", groupIds.length > 0 ? groupIds : [0])
    .execute();
  if (groups.length !== new Set(groupIds).size) throw new DomainError("not_found");
  for (const g of groups) {
    if (!managesOrganisation(user, g.organisation_id)) throw new DomainError("not_found");
  }
  return groups;
}

// ---------------------------------------------------------------------------
// Reading: the list and a group's page
// ---------------------------------------------------------------------------

/** Every group, newest term first, with counts, the next meeting and whether the viewer is on it. */
export async function listGroups(db: Database, args: { viewerId?: string; now?: Date } = {}) {
  const now = args.now ?? new Date();
  const rows = await db
    .selectFrom("working_groups")
    .select((eb) => [
      "working_groups.id",
      "working_groups.number",
      "working_groups.name",
      "working_groups.theme",
      "working_groups.topics",
      "working_groups.term",
      eb
        .selectFrom("working_group_members")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("working_group_members.group_id", "=", "working_groups.id")
        .as("member_count"),
      eb
        .selectFrom("group_meeting_groups")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("group_meeting_groups.group_id", "=", "working_groups.id")
        .as("meeting_count"),
      eb
        .selectFrom("group_meeting_groups")
        .innerJoin("group_meetings", "group_meetings.id", "group_meeting_groups.meeting_id")
        .select(sql<Date | null>`min(group_meetings.starts_at)`.as("d"))
        .whereRef("group_meeting_groups.group_id", "=", "working_groups.id")
        .where("group_meetings.starts_at", ">=", now)
        .as("next_meeting_at"),
      eb
        .selectFrom("group_meeting_groups")
        .innerJoin("group_meetings", "group_meetings.id", "group_meeting_groups.meeting_id")
        .select(sql<Date | null>`max(group_meetings.starts_at)`.as("d"))
        .whereRef("group_meeting_groups.group_id", "=", "working_groups.id")
        .as("last_meeting_at"),
      eb
        .selectFrom("working_group_members")
        .select(sql<boolean>`true`.as("yes"))
        .whereRef("working_group_members.group_id", "=", "working_groups.id")
        .where("working_group_members.person_id", "=", args.viewerId ?? "0")
        .as("is_member"),
    ])
    .orderBy("working_groups.term", "desc")
    .orderBy("working_groups.number")
    .execute();
  return rows.map((r) => ({ ...r, is_member: Boolean(r.is_member) }));
}

/**
 * One group's page. The roster, the ZOOM links, the viewer's answers and
 * attendance are there only for a roster member or a manager.
 */
export async function getGroupPage(
  db: Database,
  args: { groupId: number; viewer?: SessionUser; now?: Date },
) {
  if (!Number.isSafeInteger(args.groupId) || args.groupId <= 0) return undefined;
  const now = args.now ?? new Date();
  const group = await db
    .selectFrom("working_groups")
    .innerJoin("organisations", "organisations.id", "working_groups.organisation_id")
    .select([
      "working_groups.id",
      "working_groups.organisation_id",
      "working_groups.number",
      "working_groups.name",
      "working_groups.theme",
      "working_groups.topics",
      "working_groups.term",
      "organisations.name as organisation_name",
    ])
    .where("working_groups.id", "=", args.groupId)
    .executeTakeFirst();
  if (!group) return undefined;
  const viewerId = args.viewer?.id ?? "0";
  const membership = await db
    .selectFrom("working_group_members")
    .select("role")
    .where("group_id", "=", group.id)
    .where("person_id", "=", viewerId)
    .executeTakeFirst();
  const manager = args.viewer ? managesOrganisation(args.viewer, group.organisation_id) : false;
  const insider = Boolean(membership) || manager;

  const meetings = await db
    .selectFrom("group_meeting_groups as gmg")
    .innerJoin("group_meetings", "group_meetings.id", "gmg.meeting_id")
    .leftJoin("venues", "venues.id", "group_meetings.venue_id")
    .leftJoin("meeting_rsvps", (join) =>
      join
        .onRef("meeting_rsvps.meeting_id", "=", "group_meetings.id")
        .on("meeting_rsvps.person_id", "=", viewerId),
    )
    .leftJoin("meeting_attendance", (join) =>
      join
        .onRef("meeting_attendance.meeting_id", "=", "group_meetings.id")
        .on("meeting_attendance.person_id", "=", viewerId),
    )
    .select((eb) => [
      "group_meetings.id",
      "gmg.number",
      "group_meetings.title",
      "group_meetings.starts_at",
      "group_meetings.ends_at",
      "group_meetings.place_kind",
      "group_meetings.place_name",
      "group_meetings.online_url",
      "group_meetings.note",
      "venues.name as venue_name",
      "venues.address as venue_address",
      "venues.map_url as venue_map_url",
      "meeting_rsvps.answer",
      "meeting_attendance.attended",
      jsonArrayFrom(
        eb
          .selectFrom("group_meeting_groups as other")
          .innerJoin("working_groups as og", "og.id", "other.group_id")
          .select(["og.id", "og.name", "other.number"])
          .whereRef("other.meeting_id", "=", "group_meetings.id")
          .whereRef("other.group_id", "!=", "gmg.group_id")
          .orderBy("og.number"),
      ).as("shared_with"),
    ])
    .where("gmg.group_id", "=", group.id)
    .orderBy("group_meetings.starts_at")
    .orderBy("group_meetings.id")
    .execute();

  const roster = insider
    ? await db
        .selectFrom("working_group_members")
        .innerJoin("people", "people.id", "working_group_members.person_id")
        .leftJoin("organisations", "organisations.id", "people.organisation_id")
        .select([
          "people.id",
          personName.as("name"),
          "working_group_members.role",
          "organisations.name as union_name",
        ])
        .where("working_group_members.group_id", "=", group.id)
        .orderBy("people.family_name_kana")
        .orderBy("people.given_name_kana")
        .execute()
    : [];

  return {
    group,
    isMember: Boolean(membership),
    isManager: manager,
    roster,
    meetings: meetings.map((m) => ({
      ...m,
      online_url: insider ? m.online_url : "",
      answer: membership ? m.answer : null,
      attended: membership ? m.attended : null,
      upcoming: m.starts_at > now,
    })),
  };
}

/**
 * The meetings ahead of a member, across every group they are on, with their
 * answer; for /me. A shared meeting appears once.
 */
export async function listMyGroupMeetings(db: Database, args: { personId: string; now?: Date }) {
  const now = args.now ?? new Date();
  const rows = await db
    .selectFrom("group_meetings")
    .leftJoin("meeting_rsvps", (join) =>
      join
        .onRef("meeting_rsvps.meeting_id", "=", "group_meetings.id")
        .on("meeting_rsvps.person_id", "=", args.personId),
    )
    .select((eb) => [
      "group_meetings.id",
      "group_meetings.title",
      "group_meetings.starts_at",
      "group_meetings.ends_at",
      "group_meetings.place_kind",
      "group_meetings.place_name",
      "group_meetings.online_url",
      "meeting_rsvps.answer",
      jsonArrayFrom(
        eb
          .selectFrom("group_meeting_groups")
          .innerJoin("working_groups", "working_groups.id", "group_meeting_groups.group_id")
          .innerJoin(
            "working_group_members",
            "working_group_members.group_id",
            "group_meeting_groups.group_id",
          )
          .select(["working_groups.id", "working_groups.name", "group_meeting_groups.number"])
          .whereRef("group_meeting_groups.meeting_id", "=", "group_meetings.id")
          .where("working_group_members.person_id", "=", args.personId)
          .orderBy("working_groups.number"),
      ).as("groups"),
    ])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("group_meeting_groups")
          .innerJoin(
            "working_group_members",
            "working_group_members.group_id",
            "group_meeting_groups.group_id",
          )
          .select(sql`1`.as("one"))
          .whereRef("group_meeting_groups.meeting_id", "=", "group_meetings.id")
          .where("working_group_members.person_id", "=", args.personId),
      ),
    )
    .where("group_meetings.starts_at", ">", now)
    .orderBy("group_meetings.starts_at")
    .execute();
  return rows;
}

// ---------------------------------------------------------------------------
// Groups and rosters (managers)
// ---------------------------------------------------------------------------

const text = textField;

export const groupSchema = z.object({
  number: z.coerce
    .number({ message: "部会の番号を入力してください" })
    .int("部会の番号は整数で入力してください")
    .min(1, "部会の番号は1以上で入力してください")
    .max(99, "部会の番号は99以下で入力してください"),
  term: text("年次", 40).min(1, "年次を入力してください(例: 第20年次)"),
  theme: text("テーマ", 100).min(1, "テーマを入力してください"),
  topics: text("調査・研究内容", 2000)
    .optional()
    .default("")
    .transform((v) =>
      v
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .slice(0, 10),
    ),
});

/** The groups an admin or organiser manages, newest term first. */
export async function listManagedGroups(db: Database, user: SessionUser) {
  const groups = await listGroups(db);
  if (user.role === "admin") return groups;
  const mine = await db
    .selectFrom("working_groups")
    .select("id")
    .where("organisation_id", "=", user.organisation_id ?? 0)
    .execute();
  const ids = new Set(mine.map((g) => g.id));
  return groups.filter((g) => ids.has(g.id));
}

/** Adds a group to the user's organisation (an admin without one: the first 県本部). */
export async function createGroup(
  db: Database,
  args: { actor: SessionUser; input: z.infer<typeof groupSchema> },
): Promise<number> {
  const organisationId =
    args.actor.organisation_id ??
    (
      await db
        .selectFrom("organisations")
        .select("id")
        .where("kind", "=", "prefectural_hq")
        .orderBy("id")
        .executeTakeFirstOrThrow()
    ).id;
  if (!managesOrganisation(args.actor, organisationId)) throw new DomainError("forbidden");
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("working_groups")
      .values({
        organisation_id: organisationId,
        number: args.input.number,
        name: `第${args.input.number}専門部会`,
        theme: args.input.theme,
        topics: args.input.topics,
        term: args.input.term,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "working_group",
      entityId: row.id,
      action: "create",
      detail: { ...args.input },
    });
    return row.id;
  }, {
    unique: {
      code: "invalid_input",
      field: "number",
      message: `${args.input.term}の第${args.input.number}専門部会は既にあります。`,
    },
  });
}

/** Puts a member (by email, with a completed profile) on the roster; a second time is harmless. */
export async function addRosterMember(
  db: Database,
  args: { actor: SessionUser; groupId: number; email: string },
): Promise<void> {
  const group = await getManagedGroup(db, { user: args.actor, groupId: args.groupId });
  if (!group) throw new DomainError("not_found");
  const person = await db
    .selectFrom("people")
    .select(["id", "profile_completed_at"])
    .where(sql`lower(email)`, "=", args.email.trim().toLowerCase())
    .executeTakeFirst();
  if (!person?.profile_completed_at) {
    throw new DomainError("not_found", {
      field: "email",
      message:
        "このメールアドレスの組合員は登録されていません。一度ログインしてプロフィールを登録してもらってください。",
    });
  }
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("working_group_members")
      .values({ group_id: group.id, person_id: person.id })
      .onConflict((oc) => oc.columns(["group_id", "person_id"]).doNothing())
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "working_group",
      entityId: group.id,
      action: "add_member",
      detail: { person_id: person.id },
    });
  });
}

/** Takes a member off the roster; their past answers and attendance stay on record. */
export async function removeRosterMember(
  db: Database,
  args: { actor: SessionUser; groupId: number; personId: string },
): Promise<void> {
  const group = await getManagedGroup(db, { user: args.actor, groupId: args.groupId });
  if (!group) throw new DomainError("not_found");
  await inTransaction(db, async (trx) => {
    await trx
      .deleteFrom("working_group_members")
      .where("group_id", "=", group.id)
      .where("person_id", "=", args.personId)
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "working_group",
      entityId: group.id,
      action: "remove_member",
      detail: { person_id: args.personId },
    });
  });
}

/** Makes a roster member the group's leader (部会長), or a plain member again. */
export async function setRosterRole(
  db: Database,
  args: { actor: SessionUser; groupId: number; personId: string; role: "member" | "leader" },
): Promise<void> {
  const group = await getManagedGroup(db, { user: args.actor, groupId: args.groupId });
  if (!group) throw new DomainError("not_found");
  await db
    .updateTable("working_group_members")
    .set({ role: args.role })
    .where("group_id", "=", group.id)
    .where("person_id", "=", args.personId)
    .execute();
}

/**
 * A group as its manager sees it: the roster with emails, every meeting with
 * this roster's answers counted, and the groups of the same term that a joint
 * meeting may include.
 */
export async function getGroupForManager(
  db: Database,
  args: { user: SessionUser; groupId: number; now?: Date },
) {
  const group = await getManagedGroup(db, args);
  if (!group) return undefined;
  const now = args.now ?? new Date();
  const roster = await db
    .selectFrom("working_group_members")
    .innerJoin("people", "people.id", "working_group_members.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select([
      "people.id",
      personName.as("name"),
      "people.email",
      "people.workplace",
      "organisations.name as union_name",
      "working_group_members.role",
    ])
    .where("working_group_members.group_id", "=", group.id)
    .orderBy("people.family_name_kana")
    .orderBy("people.given_name_kana")
    .execute();
  const answered = (answer: RsvpAnswer) =>
    sql<number>`(select count(*)::int from meeting_rsvps r
      join working_group_members wm on wm.person_id = r.person_id and wm.group_id = ${group.id}
      where r.meeting_id = group_meetings.id and r.answer = ${answer})`;
  const meetings = await db
    .selectFrom("group_meeting_groups as gmg")
    .innerJoin("group_meetings", "group_meetings.id", "gmg.meeting_id")
    .select([
      "group_meetings.id",
      "gmg.number",
      "group_meetings.title",
      "group_meetings.starts_at",
      "group_meetings.ends_at",
      "group_meetings.place_kind",
      "group_meetings.place_name",
      answered("yes").as("yes"),
      answered("no").as("no"),
      answered("maybe").as("maybe"),
      sql<number>`(select count(*)::int from group_meeting_groups other
        where other.meeting_id = group_meetings.id)`.as("group_count"),
      sql<boolean>`exists (select 1 from meeting_attendance a
        join working_group_members wm on wm.person_id = a.person_id and wm.group_id = ${group.id}
        where a.meeting_id = group_meetings.id)`.as("attendance_taken"),
    ])
    .where("gmg.group_id", "=", group.id)
    .orderBy("group_meetings.starts_at", "desc")
    .orderBy("group_meetings.id", "desc")
    .execute();
  const siblings = await db
    .selectFrom("working_groups")
    .select(["id", "number", "name", "theme"])
    .where("organisation_id", "=", group.organisation_id)
    .where("term", "=", group.term)
    .orderBy("number")
    .execute();
  return {
    group,
    roster,
    siblings,
    meetings: meetings.map((m) => ({
      ...m,
      upcoming: m.starts_at > now,
      unanswered: Math.max(0, roster.length - m.yes - m.no - m.maybe),
    })),
  };
}

// ---------------------------------------------------------------------------
// Meetings
// ---------------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The meeting form. Times are entered in Tokyo time. */
export const meetingSchema = z
  .object({
    group: z
      .array(rowId())
      .min(1, "開催する専門部会を1つ以上選んでください"),
    numbering: z.enum(["next", "none"]).default("next"),
    title: text("会合名", 100).optional().default(""),
    date: z.string().regex(DATE, "開催日を入力してください"),
    start: z.string().regex(TIME, "開始時刻を入力してください(例: 13:30)"),
    end_date: z
      .string()
      .optional()
      .default("")
      .refine((v) => v === "" || DATE.test(v), "終了日の形式が正しくありません"),
    end: z
      .string()
      .optional()
      .default("")
      .refine((v) => v === "" || TIME.test(v), "終了時刻を入力してください(例: 16:00)"),
    place_kind: z.enum(["room", "zoom", "site"], { message: "開催方法を選んでください" }),
    place_name: text("会場", 200).optional().default(""),
    online_url: z.string().trim().max(500).optional().default(""),
    note: text("備考", 500).optional().default(""),
  })
  .superRefine((v, ctx) => {
    if (v.place_kind === "zoom") {
      if (!/^https:\/\/[^\s]+$/.test(v.online_url)) {
        ctx.addIssue({
          code: "custom",
          path: ["online_url"],
          message: "ZOOMのURL(https://で始まるもの)を入力してください",
        });
      }
    } else if (!v.place_name) {
      ctx.addIssue({
        code: "custom",
        path: ["place_name"],
        message:
          v.place_kind === "site" ? "現地調査の場所を入力してください" : "会場を入力してください",
      });
    }
    if (new Set(v.group).size > 1 && !v.title) {
      ctx.addIssue({
        code: "custom",
        path: ["title"],
        message: "複数の部会の合同会合には会合名を入力してください(例: 専門部会中間報告会)",
      });
    }
    const starts = tokyo(v.date, v.start);
    const ends = v.end ? tokyo(v.end_date || v.date, v.end) : null;
    if (Number.isNaN(starts.getTime())) {
      ctx.addIssue({ code: "custom", path: ["date"], message: "開催日が正しくありません" });
    } else if (ends && !(ends > starts)) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: "終了日時は開始日時より後にしてください",
      });
    }
    if (v.end_date && !v.end) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "終了時刻を入力してください" });
    }
  });

type MeetingInput = z.infer<typeof meetingSchema>;

function tokyo(date: string, time: string): Date {
  return new Date(`${date}T${time}:00+09:00`);
}

function meetingTimes(input: MeetingInput) {
  return {
    starts_at: tokyo(input.date, input.start),
    ends_at: input.end ? tokyo(input.end_date || input.date, input.end) : null,
  };
}

/**
 * Adds a meeting held by one or more groups. Each group counts it as its
 * next meeting (or not at all, e.g. a 中間報告会). Everyone on the rosters is
 * emailed, with an RSVP link and an .ics, in the same transaction; a meeting
 * entered after the fact (already started) is recorded without email.
 */
export async function createMeeting(
  db: Database,
  args: { actor: SessionUser; input: MeetingInput; appUrl: string; now?: Date },
): Promise<number> {
  const { input } = args;
  const now = args.now ?? new Date();
  const groupIds = [...new Set(input.group)].sort((a, b) => a - b);
  return inTransaction(db, async (trx) => {
    // Lock the groups in a fixed order so two meetings added at once get distinct numbers.
    await trx
      .selectFrom("working_groups")
      .select("id")
      .where("id", "in", groupIds)
      .orderBy("id")
      .forUpdate()
      .execute();
    const groups = await requireManagedGroups(trx, args.actor, groupIds);
    const numbers = new Map<number, number | null>();
    for (const id of groupIds) {
      if (input.numbering === "none") {
        numbers.set(id, null);
        continue;
      }
      const row = await trx
        .selectFrom("group_meeting_groups")
        .select(sql<number>`coalesce(max(number), 0)::int + 1`.as("next"))
        .where("group_id", "=", id)
        .executeTakeFirstOrThrow();
      numbers.set(id, row.next);
    }
    const only = groups.length === 1 ? groups[0] : undefined;
    const title =
      input.title ||
      (only ? meetingNumberLabel(only, numbers.get(only.id) ?? null) : "専門部会 合同会合");
    const meeting = await trx
      .insertInto("group_meetings")
      .values({
        title,
        ...meetingTimes(input),
        place_kind: input.place_kind,
        place_name: input.place_kind === "zoom" ? input.place_name || "ZOOM" : input.place_name,
        online_url: input.place_kind === "zoom" ? input.online_url : "",
        note: input.note,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const id of groupIds) {
      await trx
        .insertInto("group_meeting_groups")
        .values({ meeting_id: meeting.id, group_id: id, number: numbers.get(id) ?? null })
        .execute();
    }
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "group_meeting",
      entityId: meeting.id,
      action: "create",
      detail: { groups: groupIds, title },
    });
    if (meetingTimes(input).starts_at > now) {
      await emailRoster(trx, { meetingId: meeting.id, kind: "created", appUrl: args.appUrl });
    }
    return meeting.id;
  });
}

/**
 * Changes a meeting's title, time, place or note. When the time or the place
 * changes, every roster member is emailed again (their answers are kept),
 * unless the meeting is over. The groups holding it stay as they are.
 */
export async function updateMeeting(
  db: Database,
  args: { actor: SessionUser; meetingId: number; input: MeetingInput; appUrl: string; now?: Date },
): Promise<{ notified: number }> {
  const { input } = args;
  const now = args.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom("group_meetings")
      .selectAll()
      .where("id", "=", args.meetingId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new DomainError("not_found");
    await requireManagedGroups(trx, args.actor, await meetingGroupIds(trx, current.id));
    const times = meetingTimes(input);
    const next = {
      title: input.title || current.title,
      ...times,
      place_kind: input.place_kind,
      place_name: input.place_kind === "zoom" ? input.place_name || "ZOOM" : input.place_name,
      online_url: input.place_kind === "zoom" ? input.online_url : "",
      note: input.note,
    };
    const moved =
      current.starts_at.getTime() !== next.starts_at.getTime() ||
      (current.ends_at?.getTime() ?? null) !== (next.ends_at?.getTime() ?? null) ||
      current.place_kind !== next.place_kind ||
      current.place_name !== next.place_name ||
      current.online_url !== next.online_url;
    await trx
      .updateTable("group_meetings")
      .set({ ...next, updated_at: sql`now()` })
      .where("id", "=", current.id)
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "group_meeting",
      entityId: current.id,
      action: "update",
      detail: { moved, title: next.title },
    });
    const notified =
      next.starts_at > now && (moved || current.note !== next.note || current.title !== next.title)
        ? await emailRoster(trx, { meetingId: current.id, kind: "changed", appUrl: args.appUrl })
        : 0;
    return { notified };
  });
}

async function meetingGroupIds(trx: Database, meetingId: number): Promise<number[]> {
  const rows = await trx
    .selectFrom("group_meeting_groups")
    .select("group_id")
    .where("meeting_id", "=", meetingId)
    .orderBy("group_id")
    .execute();
  return rows.map((r) => r.group_id);
}

/** Everyone on a roster of any group holding the meeting, once each. */
function meetingRoster(db: Database, meetingId: number) {
  return db
    .selectFrom("people")
    .select(["people.id", "people.email", personName.as("name")])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("working_group_members")
          .innerJoin(
            "group_meeting_groups",
            "group_meeting_groups.group_id",
            "working_group_members.group_id",
          )
          .select(sql`1`.as("one"))
          .whereRef("working_group_members.person_id", "=", "people.id")
          .where("group_meeting_groups.meeting_id", "=", meetingId),
      ),
    )
    .orderBy("people.family_name_kana")
    .orderBy("people.given_name_kana")
    .orderBy("people.id");
}

/** A new RSVP link for one member and meeting; only its hash is stored. */
async function newRsvpLink(
  trx: Trx,
  args: { meetingId: number; personId: string; startsAt: Date; appUrl: string },
): Promise<string> {
  const token = newToken();
  await trx
    .insertInto("meeting_rsvp_links")
    .values({
      token_hash: hashToken(token),
      meeting_id: args.meetingId,
      person_id: args.personId,
      expires_at: new Date(
        args.startsAt.getTime() + RSVP_LINK_DAYS_AFTER_START * 24 * 60 * 60 * 1000,
      ),
    })
    .execute();
  return `${args.appUrl}/groups/answer/${token}`;
}

/**
 * Queues the meeting email to each roster member chosen by `only` (all by
 * default), each with their own RSVP link. Returns how many were queued.
 */
async function emailRoster(
  trx: Trx,
  args: {
    meetingId: number;
    kind: GroupMeetingEmailKind;
    appUrl: string;
    only?: (personId: string, answered: boolean) => boolean;
  },
): Promise<number> {
  const meeting = await trx
    .selectFrom("group_meetings")
    .leftJoin("venues", "venues.id", "group_meetings.venue_id")
    .select([
      "group_meetings.id",
      "group_meetings.title",
      "group_meetings.starts_at",
      "group_meetings.ends_at",
      "group_meetings.place_kind",
      "group_meetings.place_name",
      "group_meetings.online_url",
      "group_meetings.note",
      "venues.address",
      "venues.map_url",
    ])
    .where("group_meetings.id", "=", args.meetingId)
    .executeTakeFirstOrThrow();
  const groups = await trx
    .selectFrom("group_meeting_groups")
    .innerJoin("working_groups", "working_groups.id", "group_meeting_groups.group_id")
    .select(["working_groups.id", "working_groups.name", "group_meeting_groups.number"])
    .where("group_meeting_groups.meeting_id", "=", meeting.id)
    .orderBy("working_groups.number")
    .execute();
  const people = await meetingRoster(trx, meeting.id).execute();
  const answers = new Map(
    (
      await trx
        .selectFrom("meeting_rsvps")
        .select(["person_id", "answer"])
        .where("meeting_id", "=", meeting.id)
        .execute()
    ).map((r) => [r.person_id, r.answer]),
  );
  const firstGroupOf = new Map<string, number>();
  for (const row of await trx
    .selectFrom("working_group_members")
    .select(["person_id", "group_id"])
    .where(
      "group_id",
      "in",
      groups.map((g) => g.id),
    )
    .orderBy("group_id")
    .execute()) {
    if (!firstGroupOf.has(row.person_id)) firstGroupOf.set(row.person_id, row.group_id);
  }
  let queued = 0;
  for (const person of people) {
    const answer = answers.get(person.id);
    if (args.only && !args.only(person.id, answer !== undefined)) continue;
    const rsvpUrl = await newRsvpLink(trx, {
      meetingId: meeting.id,
      personId: person.id,
      startsAt: meeting.starts_at,
      appUrl: args.appUrl,
    });
    const payload: GroupMeetingEmail = {
      kind: args.kind,
      name: person.name,
      meeting: {
        id: meeting.id,
        title: meeting.title,
        groups: groups.map((g) => meetingNumberLabel(g, g.number)),
        startsAt: meeting.starts_at.toISOString(),
        endsAt: meeting.ends_at ? meeting.ends_at.toISOString() : null,
        placeKind: meeting.place_kind,
        placeName: meeting.place_name,
        address: meeting.address ?? "",
        mapUrl: meeting.map_url ?? "",
        onlineUrl: meeting.online_url,
        note: meeting.note,
      },
      ...(answer ? { answer } : {}),
      rsvpUrl,
      groupUrl: `${args.appUrl}/groups/${firstGroupOf.get(person.id) ?? groups[0]?.id ?? ""}`,
    };
    await enqueueEmail(trx, { to: person.email, message: { template: "group_meeting", payload } });
    queued++;
  }
  return queued;
}

/**
 * Emails the roster members who have not answered yet. Refuses within 10
 * minutes of the last reminder for the meeting (a double click sends once),
 * and once the meeting has started.
 */
export async function sendRsvpReminders(
  db: Database,
  args: { actor: SessionUser; meetingId: number; appUrl: string; now?: Date },
): Promise<{ sent: number }> {
  const now = args.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const meeting = await trx
      .selectFrom("group_meetings")
      .select(["id", "starts_at", "rsvp_reminded_at"])
      .where("id", "=", args.meetingId)
      .forUpdate()
      .executeTakeFirst();
    if (!meeting) throw new DomainError("not_found");
    await requireManagedGroups(trx, args.actor, await meetingGroupIds(trx, meeting.id));
    if (meeting.starts_at <= now) throw new DomainError("rsvp_closed");
    if (
      meeting.rsvp_reminded_at &&
      now.getTime() - meeting.rsvp_reminded_at.getTime() < REMINDER_GAP_MINUTES * 60 * 1000
    ) {
      throw new DomainError("reminder_too_soon");
    }
    const sent = await emailRoster(trx, {
      meetingId: meeting.id,
      kind: "reminder",
      appUrl: args.appUrl,
      only: (_person, answered) => !answered,
    });
    await trx
      .updateTable("group_meetings")
      .set({ rsvp_reminded_at: now })
      .where("id", "=", meeting.id)
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "group_meeting",
      entityId: meeting.id,
      action: "remind",
      detail: { sent },
    });
    return { sent };
  });
}

/** A meeting as its group's manager sees it: the roster's answers and attendance. */
export async function getMeetingForManager(
  db: Database,
  args: { user: SessionUser; groupId: number; meetingId: number; now?: Date },
) {
  const group = await getManagedGroup(db, { user: args.user, groupId: args.groupId });
  if (!group || !Number.isSafeInteger(args.meetingId)) return undefined;
  const meeting = await db
    .selectFrom("group_meetings")
    .innerJoin("group_meeting_groups as gmg", "gmg.meeting_id", "group_meetings.id")
    .selectAll("group_meetings")
    .select((eb) => [
      "gmg.number",
      jsonArrayFrom(
        eb
          .selectFrom("group_meeting_groups as other")
          .innerJoin("working_groups as og", "og.id", "other.group_id")
          .select(["og.id", "og.name", "other.number"])
          .whereRef("other.meeting_id", "=", "group_meetings.id")
          .orderBy("og.number"),
      ).as("groups"),
    ])
    .where("group_meetings.id", "=", args.meetingId)
    .where("gmg.group_id", "=", group.id)
    .executeTakeFirst();
  if (!meeting) return undefined;
  const roster = await db
    .selectFrom("working_group_members")
    .innerJoin("people", "people.id", "working_group_members.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .leftJoin("meeting_rsvps", (join) =>
      join
        .onRef("meeting_rsvps.person_id", "=", "people.id")
        .on("meeting_rsvps.meeting_id", "=", meeting.id),
    )
    .leftJoin("meeting_attendance", (join) =>
      join
        .onRef("meeting_attendance.person_id", "=", "people.id")
        .on("meeting_attendance.meeting_id", "=", meeting.id),
    )
    .select([
      "people.id",
      personName.as("name"),
      "people.email",
      "organisations.name as union_name",
      "meeting_rsvps.answer",
      "meeting_rsvps.updated_at as answered_at",
      "meeting_attendance.attended",
    ])
    .where("working_group_members.group_id", "=", group.id)
    .orderBy("people.family_name_kana")
    .orderBy("people.given_name_kana")
    .execute();
  const now = args.now ?? new Date();
  const counts = { yes: 0, no: 0, maybe: 0, none: 0 };
  for (const r of roster) counts[r.answer ?? "none"]++;
  return { group, meeting, roster, counts, started: meeting.starts_at <= now };
}

/** The answers a meeting form starts from when editing. */
export function meetingFormValues(meeting: {
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  place_kind: string;
  place_name: string;
  online_url: string;
  note: string;
}): Record<string, string> {
  const local = (d: Date) => {
    const shifted = new Date(d.getTime() + 9 * 60 * 60 * 1000).toISOString();
    return { date: shifted.slice(0, 10), time: shifted.slice(11, 16) };
  };
  const start = local(meeting.starts_at);
  const end = meeting.ends_at ? local(meeting.ends_at) : null;
  return {
    title: meeting.title,
    date: start.date,
    start: start.time,
    end_date: end && end.date !== start.date ? end.date : "",
    end: end?.time ?? "",
    place_kind: meeting.place_kind,
    place_name: meeting.place_name,
    online_url: meeting.online_url,
    note: meeting.note,
  };
}

// ---------------------------------------------------------------------------
// RSVP
// ---------------------------------------------------------------------------

/**
 * Records a member's answer (出席 / 欠席 / 未定) for a meeting, replacing any
 * earlier one. Refuses someone on no roster holding the meeting
 * (`not_on_roster`) and a meeting that has started (`rsvp_closed`).
 */
export async function answerRsvp(
  db: Database,
  args: { meetingId: number; personId: string; answer: RsvpAnswer; now?: Date },
): Promise<void> {
  const now = args.now ?? new Date();
  if (!Number.isSafeInteger(args.meetingId) || args.meetingId <= 0) {
    throw new DomainError("not_found");
  }
  const meeting = await db
    .selectFrom("group_meetings")
    .select(["id", "starts_at"])
    .where("id", "=", args.meetingId)
    .executeTakeFirst();
  if (!meeting) throw new DomainError("not_found");
  const onRoster = await db
    .selectFrom("working_group_members")
    .innerJoin(
      "group_meeting_groups",
      "group_meeting_groups.group_id",
      "working_group_members.group_id",
    )
    .select("working_group_members.person_id")
    .where("group_meeting_groups.meeting_id", "=", meeting.id)
    .where("working_group_members.person_id", "=", args.personId)
    .executeTakeFirst();
  if (!onRoster) throw new DomainError("not_on_roster");
  if (meeting.starts_at <= now) throw new DomainError("rsvp_closed");
  await db
    .insertInto("meeting_rsvps")
    .values({ meeting_id: meeting.id, person_id: args.personId, answer: args.answer })
    .onConflict((oc) =>
      oc
        .columns(["meeting_id", "person_id"])
        .doUpdateSet({ answer: args.answer, updated_at: sql`now()` }),
    )
    .execute();
}

/** What an emailed RSVP link opens: the meeting, who it is for, and their answer. */
export async function getRsvpLink(db: Database, args: { token: string; now?: Date }) {
  const now = args.now ?? new Date();
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(args.token)) return undefined;
  const row = await db
    .selectFrom("meeting_rsvp_links")
    .innerJoin("group_meetings", "group_meetings.id", "meeting_rsvp_links.meeting_id")
    .innerJoin("people", "people.id", "meeting_rsvp_links.person_id")
    .leftJoin("venues", "venues.id", "group_meetings.venue_id")
    .leftJoin("meeting_rsvps", (join) =>
      join
        .onRef("meeting_rsvps.meeting_id", "=", "meeting_rsvp_links.meeting_id")
        .onRef("meeting_rsvps.person_id", "=", "meeting_rsvp_links.person_id"),
    )
    .select((eb) => [
      "meeting_rsvp_links.meeting_id",
      "meeting_rsvp_links.person_id",
      personName.as("name"),
      "group_meetings.title",
      "group_meetings.starts_at",
      "group_meetings.ends_at",
      "group_meetings.place_kind",
      "group_meetings.place_name",
      "group_meetings.note",
      "venues.address as venue_address",
      "meeting_rsvps.answer",
      "meeting_rsvps.updated_at as answered_at",
      jsonArrayFrom(
        eb
          .selectFrom("group_meeting_groups")
          .innerJoin("working_groups", "working_groups.id", "group_meeting_groups.group_id")
          .select(["working_groups.id", "working_groups.name", "group_meeting_groups.number"])
          .whereRef("group_meeting_groups.meeting_id", "=", "group_meetings.id")
          .orderBy("working_groups.number"),
      ).as("groups"),
    ])
    .where("meeting_rsvp_links.token_hash", "=", hashToken(args.token))
    .where("meeting_rsvp_links.expires_at", ">", now)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, closed: row.starts_at <= now };
}

/** Answers through an emailed link: the link must be valid; then as answerRsvp. */
export async function answerRsvpByLink(
  db: Database,
  args: { token: string; answer: RsvpAnswer; now?: Date },
): Promise<void> {
  const link = await getRsvpLink(db, { token: args.token, now: args.now });
  if (!link) throw new DomainError("invalid_rsvp_link");
  await answerRsvp(db, {
    meetingId: link.meeting_id,
    personId: link.person_id,
    answer: args.answer,
    now: args.now,
  });
}

// ---------------------------------------------------------------------------
// Attendance
// ---------------------------------------------------------------------------

/**
 * Records who of the group's roster attended a meeting: those ticked
 * attended, the rest did not. Members of other groups sharing the meeting are
 * left as they are.
 */
export async function recordAttendance(
  db: Database,
  args: { actor: SessionUser; groupId: number; meetingId: number; attendedIds: string[] },
): Promise<{ attended: number; absent: number }> {
  const group = await getManagedGroup(db, { user: args.actor, groupId: args.groupId });
  if (!group) throw new DomainError("not_found");
  return inTransaction(db, async (trx) => {
    const held = await trx
      .selectFrom("group_meeting_groups")
      .select("meeting_id")
      .where("meeting_id", "=", args.meetingId)
      .where("group_id", "=", group.id)
      .executeTakeFirst();
    if (!held) throw new DomainError("not_found");
    const roster = await trx
      .selectFrom("working_group_members")
      .select("person_id")
      .where("group_id", "=", group.id)
      .orderBy("person_id")
      .execute();
    const ticked = new Set(args.attendedIds);
    let attended = 0;
    for (const { person_id } of roster) {
      const yes = ticked.has(person_id);
      if (yes) attended++;
      await trx
        .insertInto("meeting_attendance")
        .values({
          meeting_id: args.meetingId,
          person_id,
          attended: yes,
          recorded_by: args.actor.id,
        })
        .onConflict((oc) =>
          oc.columns(["meeting_id", "person_id"]).doUpdateSet({
            attended: yes,
            recorded_by: args.actor.id,
            recorded_at: sql`now()`,
          }),
        )
        .execute();
    }
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "group_meeting",
      entityId: args.meetingId,
      action: "attendance",
      detail: { group_id: group.id, attended, absent: roster.length - attended },
    });
    return { attended, absent: roster.length - attended };
  });
}

type AttendanceMatrix = Awaited<ReturnType<typeof getAttendanceMatrix>>;

/**
 * Members × meetings of one group. A meeting counts once attendance has been
 * taken for it (someone on this roster has a record); a member with no record
 * for such a meeting counts as absent. A member's rate is attended / counted
 * meetings, and a meeting's rate is attended / roster; null when nothing
 * counts yet.
 */
export async function getAttendanceMatrix(db: Database, args: { groupId: number }) {
  const meetings = await db
    .selectFrom("group_meeting_groups")
    .innerJoin("group_meetings", "group_meetings.id", "group_meeting_groups.meeting_id")
    .select([
      "group_meetings.id",
      "group_meeting_groups.number",
      "group_meetings.title",
      "group_meetings.starts_at",
    ])
    .where("group_meeting_groups.group_id", "=", args.groupId)
    .orderBy("group_meetings.starts_at")
    .orderBy("group_meetings.id")
    .execute();
  const members = await db
    .selectFrom("working_group_members")
    .innerJoin("people", "people.id", "working_group_members.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select([
      "people.id",
      personName.as("name"),
      sql<string>`trim(people.family_name_kana || ' ' || people.given_name_kana)`.as("kana"),
      "organisations.name as union_name",
    ])
    .where("working_group_members.group_id", "=", args.groupId)
    .orderBy("people.family_name_kana")
    .orderBy("people.given_name_kana")
    .orderBy("people.id")
    .execute();
  const records = await db
    .selectFrom("meeting_attendance")
    .select(["meeting_id", "person_id", "attended"])
    .where("meeting_id", "in", meetings.length > 0 ? meetings.map((m) => m.id) : [0])
    .where("person_id", "in", members.length > 0 ? members.map((m) => m.id) : ["0"])
    .execute();
  const cell = new Map(records.map((r) => [`${r.meeting_id}:${r.person_id}`, r.attended]));
  const counted = new Set(records.map((r) => r.meeting_id));
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);

  const meetingRows = meetings.map((m) => {
    const taken = counted.has(m.id);
    const attended = members.filter((p) => cell.get(`${m.id}:${p.id}`) === true).length;
    const meetingRate = taken ? rate(attended, members.length) : null;
    return { ...m, counted: taken, attended, rate: meetingRate, rate_label: percent(meetingRate) };
  });
  const countedMeetings = meetingRows.filter((m) => m.counted);
  const memberRows = members.map((p) => {
    const cells = meetings.map((m) => {
      const v = cell.get(`${m.id}:${p.id}`);
      if (v !== undefined) return v;
      return counted.has(m.id) ? false : null;
    });
    const attended = cells.filter((v) => v === true).length;
    const memberRate = rate(attended, countedMeetings.length);
    return { ...p, cells, attended, rate: memberRate, rate_label: percent(memberRate) };
  });
  const totalAttended = memberRows.reduce((sum, p) => sum + p.attended, 0);
  const overallRate = rate(totalAttended, countedMeetings.length * members.length);
  return {
    meetings: meetingRows,
    members: memberRows,
    countedMeetings: countedMeetings.length,
    overallRate,
    overallRateLabel: percent(overallRate),
  };
}

/** 「85%」, or 「—」 when there is nothing to count. */
function percent(value: number | null): string {
  return value === null ? "—" : `${Math.round(value * 100)}%`;
}

type AttendanceCell = string | number | null;

/**
 * The matrix as rows for a spreadsheet, in the page's order: 氏名, フリガナ,
 * 所属単組, 出席率 (a fraction), 出席回数, then ○ / × per meeting; the last
 * row gives each meeting's rate.
 */
function attendanceRows(matrix: AttendanceMatrix): {
  header: string[];
  rows: AttendanceCell[][];
} {
  const header = [
    "氏名",
    "フリガナ",
    "所属単組",
    "出席率",
    "出席回数",
    ...matrix.meetings.map(
      (m) => `${m.number === null ? m.title : `第${m.number}回`} ${formatDate(m.starts_at)}`,
    ),
  ];
  const rows: AttendanceCell[][] = matrix.members.map((p) => [
    p.name,
    p.kana,
    p.union_name ?? "",
    p.rate,
    p.attended,
    ...p.cells.map((v) => (v === true ? "○" : v === false ? "×" : "")),
  ]);
  rows.push(["出席率", "", "", matrix.overallRate, null, ...matrix.meetings.map((m) => m.rate)]);
  return { header, rows };
}

/**
 * The attendance matrix as CSV for Japanese Excel: UTF-8 with a BOM, CRLF,
 * written by the exports' one CSV writer (formula cells neutralised).
 */
function attendanceCsv(matrix: AttendanceMatrix): string {
  const { header, rows } = attendanceRows(matrix);
  const rateColumns = new Set([3, ...matrix.meetings.map((_, i) => 5 + i)]);
  const lines = [csvRecord(header)];
  for (const [r, row] of rows.entries()) {
    const last = r === rows.length - 1;
    lines.push(
      csvRecord(
        row.map((value, i) =>
          typeof value === "number" && (i === 3 || (last && rateColumns.has(i)))
            ? percent(value)
            : value === null
              ? ""
              : String(value),
        ),
      ),
    );
  }
  return `\uFEFF${lines.join("")}`;
}

/**
 * The attendance matrix as XLSX, through exceljs's streaming writer: the
 * name column and header frozen, rates as percentages, every other value a
 * plain text or number cell (a name can never become a formula).
 */
async function attendanceXlsx(
  matrix: AttendanceMatrix,
  args: { sheetName: string },
): Promise<Buffer> {
  const { header, rows } = attendanceRows(matrix);
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => sink.on("end", resolve));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = "自治研イベント";
  const sheet = workbook.addWorksheet(args.sheetName.slice(0, 31), {
    views: [{ state: "frozen", xSplit: 1, ySplit: 1 }],
  });
  sheet.columns = header.map((_, i) => ({
    width: i === 0 ? 16 : i < 3 ? 20 : 12,
    style: i === 3 ? { numFmt: "0%" } : {},
  }));
  const head = sheet.addRow(header);
  head.font = { bold: true };
  head.commit();
  for (const [r, row] of rows.entries()) {
    const added = sheet.addRow(row.map((v) => v ?? ""));
    if (r === rows.length - 1) {
      added.font = { bold: true };
      for (let i = 6; i <= header.length; i++) added.getCell(i).numFmt = "0%";
    }
    added.commit();
  }
  sheet.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}

/**
 * The group's attendance matrix as a download: CSV for Excel (UTF-8 with a
 * BOM, formula cells neutralised) or an XLSX workbook.
 */
export async function attendanceFileResponse(
  db: Database,
  group: { id: number; name: string; term: string; managerId: string },
  file: "csv" | "xlsx",
): Promise<Response> {
  let body: string | Uint8Array<ArrayBuffer>;
  try {
    // A long reader: a slot of its own pool first (app/domain/long-reads.server.ts).
    body = await withLongRead(db, async (lane) => {
      const matrix = await getAttendanceMatrix(lane, { groupId: group.id });
      await auditPersonalDataRead(db, {
        actorId: group.managerId,
        eventId: null,
        action: "export",
        rows: matrix.members.length,
        filter: { group_id: group.id },
        detail: { format: file, what: "group_attendance" },
      });
      return file === "csv"
        ? attendanceCsv(matrix)
        : new Uint8Array(await attendanceXlsx(matrix, { sheetName: `${group.name} 出席状況` }));
    });
  } catch (error) {
    if (error instanceof DomainError) return downloadErrorResponse(error);
    throw error;
  }
  const name = `${group.term}_${group.name}_出席状況.${file}`;
  return new Response(body, {
    headers: {
      "Content-Type":
        file === "csv"
          ? "text/csv; charset=utf-8"
          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="attendance-${group.id}.${file}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "private, no-store",
    },
  });
}

// ---------------------------------------------------------------------------
// Recruitment (専門部会員募集)
// ---------------------------------------------------------------------------

const dateTimeLocal = (label: string) =>
  z
    .string({ message: `${label}を入力してください` })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, `${label}を入力してください`)
    .transform((v) => new Date(`${v}:00+09:00`))
    .refine((d) => !Number.isNaN(d.getTime()), `${label}が正しくありません`);

export const roundSchema = z
  .object({
    term: text("年次", 40).min(1, "募集する年次を入力してください(例: 第20年次)"),
    title: text("募集名", 100).min(1, "募集名を入力してください"),
    description: text("案内文", 2000).optional().default(""),
    opens_at: dateTimeLocal("受付開始"),
    closes_at: dateTimeLocal("受付締切"),
    max_choices: z.coerce
      .number({ message: "希望の数を選んでください" })
      .int()
      .min(1, "希望の数は1〜5で選んでください")
      .max(5, "希望の数は1〜5で選んでください"),
  })
  .refine((v) => v.closes_at > v.opens_at, {
    path: ["closes_at"],
    message: "受付締切は受付開始より後にしてください",
  });

/** Opens a 専門部会員募集 for the groups of one term. */
export async function createRound(
  db: Database,
  args: { actor: SessionUser; input: z.infer<typeof roundSchema> },
): Promise<number> {
  const organisationId = args.actor.organisation_id;
  const groups = await db
    .selectFrom("working_groups")
    .select(["id", "organisation_id"])
    .where("term", "=", args.input.term)
    .execute();
  const mine = groups.filter((g) => managesOrganisation(args.actor, g.organisation_id));
  if (mine.length === 0) {
    throw new DomainError("invalid_input", {
      field: "term",
      message: `${args.input.term}の専門部会がありません。先に専門部会を追加してください。`,
    });
  }
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("recruitment_rounds")
      .values({
        organisation_id: mine[0]?.organisation_id ?? organisationId ?? 0,
        term: args.input.term,
        title: args.input.title,
        description: args.input.description,
        opens_at: args.input.opens_at,
        closes_at: args.input.closes_at,
        max_choices: args.input.max_choices,
        created_by: args.actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "recruitment_round",
      entityId: row.id,
      action: "create",
      detail: { term: args.input.term, title: args.input.title },
    });
    return row.id;
  });
}

function roundGroups(db: Database, round: { organisation_id: number; term: string }) {
  return db
    .selectFrom("working_groups")
    .select(["id", "number", "name", "theme", "topics"])
    .where("organisation_id", "=", round.organisation_id)
    .where("term", "=", round.term)
    .orderBy("number")
    .execute();
}

/** One round by id, or undefined for an id that is not one. */
async function findRound(db: Database, roundId: number) {
  if (!Number.isSafeInteger(roundId) || roundId <= 0) return undefined;
  return db
    .selectFrom("recruitment_rounds")
    .selectAll()
    .where("id", "=", roundId)
    .executeTakeFirst();
}

/** An application's choices, in rank order, as a JSON column. */
function rankedChoices(eb: ExpressionBuilder<DB, "recruitment_applications">) {
  return jsonArrayFrom(
    eb
      .selectFrom("recruitment_choices")
      .select(["rank", "group_id"])
      .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
      .orderBy("rank"),
  ).as("choices");
}

/** Rounds open now, for the /groups page. */
export function listOpenRounds(db: Database, now: Date = new Date()) {
  return db
    .selectFrom("recruitment_rounds")
    .select(["id", "title", "term", "opens_at", "closes_at", "description"])
    .where("opens_at", "<=", now)
    .where("closes_at", ">", now)
    .where("results_sent_at", "is", null)
    .orderBy("closes_at")
    .execute();
}

/** Every round of the groups the user manages, newest first, with counts. */
export async function listManagedRounds(db: Database, user: SessionUser) {
  let query = db
    .selectFrom("recruitment_rounds")
    .select((eb) => [
      "recruitment_rounds.id",
      "recruitment_rounds.title",
      "recruitment_rounds.term",
      "recruitment_rounds.opens_at",
      "recruitment_rounds.closes_at",
      "recruitment_rounds.results_sent_at",
      eb
        .selectFrom("recruitment_applications")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("recruitment_applications.round_id", "=", "recruitment_rounds.id")
        .as("applications"),
    ])
    .orderBy("recruitment_rounds.opens_at", "desc");
  if (user.role !== "admin") {
    query = query.where("recruitment_rounds.organisation_id", "=", user.organisation_id ?? 0);
  }
  return query.execute();
}

/** A round as an applicant sees it: the groups on offer and their own application. */
export async function getApplicationForm(
  db: Database,
  args: { roundId: number; personId: string; now?: Date },
) {
  const now = args.now ?? new Date();
  const round = await findRound(db, args.roundId);
  if (!round) return undefined;
  const groups = await roundGroups(db, round);
  const application = await db
    .selectFrom("recruitment_applications")
    .select((eb) => [
      "recruitment_applications.id",
      "recruitment_applications.motivation",
      "recruitment_applications.updated_at",
      rankedChoices(eb),
    ])
    .where("round_id", "=", round.id)
    .where("person_id", "=", args.personId)
    .executeTakeFirst();
  const open = round.opens_at <= now && now < round.closes_at && !round.results_sent_at;
  return { round, groups, application, open };
}

/** The application form's schema for one round: up to max_choices ranked groups. */
export function applicationSchema(round: { max_choices: number }, groupIds: number[]) {
  const choice = z
    .string()
    .optional()
    .default("")
    .refine((v) => v === "" || groupIds.includes(parseRowId(v) ?? 0), "一覧から選んでください")
    .transform((v) => (v === "" ? null : (parseRowId(v) ?? null)));
  const shape: Record<string, typeof choice> = {};
  for (let rank = 1; rank <= round.max_choices; rank++) shape[`choice_${rank}`] = choice;
  return z
    .object({
      ...shape,
      motivation: text("応募の動機", 400).min(1, "応募の動機を入力してください(400字以内)"),
    })
    .superRefine((v, ctx) => {
      const values = v as Record<string, unknown>;
      const picked: number[] = [];
      for (let rank = 1; rank <= round.max_choices; rank++) {
        const g = values[`choice_${rank}`] as number | null;
        if (g === null) continue;
        if (picked.includes(g)) {
          ctx.addIssue({
            code: "custom",
            path: [`choice_${rank}`],
            message: "同じ専門部会を複数の希望に選ぶことはできません",
          });
        }
        picked.push(g);
      }
      if (values.choice_1 === null) {
        ctx.addIssue({ code: "custom", path: ["choice_1"], message: "第1希望を選んでください" });
      }
    })
    .transform((v) => {
      const values = v as Record<string, unknown>;
      const choices: number[] = [];
      for (let rank = 1; rank <= round.max_choices; rank++) {
        const g = values[`choice_${rank}`] as number | null;
        if (g !== null) choices.push(g);
      }
      return { choices, motivation: v.motivation };
    });
}

/**
 * Applies (or changes an application) to a round while it is open: the
 * choices, in order, must be distinct groups of the round's term.
 */
export async function applyToRound(
  db: Database,
  args: { roundId: number; personId: string; choices: number[]; motivation: string; now?: Date },
): Promise<void> {
  const form = await getApplicationForm(db, {
    roundId: args.roundId,
    personId: args.personId,
    now: args.now,
  });
  if (!form) throw new DomainError("not_found");
  if (!form.open) throw new DomainError("recruitment_closed");
  const offered = new Set(form.groups.map((g) => g.id));
  const choices = args.choices.slice(0, form.round.max_choices);
  if (
    choices.length === 0 ||
    new Set(choices).size !== choices.length ||
    !choices.every((c) => offered.has(c))
  ) {
    throw new DomainError("invalid_input", { field: "choice_1" });
  }
  await inTransaction(db, async (trx) => {
    const app = await trx
      .insertInto("recruitment_applications")
      .values({ round_id: form.round.id, person_id: args.personId, motivation: args.motivation })
      .onConflict((oc) =>
        oc
          .columns(["round_id", "person_id"])
          .doUpdateSet({ motivation: args.motivation, updated_at: sql`now()` }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("recruitment_choices").where("application_id", "=", app.id).execute();
    await trx
      .insertInto("recruitment_choices")
      .values(choices.map((group_id, i) => ({ application_id: app.id, rank: i + 1, group_id })))
      .execute();
  });
}

/** A round for its organiser: every application with its choices and assignment. */
export async function getRoundForManager(
  db: Database,
  args: { user: SessionUser; roundId: number },
) {
  const round = await findRound(db, args.roundId);
  if (!round || !managesOrganisation(args.user, round.organisation_id)) return undefined;
  const groups = await roundGroups(db, round);
  const applications = await db
    .selectFrom("recruitment_applications")
    .innerJoin("people", "people.id", "recruitment_applications.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select((eb) => [
      "recruitment_applications.id",
      "recruitment_applications.motivation",
      "recruitment_applications.assigned_group_id",
      "recruitment_applications.created_at",
      "people.id as person_id",
      personName.as("name"),
      "people.workplace",
      "organisations.name as union_name",
      rankedChoices(eb),
    ])
    .where("recruitment_applications.round_id", "=", round.id)
    .orderBy("recruitment_applications.created_at")
    .orderBy("recruitment_applications.id")
    .execute();
  const assignedCount = new Map<number, number>();
  for (const a of applications) {
    if (a.assigned_group_id !== null) {
      assignedCount.set(a.assigned_group_id, (assignedCount.get(a.assigned_group_id) ?? 0) + 1);
    }
  }
  return {
    round,
    groups: groups.map((g) => ({ ...g, assigned: assignedCount.get(g.id) ?? 0 })),
    applications,
  };
}

async function lockRoundForAssignment(trx: Trx, user: SessionUser, roundId: number) {
  const round = await trx
    .selectFrom("recruitment_rounds")
    .selectAll()
    .where("id", "=", roundId)
    .forUpdate()
    .executeTakeFirst();
  if (!round || !managesOrganisation(user, round.organisation_id)) {
    throw new DomainError("not_found");
  }
  if (round.results_sent_at) throw new DomainError("results_already_sent");
  return round;
}

/**
 * Assigns one applicant to a group of the round (or to none). Any group of the
 * round may be chosen, not only the applicant's choices. Refused once the
 * results are sent.
 */
export async function assignApplicant(
  db: Database,
  args: { actor: SessionUser; roundId: number; applicationId: string; groupId: number | null },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    if (args.groupId !== null) {
      const offered = await roundGroups(trx, round);
      if (!offered.some((g) => g.id === args.groupId)) {
        throw new DomainError("invalid_input", {
          field: "group",
          message: "この募集の専門部会から選んでください。",
        });
      }
    }
    const updated = await trx
      .updateTable("recruitment_applications")
      .set({ assigned_group_id: args.groupId, updated_at: sql`now()` })
      .where("id", "=", /^\d{1,18}$/.test(args.applicationId) ? args.applicationId : "0")
      .where("round_id", "=", round.id)
      .returning("id")
      .executeTakeFirst();
    if (!updated) throw new DomainError("not_found");
  });
}

/** Assigns every applicant not yet assigned to their first choice; returns how many. */
export async function assignFirstChoices(
  db: Database,
  args: { actor: SessionUser; roundId: number },
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    const result = await trx
      .updateTable("recruitment_applications")
      .set((eb) => ({
        assigned_group_id: eb
          .selectFrom("recruitment_choices")
          .select("recruitment_choices.group_id")
          .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
          .where("recruitment_choices.rank", "=", 1),
        updated_at: sql`now()`,
      }))
      .where("round_id", "=", round.id)
      .where("assigned_group_id", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}

/**
 * Sends every applicant their result and puts those assigned on their group's
 * roster, in one transaction; afterwards the round is closed to changes.
 * Sent once: a second call is refused with `results_already_sent`.
 */
export async function announceResults(
  db: Database,
  args: { actor: SessionUser; roundId: number; appUrl: string },
): Promise<{ assigned: number; notAssigned: number }> {
  return inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    const groups = new Map((await roundGroups(trx, round)).map((g) => [g.id, g]));
    const applications = await trx
      .selectFrom("recruitment_applications")
      .innerJoin("people", "people.id", "recruitment_applications.person_id")
      .select((eb) => [
        "recruitment_applications.id",
        "recruitment_applications.assigned_group_id",
        "people.id as person_id",
        "people.email",
        personName.as("name"),
        jsonArrayFrom(
          eb
            .selectFrom("recruitment_choices")
            .select(["rank", "group_id"])
            .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
            .orderBy("rank"),
        ).as("choices"),
      ])
      .where("recruitment_applications.round_id", "=", round.id)
      .orderBy("recruitment_applications.id")
      .execute();
    let assigned = 0;
    for (const a of applications) {
      const group = a.assigned_group_id !== null ? groups.get(a.assigned_group_id) : undefined;
      if (group) {
        assigned++;
        await trx
          .insertInto("working_group_members")
          .values({ group_id: group.id, person_id: a.person_id })
          .onConflict((oc) => oc.columns(["group_id", "person_id"]).doNothing())
          .execute();
      }
      await enqueueEmail(trx, {
        to: a.email,
        message: {
          template: "recruitment_result",
          payload: {
            name: a.name,
            roundTitle: round.title,
            assignedGroup: group ? groupTitle(group) : null,
            choices: a.choices.map((c) => {
              const g = groups.get(c.group_id);
              return g ? groupTitle(g) : "";
            }),
            groupUrl: group ? `${args.appUrl}/groups/${group.id}` : `${args.appUrl}/groups`,
          },
        },
      });
    }
    await trx
      .updateTable("recruitment_rounds")
      .set({ results_sent_at: sql`now()` })
      .where("id", "=", round.id)
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "recruitment_round",
      entityId: round.id,
      action: "announce",
      detail: { assigned, not_assigned: applications.length - assigned },
    });
    return { assigned, notAssigned: applications.length - assigned };
  });
}
