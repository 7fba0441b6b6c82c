import { createHash, randomUUID } from "node:crypto";
import type { CheckinResult } from "../../app/checkin/result";
import { getWholeEventListId } from "../../app/domain/checkin.server";
import { browserLike, createMember, seminarForm, signIn, signInAs } from "../support/factories";
import { withDemoApp } from "../support/demo-app";

/**
 * Cancel, then register again: the new registration starts clean. Its ticket
 * scans green at the desk (no check-in of the old one carries over), the old
 * ticket scans red, online and from an offline roster downloaded before, and
 * the registration's time is the new one while its history keeps the old.
 */

const demo = withDemoApp();
const SLUG = "online-seminar-next";

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

describe("a registration made again after a cancellation", () => {
  it("gets a clean ticket: the new one scans green, the old one red (online and from an old offline roster); the list shows the new time, the history the old", async () => {
    const { db } = demo;
    const { eventId, form } = await seminarForm(db, { slug: SLUG });
    await db.updateTable("events").set({ capacity: null }).where("id", "=", eventId).execute();
    await db
      .updateTable("courses")
      .set({ capacity: null })
      .where("event_id", "=", eventId)
      .execute();
    const member = await createMember(db, { familyName: "再申込" });
    const client = browserLike(demo.url, await signIn(db, member.id));
    const desk = await signInAs(db, "admin@example.jp");
    const listId = await getWholeEventListId(db, eventId);
    const api = async (path: string, body: unknown) => {
      const response = await fetch(`${demo.url}/checkin/${SLUG}/${path}`, {
        method: "POST",
        headers: {
          Cookie: desk,
          Origin: demo.url,
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return response.json();
    };
    const scan = async (ticket: string) =>
      (
        (await api("scan", { list: listId, ticket, desk: "受付A", nonce: randomUUID() })) as {
          result: CheckinResult;
        }
      ).result;
    const ticketOf = (id: string) =>
      db
        .selectFrom("registrations")
        .select(["id", "ticket_secret", "ticket_code", "created_at", "status"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();

    // Register, check in.
    const first = await client.post(`/events/${SLUG}/register`, form);
    const id = first.headers.get("location")?.match(/registered=(\d+)/)?.[1];
    expect(id, `registered: ${first.status}`).toBeTruthy();
    const old = await ticketOf(id!);
    expect((await scan(old.ticket_secret)).code).toBe("ok");
    // The desk's offline roster, downloaded now: the old ticket, already checked in.
    const roster = (await (
      await fetch(`${demo.url}/checkin/${SLUG}/roster`, { headers: { Cookie: desk } })
    ).json()) as { entries: { id: string; h: string }[] };
    expect(roster.entries.find((e) => e.id === id)?.h).toBe(sha256(old.ticket_secret));

    // Cancel, register again.
    const cancel = await client.post("/me", { intent: "cancel", registration: id! });
    expect(cancel.status).toBeLessThan(400);
    expect((await ticketOf(id!)).status).toBe("cancelled");
    const again = await client.post(`/events/${SLUG}/register`, form);
    expect(again.headers.get("location")).toContain(`registered=${id}`);
    const renewed = await ticketOf(id!);
    expect(renewed.status).toBe("confirmed");
    expect(renewed.ticket_secret).not.toBe(old.ticket_secret);
    expect(renewed.ticket_code).not.toBe(old.ticket_code);
    // 申込日時 is the new registration's.
    expect(renewed.created_at.getTime()).toBeGreaterThan(old.created_at.getTime());

    // The old ticket is red, online: by its QR and by its printed code.
    expect((await scan(old.ticket_secret)).code).toBe("unknown_ticket");
    expect((await scan(old.ticket_code)).code).toBe("unknown_ticket");
    // ... and from the roster downloaded before: the queued offline scan is refused at sync.
    const synced = (await api("sync", {
      desk: "受付B",
      scans: [
        {
          nonce: randomUUID(),
          list: listId,
          registration: id,
          ticketHash: sha256(old.ticket_secret),
          clientTime: new Date().toISOString(),
        },
      ],
    })) as { results: { result?: CheckinResult }[] };
    expect(synced.results[0]?.result?.code).toBe("unknown_ticket");
    expect(
      await db.selectFrom("checkins").selectAll().where("registration_id", "=", id!).execute(),
    ).toEqual([]);

    // The new ticket is green the first time (not amber with the old time), amber the second.
    const green = await scan(renewed.ticket_secret);
    expect(green.code).toBe("ok");
    expect((await scan(renewed.ticket_secret)).code).toBe("already_checked_in");

    // The history keeps the first registration, its time and its check-in.
    const history = await db
      .selectFrom("registration_history")
      .select(["action", "detail"])
      .where("registration_id", "=", id!)
      .orderBy("id")
      .execute();
    expect(history.map((h) => h.action)).toEqual(["registered", "cancelled", "registered"]);
    expect(history[2]?.detail).toMatchObject({
      previous: {
        registered_at: old.created_at.toISOString(),
        ticket_code: old.ticket_code,
        checkins: [{ list_id: listId, desk: "受付A" }],
      },
    });
    console.log(
      `register again: old ticket ${old.ticket_code} → unknown_ticket (online, code, offline sync); new ${renewed.ticket_code} → ok; 申込日時 ${old.created_at.toISOString()} → ${renewed.created_at.toISOString()}`,
    );
  });
});
