import { type Transaction, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database, DB } from "../../../db/index";
import type { GroupMeetingEmail, GroupMeetingEmailKind } from "../../../emails/types";
import { fromTokyoInput, toTokyoInput } from "../../utils/format";
import { rowId, textField } from "../../utils/forms";
import { meetingNumberLabel } from "../../utils/working-groups";
import { audit } from "../audit.server";
import { hashToken, newToken, type SessionUser } from "../auth.server";
import { DomainError } from "../errors.server";
import { enqueueEmail } from "../mailer.server";
import { personName } from "../people.server";
import { inTransaction } from "../transactions.server";
import { getManagedGroup, requireManagedGroups } from "./access.server";

/**
 * Meetings of 専門部会: one meeting may be held by several groups (a 全体会,
 * a 中間報告会); everyone on their rosters is emailed with an RSVP link.
 */

type Trx = Transaction<DB>;

const RSVP_LINK_DAYS_AFTER_START = 30;
const REMINDER_GAP_MINUTES = 10;

const text = textField;

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
// Meetings
// ---------------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The meeting form. Times are entered in Tokyo time. */
export const meetingSchema = z
  .object({
    group: z.array(rowId()).min(1, "開催する専門部会を1つ以上選んでください"),
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
    if (!starts) {
      ctx.addIssue({ code: "custom", path: ["date"], message: "開催日が正しくありません" });
    } else if (ends === undefined) {
      ctx.addIssue({ code: "custom", path: ["end_date"], message: "終了日が正しくありません" });
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

/** A date and a time of the form, read as Tokyo time; undefined for 31 February. */
function tokyo(date: string, time: string): Date | undefined {
  return fromTokyoInput(`${date}T${time}`);
}

/** The times of a form that meetingSchema accepted. */
function meetingTimes(input: MeetingInput) {
  const starts_at = tokyo(input.date, input.start);
  const ends_at = input.end ? tokyo(input.end_date || input.date, input.end) : null;
  if (!starts_at || ends_at === undefined)
    throw new DomainError("invalid_input", { field: "date" });
  return { starts_at, ends_at };
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
    const [date = "", time = ""] = toTokyoInput(d).split("T");
    return { date, time };
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
