import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  cancelRegistration,
  register,
  type RegisterArgs,
} from "../../app/domain/registrations.server";
import { DomainError, ERROR_MESSAGES, type ErrorCode } from "../../app/domain/errors.server";
import { withDemoApp } from "../support/demo-app";
import { CONSENT, createMember, registrationInput } from "../support/factories";

/**
 * The domain refuses with a code, and a refusal changes nothing: these
 * tests call the domain functions directly and assert DomainError.code, not
 * the Japanese copy (docs/decisions/025-route-adapter.md).
 */
const demo = withDemoApp({ app: false });
const SLUG = "kenshukai-20";

async function refusal(run: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error("expected a DomainError, but the call succeeded");
}

async function registrationArgs(personId: string, slug = SLUG): Promise<RegisterArgs> {
  const eventId = await demo.event(SLUG);
  const course = await demo.db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", eventId)
    .where("status", "=", "active")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  return {
    slug,
    personId,
    input: registrationInput(course.id, { joinWaitlist: true }),
    appUrl: "http://localhost",
    consent: CONSENT,
  };
}

const registrationsOf = (personId: string) =>
  demo.db
    .selectFrom("registrations")
    .select(["id", "status"])
    .where("person_id", "=", personId)
    .execute();

describe("register refuses with a code and writes nothing", () => {
  it("not_found for an event that does not exist", async () => {
    const member = await createMember(demo.db);
    expect(
      await refusal(async () =>
        register(demo.db, await registrationArgs(member.id, "no-such-event")),
      ),
    ).toBe("not_found");
    expect(await registrationsOf(member.id)).toEqual([]);
  });

  it("window_closed outside the registration window", async () => {
    const member = await createMember(demo.db);
    const args = { ...(await registrationArgs(member.id)), now: new Date("2000-01-01T00:00:00Z") };
    expect(await refusal(() => register(demo.db, args))).toBe("window_closed");
    expect(await registrationsOf(member.id)).toEqual([]);
  });

  it("already_registered for a second registration, which leaves the first as it was", async () => {
    const member = await createMember(demo.db);
    const args = await registrationArgs(member.id);
    await register(demo.db, args);
    const before = await registrationsOf(member.id);
    expect(await refusal(() => register(demo.db, args))).toBe("already_registered");
    expect(await registrationsOf(member.id)).toEqual(before);
  });

  it("members_only / membership_pending for someone whose membership is not confirmed", async () => {
    const member = await createMember(demo.db, { membership: "pending" });
    const eventId = await demo.event(SLUG);
    const event = await demo.db
      .selectFrom("events")
      .select("members_only")
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    if (!event.members_only) return; // the demo event is open to all: nothing to refuse here
    const code = await refusal(async () => register(demo.db, await registrationArgs(member.id)));
    expect(["members_only", "membership_pending"]).toContain(code);
    expect(await registrationsOf(member.id)).toEqual([]);
  });
});

describe("cancel refuses with a code and changes nothing", () => {
  it("already_cancelled for a second cancellation, and not_found for another member's registration", async () => {
    const member = await createMember(demo.db);
    const other = await createMember(demo.db);
    const { id } = await register(demo.db, await registrationArgs(member.id));
    const cancel = (personId: string) =>
      cancelRegistration(demo.db, {
        registrationId: id,
        personId,
        actorId: personId,
        appUrl: "http://localhost",
      });
    expect(await refusal(() => cancel(other.id))).toBe("not_found");
    expect((await registrationsOf(member.id))[0]?.status).not.toBe("cancelled");
    await cancel(member.id);
    const before = await registrationsOf(member.id);
    expect(await refusal(() => cancel(member.id))).toBe("already_cancelled");
    expect(await registrationsOf(member.id)).toEqual(before);
  });
});

/**
 * Every code of the error table is asserted by some test, as a code (not
 * only through its Japanese message). The codes not yet asserted are listed
 * here: the list may only shrink, and a code asserted somewhere must leave it.
 */
const NOT_YET_ASSERTED: ErrorCode[] = [
  "profile_required",
  "event_not_open",
  "age_limit",
  "birth_date_required",
  "event_full",
  "session_full",
  "course_unavailable",
  "session_unavailable",
  "cancellation_closed",
  "invalid_link",
  "quota_full",
  "not_waitlisted",
  "invalid_credentials",
  "rate_limited",
  "exports_busy",
  "export_unconfirmed",
  "pdf_font_missing",
  "file_required",
  "file_too_large",
  "file_type",
  "not_on_roster",
  "rsvp_closed",
  "invalid_rsvp_link",
  "recruitment_closed",
  "results_already_sent",
  "reminder_too_soon",
  "reports_closed",
  "invalid_password_link",
  "weak_password",
  "wrong_password",
  "already_staff",
  "self_change",
  "invalid_totp",
  "totp_required",
  "staff_use_password",
  "not_invited",
  "consent_required",
  "consent_outdated",
  "needs_consent_required",
];

/** A file's text without the list above, so that being listed does not count as being asserted. */
const withoutList = (source: string) => source.replace(/const NOT_YET_ASSERTED[\s\S]*?\];/, "");

describe("the error table", () => {
  it("has every code asserted by some test, or listed as not yet asserted", () => {
    const root = path.resolve(__dirname, "..");
    const text: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.(ts|jsonl)$/.test(name)) text.push(withoutList(readFileSync(file, "utf8")));
      }
    };
    walk(root);
    const all = text.join("\n");
    const asserted = (code: string) => all.includes(`"${code}"`);
    const codes = Object.keys(ERROR_MESSAGES) as ErrorCode[];
    expect(
      codes.filter((c) => !asserted(c) && !NOT_YET_ASSERTED.includes(c)),
      "codes no test asserts",
    ).toEqual([]);
    expect(
      NOT_YET_ASSERTED.filter((c) => asserted(c)),
      "codes asserted now: take them off the list",
    ).toEqual([]);
  });
});
