import { sql } from "kysely";
import type { Database } from "../../db/index";
import { formatRange } from "../utils/format";
import { noticeTo } from "./event-admin.server";
import { inTransaction } from "./transactions.server";

/**
 * The day-before reminder: for each published event that starts tomorrow
 * (Tokyo time) and has not been reminded, one email per confirmed registrant,
 * queued in the same transaction that stamps the event, so a second run (or a
 * second app process) sends nothing more. Run hourly by the worker.
 */
export async function sendDueReminders(
  db: Database,
  args: { appUrl: string; now?: Date },
): Promise<number> {
  const now = args.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const due = await trx
      .selectFrom("events")
      .leftJoin("venues", "venues.id", "events.venue_id")
      .select([
        "events.id",
        "events.title",
        "events.starts_at",
        "events.ends_at",
        "events.online_label",
        "venues.name as venue_name",
      ])
      .where("events.status", "=", "published")
      .where("events.reminder_sent_at", "is", null)
      .where(
        sql<string>`(events.starts_at at time zone 'Asia/Tokyo')::date`,
        "=",
        sql<string>`((${now}::timestamptz at time zone 'Asia/Tokyo')::date + 1)`,
      )
      .forUpdate("events")
      .skipLocked()
      .execute();
    let sent = 0;
    for (const event of due) {
      const confirmed = await trx
        .selectFrom("registrations")
        .select("id")
        .where("event_id", "=", event.id)
        .where("status", "=", "confirmed")
        .execute();
      sent += await noticeTo(trx, {
        registrationIds: confirmed.map((r) => r.id),
        subject: `【明日開催】${event.title}`,
        body: `明日は「${event.title}」です。\n日時: ${formatRange(event.starts_at, event.ends_at)}\n場所: ${event.venue_name ?? event.online_label}\n受付では、マイページまたは申込完了メールのQRコードをご提示ください。`,
        eventTitle: event.title,
        appUrl: args.appUrl,
      });
      await trx
        .updateTable("events")
        .set({ reminder_sent_at: sql`now()` })
        .where("id", "=", event.id)
        .execute();
    }
    return sent;
  });
}
