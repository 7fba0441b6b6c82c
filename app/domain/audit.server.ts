import { type RawBuilder, sql } from "kysely";
import type { Database } from "../../db/index";

/** One audit entry: who changed what. */
export type AuditEntry = {
  actorId: string | null;
  eventId: number | null;
  entity: string;
  entityId: string | number;
  action: string;
  detail?: Record<string, unknown>;
};

/** Records who changed what, in the caller's transaction. */
export async function audit(db: Database, entry: AuditEntry): Promise<void> {
  await sql`with ${auditCte(entry)} select 1`.execute(db);
}

/**
 * audit as a CTE, `audit_entry`, for a statement that writes the entry with
 * the rest of a change in one round trip (a desk's scan, a registration's
 * change); being an insert, it runs whether the statement reads it or not.
 */
export function auditCte(entry: AuditEntry) {
  return sql`audit_entry as (${auditInsert(entry)})`;
}

/** An insert's rows as Kysely's `with` sees them: none it reads. */
type NoRow = Record<string, never>;

/** What a statement makes itself for its audit entry: SQL over the rows `from` names. */
type MadeByStatement = {
  from: RawBuilder<unknown>;
  entityId: RawBuilder<string>;
  detail: Record<string, RawBuilder<unknown>>;
};

/**
 * auditCte's insert, without its name (for Kysely's `with`). An entry about
 * a row the statement itself makes (a scan's check-in) takes its id and part
 * of its detail as SQL over the rows `made.from` names (e.g. sql`k, r`): no
 * row, no entry.
 */
export function auditInsert(entry: AuditEntry): RawBuilder<NoRow>;
export function auditInsert(
  entry: Omit<AuditEntry, "entityId">,
  made: MadeByStatement,
): RawBuilder<NoRow>;
export function auditInsert(
  entry: Omit<AuditEntry, "entityId"> & { entityId?: AuditEntry["entityId"] },
  made?: MadeByStatement,
): RawBuilder<NoRow> {
  const columns = sql`insert into audit_log (actor_person_id, event_id, entity, entity_id, action, detail)`;
  const detail = sql`${entry.detail ?? {}}::jsonb`;
  if (!made) {
    return sql<NoRow>`${columns} values (${entry.actorId}::bigint, ${entry.eventId}::int, ${entry.entity},
      ${String(entry.entityId)}, ${entry.action}, ${detail})`;
  }
  const madeDetail = sql.join(
    Object.entries(made.detail).map(([key, value]) => sql`${sql.lit(key)}, ${value}`),
  );
  return sql<NoRow>`${columns} select ${entry.actorId}::bigint, ${entry.eventId}::int, ${entry.entity},
      ${made.entityId}, ${entry.action}, ${detail} || jsonb_build_object(${madeDetail})
    from ${made.from}`;
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
      sql<string | null>`nullif(trim(people.family_name || ' ' || people.given_name), '')`.as(
        "actor_name",
      ),
      // Whom an entry is about, so the log reads 「受付 佐藤 花子(受付A)」, not 「checkin #5」 (describeAudit).
      sql<string | null>`(
        select nullif(trim(p.family_name || ' ' || p.given_name), '')
        from people p
        where p.id = (
          select case when ref ~ '^[0-9]{1,18}$' then ref::bigint end
          from (
            select case
              when audit_log.entity = 'event_staff' then audit_log.entity_id
              else (
                select r.person_id::text from registrations r
                where r.id = (
                  select case when rid ~ '^[0-9]{1,18}$' then rid::bigint end
                  from (
                    select case audit_log.entity
                      when 'registration' then audit_log.entity_id
                      when 'checkin' then audit_log.detail ->> 'registration_id'
                    end as rid
                  ) reg_ref
                )
              )
            end as ref
          ) person_ref
        )
      )`.as("subject_name"),
      sql<string | null>`(
        select l.name from checkin_lists l
        where l.id = case
          when audit_log.detail ->> 'list_id' ~ '^[0-9]{1,9}$' then (audit_log.detail ->> 'list_id')::integer
        end
      )`.as("list_name"),
    ])
    .$if(args.eventId !== undefined, (q) =>
      q.where("audit_log.event_id", "=", args.eventId as number),
    )
    .$if((args.entities?.length ?? 0) > 0, (q) =>
      q.where("audit_log.entity", "in", args.entities as string[]),
    )
    .orderBy("audit_log.at", "desc")
    .orderBy("audit_log.id", "desc")
    .limit(args.limit ?? 100)
    .offset(args.offset ?? 0)
    .execute();
}
