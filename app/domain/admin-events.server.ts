import type { Database } from "../../db/index";
import type { SessionUser } from "./auth.server";
import { visibleEventIds } from "./permissions.server";

/**
 * The events a staff member may open, with live counts, in the order an
 * organiser works through them: upcoming ones soonest first, then finished
 * ones latest first (as the public catalogue). A 単組 secretary sees every
 * event, counted for their own union only.
 */
export async function listStaffEvents(db: Database, user: SessionUser, now: Date = new Date()) {
  const ids = await visibleEventIds(db, user);
  if (ids !== null && ids.length === 0) return [];
  let query = db
    .selectFrom("events")
    .leftJoin("registrations", (join) => {
      const on = join.onRef("registrations.event_id", "=", "events.id");
      return user.role === "secretary" && user.organisation_id
        ? on.on("registrations.person_id", "in", (eb) =>
            eb
              .selectFrom("people")
              .select("people.id")
              .where("people.organisation_id", "=", user.organisation_id),
          )
        : on;
    })
    .select((eb) => [
      "events.id",
      "events.slug",
      "events.title",
      "events.kind",
      "events.status",
      "events.starts_at",
      "events.ends_at",
      "events.capacity",
      eb.fn
        .count<string>("registrations.id")
        .filterWhere("registrations.status", "=", "confirmed")
        .as("confirmed"),
      eb.fn
        .count<string>("registrations.id")
        .filterWhere("registrations.status", "=", "waitlisted")
        .as("waitlisted"),
    ])
    .groupBy("events.id")
    .orderBy("events.starts_at", "desc");
  if (ids !== null) query = query.where("events.id", "in", ids);
  const rows = (await query.execute()).map((r) => ({
    ...r,
    confirmed: Number(r.confirmed),
    waitlisted: Number(r.waitlisted),
    finished: new Date(r.ends_at) < now,
  }));
  return [...rows.filter((r) => !r.finished).reverse(), ...rows.filter((r) => r.finished)];
}

/** The header facts of one event for the staff pages. */
export function getStaffEvent(db: Database, eventId: number) {
  return db
    .selectFrom("events")
    .select(["id", "slug", "title", "kind", "status", "starts_at", "ends_at", "capacity", "taken"])
    .where("id", "=", eventId)
    .executeTakeFirstOrThrow();
}
