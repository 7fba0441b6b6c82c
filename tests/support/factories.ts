import { randomBytes } from "node:crypto";
import type { Database } from "../../db/index";
import type { MembershipStatus } from "../../db/schema";
import { createSession, sessionCookie } from "../../app/domain/auth.server";
import type { RegistrationInput } from "../../app/domain/registrations.server";

/**
 * The consent a registration needs (privacy.server.ts): to the notice in
 * force (version 1, from the migration) and to the needs. CONSENT_FIELDS is
 * the same as the form's fields.
 */
export const CONSENT = { noticeVersion: 1, needs: true } as const;
export const CONSENT_FIELDS = {
  privacy_consent: "on",
  privacy_version: "1",
  needs_consent: "on",
} as const;

/** register()'s `input` for a course, with nothing else filled in unless given. */
export function registrationInput(
  courseId: number | null,
  given: Partial<RegistrationInput> = {},
): RegistrationInput {
  return {
    courseId,
    optionalSessionIds: [],
    answers: {},
    dietaryNeeds: "",
    accessibilityNeeds: "",
    joinWaitlist: false,
    ...given,
  };
}

/** A member with a completed profile in one of the demo 単組, confirmed by it unless told otherwise. */
export async function createMember(
  db: Database,
  options: {
    union?: string;
    birthDate?: string | null;
    familyName?: string;
    kana?: string;
    membership?: MembershipStatus;
  } = {},
): Promise<{ id: string; email: string }> {
  const union = await db
    .selectFrom("organisations")
    .select("id")
    .where("code", "=", options.union ?? "fukushima-shi")
    .executeTakeFirstOrThrow();
  const email = `member-${randomBytes(5).toString("hex")}@example.jp`;
  const row = await db
    .insertInto("people")
    .values({
      email,
      family_name: options.familyName ?? "試験",
      given_name: "太郎",
      family_name_kana: options.kana ?? "シケン",
      given_name_kana: "タロウ",
      organisation_id: union.id,
      workplace: "福島市役所",
      phone: "090-0000-0000",
      birth_date: options.birthDate === undefined ? "1990-01-01" : options.birthDate,
      profile_completed_at: new Date(),
      membership_status: options.membership ?? "confirmed",
      membership_via: (options.membership ?? "confirmed") === "confirmed" ? "seed" : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, email };
}

/** A Cookie header signed in as the person, as the browser would send it. */
export async function signIn(db: Database, personId: string): Promise<string> {
  const token = await createSession(db, personId);
  return (await sessionCookie.serialize(token)).split(";")[0] ?? "";
}

/** A Cookie header signed in as the (demo) person with this email. */
export async function signInAs(db: Database, email: string): Promise<string> {
  const person = await db
    .selectFrom("people")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return signIn(db, person.id);
}

/** The id of the event with this slug. */
export async function eventIdOf(db: Database, slug: string): Promise<number> {
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  return event.id;
}

/** An HTTP client for the test app that posts forms like a browser on the same site. */
export function browserLike(baseUrl: string, cookie?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(cookie ? { Cookie: cookie } : {}),
    Origin: baseUrl,
    ...extra,
  });
  return {
    get: (path: string) => fetch(baseUrl + path, { headers: headers(), redirect: "manual" }),
    post: (path: string, fields: Record<string, string | string[]>) => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      }
      return fetch(baseUrl + path, {
        method: "POST",
        headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }),
        body,
        redirect: "manual",
      });
    },
  };
}

/**
 * The online seminar's registration form as a member fills it in: a course
 * (by key) and the question 自治研活動の経験, with the waitlist accepted.
 */
export async function seminarForm(
  db: Database,
  options: { slug: string; courseKey?: string },
): Promise<{ eventId: number; form: Record<string, string> }> {
  const course = await db
    .selectFrom("courses")
    .innerJoin("events", "events.id", "courses.event_id")
    .select(["courses.id", "events.id as event_id"])
    .where("events.slug", "=", options.slug)
    .where("courses.key", "=", options.courseKey ?? "course-1")
    .executeTakeFirstOrThrow();
  const question = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", course.event_id)
    .where("label", "=", "自治研活動の経験")
    .executeTakeFirstOrThrow();
  return {
    eventId: course.event_id,
    form: {
      course: String(course.id),
      [`q_${question.id}`]: "単組・職場で取り組んだことがある",
      waitlist: "on",
      ...CONSENT_FIELDS,
    },
  };
}
