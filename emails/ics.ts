import { createEvent } from "ics";
import { formatRange } from "../app/utils/format";
import { programmeLines } from "./programme";
import type { EmailEvent } from "./types";

/**
 * An iCalendar file (METHOD:PUBLISH) for one event, times in UTC. The UID is
 * the event's, so importing a newer file updates the same calendar entry.
 * For an online event with its Zoom link, the link is the entry's URL.
 */
export function eventIcs(
  event: EmailEvent,
  options: {
    manageUrl: string;
    /** what the link is for; default 申込内容の確認・変更・キャンセル */
    manageLabel?: string;
  },
): string {
  const location = [event.venueName, event.venueAddress].filter(Boolean).join(" ");
  const description = [
    formatRange(event.startsAt, event.endsAt),
    ...(event.onlineUrl ? [`参加URL: ${event.onlineUrl}`] : []),
    ...(event.programme.length > 0 ? ["", "プログラム:", ...programmeLines(event)] : []),
    "",
    `${options.manageLabel ?? "申込内容の確認・変更・キャンセル"}: ${options.manageUrl}`,
  ].join("\n");
  const { error, value } = createEvent({
    uid: `${event.slug}@jichiken.local`,
    productId: "jichiken-events",
    method: "PUBLISH",
    title: event.title,
    start: Date.parse(event.startsAt),
    startInputType: "utc",
    startOutputType: "utc",
    end: Date.parse(event.endsAt),
    endInputType: "utc",
    endOutputType: "utc",
    location: location || event.onlineLabel || undefined,
    description,
    ...(event.onlineUrl ? { url: event.onlineUrl } : {}),
    status: "CONFIRMED",
    busyStatus: "BUSY",
  });
  if (error || !value) throw error ?? new Error("could not build the .ics file");
  return value;
}
