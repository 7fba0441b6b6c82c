import { WHOLE_EVENT_LIST_NAME } from "../../app/checkin/result";
import { hashPassword } from "../../app/domain/passwords.server";
import { defaultCourseWord } from "../../app/utils/labels";
import type { Database } from "../index";
import {
  meetings,
  organisations,
  pastEvents,
  upcomingEvents,
  venues,
  workingGroups,
} from "./demo-data";
import { loadDemoMaterials } from "./demo-materials";
import {
  DEMO_STAFF_PASSWORD,
  type DemoPerson,
  demoMailDomains,
  demoPeople,
  demoRosters,
} from "./demo-people";
import type { SeedEvent } from "./types";

export type DemoLogin = {
  role: DemoPerson["role"];
  email: string;
  name: string;
  password?: string;
};

/**
 * Fills an empty database with the organisation's real events (from its public
 * page), upcoming ones dated relative to `today`, and demo accounts. Does
 * nothing when events already exist, so a restart keeps what users did.
 * Everything is written in one transaction.
 */
export async function loadDemoData(
  db: Database,
  options: { today?: Date } = {},
): Promise<{ loaded: boolean; logins: DemoLogin[] }> {
  const logins = demoPeople.map((p) => ({
    role: p.role,
    email: p.email,
    name: `${p.familyName} ${p.givenName}`,
    password: p.role === "member" ? undefined : DEMO_STAFF_PASSWORD,
  }));
  const existing = await db.selectFrom("events").select("id").limit(1).executeTakeFirst();
  if (existing) return { loaded: false, logins };

  const today = options.today ?? new Date();
  const passwordHash = await hashPassword(DEMO_STAFF_PASSWORD);

  // Raw, not inTransaction (app/domain/transactions.server.ts): db/ never imports
  // app code, and the seed runs alone at start-up, where a busy lock is a bug.
  await db.transaction().execute(async (trx) => {
    const orgIds = new Map<string, number>();
    for (const org of organisations) {
      const row = await trx
        .insertInto("organisations")
        .values({
          code: org.code,
          kind: org.kind,
          name: org.name,
          name_kana: org.nameKana,
          parent_id: org.parent ? (orgIds.get(org.parent) ?? null) : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      orgIds.set(org.code, row.id);
    }

    for (const [union, entries] of Object.entries(demoRosters)) {
      await trx
        .insertInto("union_roster")
        .values(
          entries.map((e) => ({
            organisation_id: orgIds.get(union)!,
            email: e.email,
            name: e.name,
          })),
        )
        .execute();
    }
    for (const [union, domains] of Object.entries(demoMailDomains)) {
      await trx
        .insertInto("union_mail_domains")
        .values(domains.map((domain) => ({ organisation_id: orgIds.get(union)!, domain })))
        .execute();
    }

    const venueIds = new Map<string, number>();
    for (const venue of venues) {
      const row = await trx
        .insertInto("venues")
        .values({
          key: venue.key,
          name: venue.name,
          postal_code: venue.postalCode ?? "",
          address: venue.address ?? "",
          phone: venue.phone ?? "",
          map_url: venue.mapUrl ?? "",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      venueIds.set(venue.key, row.id);
    }
    const venueId = (key?: string) => {
      if (!key) return null;
      const id = venueIds.get(key);
      if (id === undefined) throw new Error(`demo data: unknown venue ${key}`);
      return id;
    };

    const personIds = new Map<string, string>();
    for (const person of demoPeople) {
      const row = await trx
        .insertInto("people")
        .values({
          email: person.email,
          family_name: person.familyName,
          given_name: person.givenName,
          family_name_kana: person.familyNameKana,
          given_name_kana: person.givenNameKana,
          organisation_id: orgIds.get(person.union) ?? null,
          workplace: person.workplace,
          phone: person.phone,
          birth_date: person.birthDate,
          role: person.role,
          password_hash: person.role === "member" ? null : passwordHash,
          profile_completed_at: new Date(),
          // Staff are not members by being staff; demo members are confirmed, but one.
          membership_status:
            person.role !== "member" ? "none" : person.pending ? "pending" : "confirmed",
          membership_via: person.role === "member" && !person.pending ? "seed" : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      personIds.set(person.email, row.id);
    }

    const eventIds = new Map<string, number>();
    for (const event of [...pastEvents, ...upcomingEvents(today)]) {
      eventIds.set(event.slug, await insertEvent(trx, event, orgIds, venueId));
    }

    // The organiser runs the 県本部's events; reception works the next 県集会.
    const organiser = personIds.get("organiser@example.jp");
    const reception = personIds.get("reception@example.jp");
    const fukushima = orgIds.get("fukushima");
    for (const event of [...pastEvents, ...upcomingEvents(today)]) {
      const id = eventIds.get(event.slug);
      if (
        organiser &&
        id &&
        (orgIds.get(event.organiser) === fukushima || event.kind === "online_seminar")
      ) {
        await trx
          .insertInto("event_staff")
          .values({ event_id: id, person_id: organiser, role: "organiser" })
          .execute();
      }
    }
    const nextConvention = eventIds.get("kenshukai-20");
    if (reception && nextConvention) {
      await trx
        .insertInto("event_staff")
        .values({ event_id: nextConvention, person_id: reception, role: "reception" })
        .execute();
    }

    const groupIds = new Map<number, number>();
    for (const group of workingGroups) {
      const row = await trx
        .insertInto("working_groups")
        .values({
          organisation_id: fukushima!,
          number: group.number,
          name: group.name,
          theme: group.theme,
          topics: group.topics,
          term: group.term,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      groupIds.set(group.number, row.id);
    }
    for (const person of demoPeople) {
      for (const number of person.groups ?? []) {
        await trx
          .insertInto("working_group_members")
          .values({ group_id: groupIds.get(number)!, person_id: personIds.get(person.email)! })
          .execute();
      }
    }
    for (const meeting of meetings) {
      const row = await trx
        .insertInto("group_meetings")
        .values({
          key: meeting.key,
          title: meeting.title,
          starts_at: meeting.startsAt,
          ends_at: meeting.endsAt ?? null,
          place_kind: meeting.placeKind,
          place_name: meeting.placeName,
          venue_id: venueId(meeting.venue),
          online_url: meeting.onlineUrl ?? "",
          note: meeting.note ?? "",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const g of meeting.groups) {
        await trx
          .insertInto("group_meeting_groups")
          .values({ meeting_id: row.id, group_id: groupIds.get(g.group)!, number: g.number })
          .execute();
      }
    }
    await loadDemoMaterials(trx, { eventIds, groupIds, orgIds, personIds });
  });
  return { loaded: true, logins };
}

async function insertEvent(
  trx: Database,
  event: SeedEvent,
  orgIds: Map<string, number>,
  venueId: (key?: string) => number | null,
): Promise<number> {
  const organiser = orgIds.get(event.organiser);
  if (organiser === undefined) throw new Error(`demo data: unknown organiser ${event.organiser}`);
  const { id } = await trx
    .insertInto("events")
    .values({
      slug: event.slug,
      kind: event.kind,
      title: event.title,
      summary: event.summary,
      description: event.description,
      notes: event.notes ?? "",
      organiser_organisation_id: organiser,
      starts_at: event.startsAt,
      ends_at: event.endsAt,
      venue_id: venueId(event.venue),
      online_label: event.online?.label ?? "",
      online_url: event.online?.url ?? "",
      status: event.status,
      members_only: event.membersOnly,
      max_age: event.maxAge ?? null,
      capacity: event.capacity ?? null,
      cancellation_deadline: event.cancellationDeadline ?? null,
      course_word: defaultCourseWord(event.kind),
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  for (const window of event.windows) {
    await trx
      .insertInto("registration_windows")
      .values({
        event_id: id,
        label: window.label,
        opens_at: window.opensAt,
        closes_at: window.closesAt,
      })
      .execute();
  }
  const sessionIds = new Map<string, number>();
  for (const [position, s] of event.sessions.entries()) {
    const row = await trx
      .insertInto("event_sessions")
      .values({
        event_id: id,
        key: s.key,
        kind: s.kind,
        title: s.title,
        description: s.description ?? "",
        starts_at: s.startsAt,
        ends_at: s.endsAt ?? null,
        venue_id: venueId(s.venue),
        online_url: s.onlineUrl ?? "",
        optional: s.optional,
        capacity: s.capacity ?? null,
        position,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    sessionIds.set(s.key, row.id);
    // Each session is a place where tickets are scanned.
    await trx
      .insertInto("checkin_lists")
      .values({ event_id: id, session_id: row.id, name: s.title })
      .execute();
  }
  await trx
    .insertInto("checkin_lists")
    .values({ event_id: id, session_id: null, name: WHOLE_EVENT_LIST_NAME })
    .execute();
  for (const [position, c] of event.courses.entries()) {
    await trx
      .insertInto("courses")
      .values({
        event_id: id,
        session_id: c.session ? (sessionIds.get(c.session) ?? null) : null,
        key: c.key,
        code: c.code,
        title: c.title,
        audience: c.audience ?? "",
        facilitator: c.facilitator ?? "",
        adviser: c.adviser ?? "",
        venue_id: venueId(c.venue),
        capacity: c.capacity ?? null,
        allocation: c.allocation ?? "first_come",
        position,
      })
      .execute();
  }
  for (const [position, item] of event.programme.entries()) {
    await trx
      .insertInto("programme_items")
      .values({
        event_id: id,
        session_id: item.session ? (sessionIds.get(item.session) ?? null) : null,
        starts_at: item.startsAt,
        ends_at: item.endsAt ?? null,
        title: item.title,
        speaker: item.speaker ?? "",
        description: item.description ?? "",
        position,
      })
      .execute();
  }
  for (const [position, q] of event.questions.entries()) {
    await trx
      .insertInto("event_questions")
      .values({
        event_id: id,
        label: q.label,
        kind: q.kind,
        options: q.options ?? [],
        required: q.required,
        position,
      })
      .execute();
  }
  return id;
}
