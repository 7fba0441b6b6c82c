import { sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { Database } from "../../db/index";
import type { EventKind } from "../../db/schema";

/** Seats left, or null when there is no limit. */
function seatsLeft(capacity: number | null, taken: number): number | null {
  return capacity === null ? null : Math.max(0, capacity - taken);
}

/**
 * The public catalogue: upcoming events first (soonest first), then past ones
 * (latest first). Drafts are never listed. `month` is "YYYY-MM" in Tokyo time.
 */
export async function listPublicEvents(
  db: Database,
  filter: { kind?: EventKind; month?: string; now?: Date } = {},
) {
  const now = filter.now ?? new Date();
  let query = db
    .selectFrom("events")
    .leftJoin("venues", "venues.id", "events.venue_id")
    .select([
      "events.id",
      "events.slug",
      "events.kind",
      "events.title",
      "events.summary",
      "events.starts_at",
      "events.ends_at",
      "events.status",
      "events.members_only",
      "events.max_age",
      "events.capacity",
      "events.taken",
      "events.online_label",
      "venues.name as venue_name",
      (eb) =>
        eb
          .selectFrom("registration_windows")
          .select((w) => w.fn.max("registration_windows.closes_at").as("closes_at"))
          .whereRef("registration_windows.event_id", "=", "events.id")
          .where("registration_windows.opens_at", "<=", now)
          .where("registration_windows.closes_at", ">", now)
          .as("open_until"),
      (eb) =>
        eb
          .selectFrom("registration_windows")
          .select((w) => w.fn.min("registration_windows.opens_at").as("opens_at"))
          .whereRef("registration_windows.event_id", "=", "events.id")
          .where("registration_windows.opens_at", ">", now)
          .as("opens_next"),
    ])
    .where("events.status", "!=", "draft");
  if (filter.kind) query = query.where("events.kind", "=", filter.kind);
  if (filter.month) {
    query = query.where(
      sql<string>`to_char(events.starts_at at time zone 'Asia/Tokyo', 'YYYY-MM')`,
      "=",
      filter.month,
    );
  }
  const rows = await query.orderBy("events.starts_at", "asc").execute();
  const withSeats = rows.map(({ open_until, opens_next, ...row }) => {
    const seats_left = seatsLeft(row.capacity, row.taken);
    const finished = row.ends_at < now;
    return {
      ...row,
      seats_left,
      finished,
      registration: catalogueBadge({
        status: row.status,
        finished,
        seatsLeft: seats_left,
        openUntil: open_until ? new Date(open_until) : null,
        opensNext: opens_next ? new Date(opens_next) : null,
        now,
      }),
    };
  });
  return {
    upcoming: withSeats.filter((e) => !e.finished),
    past: withSeats.filter((e) => e.finished).reverse(),
  };
}

/** Closing within this many days, or with this few seats left, is 締切間近. */
const CLOSING_DAYS = 7;
const FEW_SEATS = 5;

/**
 * The catalogue's badge for registration, as Peatix and connpass show it:
 * open (受付中), closing soon (締切間近: within a week, or five seats or fewer),
 * full (満席: only the waitlist), not yet open (受付前), or closed (受付終了).
 * null for a finished or cancelled event, which has its own badge.
 */
export function catalogueBadge(args: {
  status: string;
  finished: boolean;
  seatsLeft: number | null;
  openUntil: Date | null;
  opensNext: Date | null;
  now: Date;
}): "open" | "closing" | "full" | "upcoming" | "closed" | null {
  if (args.finished || args.status === "cancelled") return null;
  if (args.status !== "published") return "closed";
  if (args.openUntil) {
    if (args.seatsLeft === 0) return "full";
    const closingSoon = args.openUntil.getTime() - args.now.getTime() <= CLOSING_DAYS * 86_400_000;
    if (closingSoon || (args.seatsLeft !== null && args.seatsLeft <= FEW_SEATS)) return "closing";
    return "open";
  }
  return args.opensNext ? "upcoming" : "closed";
}

/** The months that have events, newest first, for the catalogue's filter. */
export async function listEventMonths(db: Database): Promise<string[]> {
  const rows = await db
    .selectFrom("events")
    .select(sql<string>`to_char(starts_at at time zone 'Asia/Tokyo', 'YYYY-MM')`.as("month"))
    .where("status", "!=", "draft")
    .groupBy("month")
    .orderBy("month", "desc")
    .execute();
  return rows.map((r) => r.month);
}

const venueColumns = ["id", "name", "postal_code", "address", "phone", "map_url"] as const;

/**
 * One event with everything its public page shows, in one query. The Zoom URL
 * is not part of it: only confirmed registrants may see that.
 */
export async function getPublicEvent(db: Database, slug: string) {
  const event = await db
    .selectFrom("events")
    .select((eb) => [
      "events.id",
      "events.slug",
      "events.kind",
      "events.title",
      "events.summary",
      "events.description",
      "events.notes",
      "events.starts_at",
      "events.ends_at",
      "events.status",
      "events.members_only",
      "events.max_age",
      "events.capacity",
      "events.taken",
      "events.online_label",
      "events.cancellation_deadline",
      "events.course_word",
      jsonObjectFrom(
        eb.selectFrom("venues").select(venueColumns).whereRef("venues.id", "=", "events.venue_id"),
      ).as("venue"),
      jsonObjectFrom(
        eb
          .selectFrom("organisations")
          .select(["organisations.name", "organisations.code"])
          .whereRef("organisations.id", "=", "events.organiser_organisation_id"),
      ).as("organiser"),
      jsonArrayFrom(
        eb
          .selectFrom("event_sessions")
          .leftJoin("venues", "venues.id", "event_sessions.venue_id")
          .select([
            "event_sessions.id",
            "event_sessions.key",
            "event_sessions.kind",
            "event_sessions.title",
            "event_sessions.description",
            "event_sessions.starts_at",
            "event_sessions.ends_at",
            "event_sessions.optional",
            "event_sessions.capacity",
            "event_sessions.taken",
            "event_sessions.status",
            "venues.name as venue_name",
            "venues.address as venue_address",
            "venues.map_url as venue_map_url",
          ])
          .whereRef("event_sessions.event_id", "=", "events.id")
          .orderBy("event_sessions.starts_at")
          .orderBy("event_sessions.position"),
      ).as("sessions"),
      jsonArrayFrom(
        eb
          .selectFrom("courses")
          .leftJoin("venues", "venues.id", "courses.venue_id")
          .select([
            "courses.id",
            "courses.key",
            "courses.session_id",
            "courses.code",
            "courses.title",
            "courses.audience",
            "courses.facilitator",
            "courses.adviser",
            "courses.capacity",
            "courses.taken",
            "courses.allocation",
            "courses.status",
            "venues.name as venue_name",
            "venues.address as venue_address",
            "venues.map_url as venue_map_url",
          ])
          .whereRef("courses.event_id", "=", "events.id")
          .orderBy("courses.position"),
      ).as("courses"),
      jsonArrayFrom(
        eb
          .selectFrom("programme_items")
          .select(["id", "starts_at", "ends_at", "title", "speaker", "description"])
          .whereRef("programme_items.event_id", "=", "events.id")
          .orderBy("starts_at")
          .orderBy("position"),
      ).as("programme"),
      jsonArrayFrom(
        eb
          .selectFrom("registration_windows")
          .select(["id", "label", "opens_at", "closes_at"])
          .whereRef("registration_windows.event_id", "=", "events.id")
          .orderBy("opens_at"),
      ).as("windows"),
    ])
    .where("events.slug", "=", slug)
    .where("events.status", "!=", "draft")
    .executeTakeFirst();
  if (!event) return undefined;
  return {
    ...event,
    seats_left: seatsLeft(event.capacity, event.taken),
    sessions: event.sessions.map((s) => ({ ...s, seats_left: seatsLeft(s.capacity, s.taken) })),
    courses: event.courses.map((c) => ({ ...c, seats_left: seatsLeft(c.capacity, c.taken) })),
  };
}

export type PublicEvent = NonNullable<Awaited<ReturnType<typeof getPublicEvent>>>;

/** Whether registration is open at `now`, and the window that applies. */
export function registrationState(
  event: Pick<PublicEvent, "status" | "windows" | "ends_at">,
  now = new Date(),
): { state: "open" | "not_yet" | "closed" | "cancelled"; window?: PublicEvent["windows"][number] } {
  if (event.status === "cancelled") return { state: "cancelled" };
  if (event.status !== "published") return { state: "closed" };
  const open = event.windows.find(
    (w) => new Date(w.opens_at) <= now && now < new Date(w.closes_at),
  );
  if (open) return { state: "open", window: open };
  const next = event.windows.find((w) => now < new Date(w.opens_at));
  if (next) return { state: "not_yet", window: next };
  return { state: "closed" };
}
