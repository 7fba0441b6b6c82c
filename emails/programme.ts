import { formatDate, formatDateTime, formatTime } from "../app/utils/format";
import type { EmailEvent } from "./types";

/**
 * The programme as lines of text: 「18:00 開会あいさつ(講師名)」, with the date
 * in front when the event lasts more than one day.
 */
export function programmeLines(event: EmailEvent): string[] {
  const multiDay = formatDate(event.startsAt) !== formatDate(event.endsAt);
  const when = multiDay ? formatDateTime : formatTime;
  return event.programme.map(
    (item) => `${when(item.startsAt)} ${item.title}${item.speaker ? `(${item.speaker})` : ""}`,
  );
}
