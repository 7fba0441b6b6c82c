import { browserLike, createMember, seminarForm, signIn } from "../support/factories";
import { withDemoApp } from "../support/demo-app";

/**
 * The place in line a member is told (/me, the email) is the one promotion
 * uses: with two full courses, each course has its own line.
 */

const demo = withDemoApp();
const SLUG = "online-seminar-next";

describe("the waitlist of an event with two full courses", () => {
  it("each course has its own line: the second person waiting overall is 1st for course ②, and is the one promoted when ② frees up", async () => {
    const { db } = demo;
    const one = await seminarForm(db, { slug: SLUG, courseKey: "course-1" });
    const two = await seminarForm(db, { slug: SLUG, courseKey: "course-2" });
    await db.updateTable("events").set({ capacity: null }).where("id", "=", one.eventId).execute();
    await db
      .updateTable("courses")
      .set({ capacity: 1, allocation: "first_come" })
      .where("event_id", "=", one.eventId)
      .execute();
    const person = async (name: string, form: Record<string, string>) => {
      const member = await createMember(db, { familyName: name });
      const client = browserLike(demo.url, await signIn(db, member.id));
      const response = await client.post(`/events/${SLUG}/register`, form);
      const id = response.headers.get("location")?.match(/registered=(\d+)/)?.[1];
      expect(id, `${name}: ${response.status}`).toBeTruthy();
      return { id: id!, client };
    };
    const place = async (p: { client: ReturnType<typeof browserLike> }) => {
      const html = await (await p.client.get("/me")).text();
      return html.match(/キャンセル待ち (\d+)番目/)?.[1];
    };
    await person("確定一", one.form);
    const seated2 = await person("確定二", two.form);
    const waitingA1 = await person("待ち一", one.form);
    const waitingB1 = await person("待ち二", two.form);
    const waitingA2 = await person("待ち三", one.form);

    const told = {
      a1: await place(waitingA1),
      b1: await place(waitingB1),
      a2: await place(waitingA2),
    };
    console.log(`places told: course ① ${told.a1}, ${told.a2}; course ② ${told.b1}`);
    expect(told).toEqual({ a1: "1", b1: "1", a2: "2" });

    // Course ② frees up: its first in line is promoted, course ①'s line is unchanged.
    const cancel = await seated2.client.post("/me", { intent: "cancel", registration: seated2.id });
    expect(cancel.status).toBeLessThan(400);
    const statusOf = async (id: string) =>
      (
        await db
          .selectFrom("registrations")
          .select("status")
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await statusOf(waitingB1.id)).toBe("confirmed");
    expect(await statusOf(waitingA1.id)).toBe("waitlisted");
    expect(await place(waitingA1)).toBe("1");
    expect(await place(waitingA2)).toBe("2");
  });
});
