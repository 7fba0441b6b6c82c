import { type Kysely, sql } from "kysely";

/** Organisers: seats given to each 単組, and the day-before reminder's stamp. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table union_quotas (
    event_id integer not null references events(id) on delete cascade,
    organisation_id integer not null references organisations(id),
    seats integer not null check (seats >= 0),
    primary key (event_id, organisation_id)
  )`.execute(db);
  await sql`alter table events add column reminder_sent_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events drop column reminder_sent_at`.execute(db);
  await sql`drop table union_quotas`.execute(db);
}
