import { sql } from "kysely";
import type { Database } from "../../db/index";

/** Records who changed what, in the caller's transaction. */
export async function audit(
  db: Database,
  entry: {
    actorId: string | null;
    eventId: number | null;
    entity: string;
    entityId: string | number;
    action: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_person_id: entry.actorId,
      event_id: entry.eventId,
      entity: entry.entity,
      entity_id: String(entry.entityId),
      action: entry.action,
      detail: entry.detail ?? {},
    })
    .execute();
}

/**
 * The audit log, newest first, with who did it: one event's (eventId), or
 * every event's and none (eventId undefined, for administrators); `entities`
 * narrows it, e.g. ["export"] for every download, import and API list of
 * personal data (privacy.server.ts auditPersonalDataRead).
 */
export function listAuditLog(
  db: Database,
  args: { eventId?: number; entities?: string[]; limit?: number; offset?: number },
) {
  return db
    .selectFrom("audit_log")
    .leftJoin("people", "people.id", "audit_log.actor_person_id")
    .select([
      "audit_log.id",
      "audit_log.at",
      "audit_log.event_id",
      "audit_log.entity",
      "audit_log.entity_id",
      "audit_log.action",
      "audit_log.detail",
      sql<string | null>`nullif(trim(people.family_name || ' ' || people.given_name), '')`.as("actor_name"),
    ])
    .$if(args.eventId !== undefined, (q) => q.where("audit_log.event_id", "=", args.eventId as number))
    .$if((args.entities?.length ?? 0) > 0, (q) => q.where("audit_log.entity", "in", args.entities as string[]))
    .orderBy("audit_log.at", "desc")
    .orderBy("audit_log.id", "desc")
    .limit(args.limit ?? 100)
    .offset(args.offset ?? 0)
    .execute();
}
