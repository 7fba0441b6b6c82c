import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database } from "../../../db/index";
import type { RsvpAnswer } from "../../utils/working-groups";
import { hashToken } from "../auth.server";
import { DomainError } from "../errors.server";
import { personName } from "../people.server";

/** 専門部会 meetings: a member's answer (出席 / 欠席 / 未定), from the site or an emailed link. */

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
