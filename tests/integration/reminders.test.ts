import { sql } from "kysely";
import { sendDueReminders } from "../../app/domain/reminders.server";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";
import { withDemoApp } from "../support/demo-app";

const demo = withDemoApp();

async function registerFor(slug: string) {
  const { db } = demo;
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  const course = await db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", event.id)
    .where("key", "=", "course-1")
    .executeTakeFirstOrThrow();
  const q = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", event.id)
    .where("label", "=", "自治研活動の経験")
    .executeTakeFirstOrThrow();
  const member = await createMember(db);
  const client = browserLike(demo.url, await signIn(db, member.id));
  const response = await client.post(`/events/${slug}/register`, {
    course: String(course.id),
    [`q_${q.id}`]: "これまで取り組んだことはない",
    waitlist: "on",
    ...CONSENT_FIELDS,
  });
  expect(response.status).toBe(302);
  return { eventId: event.id, member };
}

describe("the day-before reminder", () => {
  it("emails each confirmed registrant once, the day before, however often the job runs", async () => {
    const { db } = demo;
    const { eventId, member } = await registerFor("online-seminar-next");
    const event = await db
      .selectFrom("events")
      .select("starts_at")
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    const twoDaysBefore = new Date(event.starts_at.getTime() - 2 * 86_400_000);
    expect(await sendDueReminders(db, { appUrl: demo.url, now: twoDaysBefore })).toBe(0);

    const dayBefore = new Date(event.starts_at.getTime() - 86_400_000);
    const first = await sendDueReminders(db, { appUrl: demo.url, now: dayBefore });
    const again = await sendDueReminders(db, { appUrl: demo.url, now: dayBefore });
    console.log(`reminders: first run ${first}, second run ${again}`);
    expect(first).toBe(1);
    expect(again).toBe(0);
    const mail = await db
      .selectFrom("outbound_emails")
      .select(["to_address", "subject"])
      .where("template", "=", "notice")
      .where("subject", "like", "【明日開催】%")
      .execute();
    expect(mail).toEqual([
      { to_address: member.email, subject: expect.stringContaining("自治研って何") },
    ]);
  });
});

describe("messaging attendees", () => {
  it("sends to the chosen group through the queue, and refuses an empty message in Japanese", async () => {
    const { db } = demo;
    const { eventId } = await registerFor("online-seminar-next");
    const organiser = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "organiser@example.jp")
      .executeTakeFirstOrThrow();
    const client = browserLike(demo.url, await signIn(db, organiser.id));
    const empty = await (
      await client.post(`/admin/events/${eventId}/message`, { subject: "", body: "" })
    ).text();
    expect(empty).toContain("件名を入力してください");
    const before = await db
      .selectFrom("outbound_emails")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("template", "=", "notice")
      .executeTakeFirstOrThrow();
    const sent = await (
      await client.post(`/admin/events/${eventId}/message`, {
        subject: "資料のご案内",
        body: "当日の資料をお送りします。",
        status: "confirmed",
      })
    ).text();
    const confirmed = await db
      .selectFrom("registrations")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("event_id", "=", eventId)
      .where("status", "=", "confirmed")
      .executeTakeFirstOrThrow();
    expect(sent).toContain(`${confirmed.n}名に送信します`);
    const after = await db
      .selectFrom("outbound_emails")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("template", "=", "notice")
      .executeTakeFirstOrThrow();
    expect(after.n - before.n).toBe(confirmed.n);
  });
});
