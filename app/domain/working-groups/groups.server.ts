import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database } from "../../../db/index";
import { textField } from "../../utils/forms";
import type { RsvpAnswer } from "../../utils/working-groups";
import { audit } from "../audit.server";
import type { SessionUser } from "../auth.server";
import { DomainError } from "../errors.server";
import { personName } from "../people.server";
import { inTransaction } from "../transactions.server";
import { getManagedGroup, managesOrganisation } from "./access.server";

/** 専門部会: the public list, a group's page, and the rosters its managers keep. */

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
  return inTransaction(
    db,
    async (trx) => {
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
    },
    {
      unique: {
        code: "invalid_input",
        field: "number",
        message: `${args.input.term}の第${args.input.number}専門部会は既にあります。`,
      },
    },
  );
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
