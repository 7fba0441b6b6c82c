/**
 * How people take part in an event, which decides what its form asks and what
 * its pages and emails say: a venue (食事の配慮, the QR shown at reception),
 * online only (the Zoom link and how to join, nothing about a venue), or both.
 */
export type EventFormat = "venue" | "online" | "hybrid";

export function eventFormat(event: {
  venue_id: number | null;
  online_label: string;
  online_url?: string;
}): EventFormat {
  const online = event.online_label !== "" || (event.online_url ?? "") !== "";
  if (event.venue_id === null) return online ? "online" : "venue";
  return online ? "hybrid" : "venue";
}
