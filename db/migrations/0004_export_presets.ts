import { type Kysely, sql } from "kysely";

/**
 * Saved column choices for attendee exports: one person's named list of
 * columns, for one event (event_id set) or for every event (event_id null).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table export_presets (
    id serial primary key,
    person_id bigint not null references people(id) on delete cascade,
    event_id integer references events(id) on delete cascade,
    name text not null check (length(name) between 1 and 50),
    columns jsonb not null default '[]',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique nulls not distinct (person_id, event_id, name)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table export_presets`.execute(db);
}
