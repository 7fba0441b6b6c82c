import { type Kysely, sql } from "kysely";

/** The JSON API: per-person tokens, and HMAC-signed webhooks. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table api_tokens (
    id serial primary key,
    person_id bigint not null references people(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`.execute(db);
  await sql`create table webhooks (
    id serial primary key,
    created_by bigint not null references people(id) on delete cascade,
    event_id integer references events(id) on delete cascade,
    url text not null,
    secret text not null,
    topics text[] not null,
    active boolean not null default true,
    created_at timestamptz not null default now()
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table webhooks`.execute(db);
  await sql`drop table api_tokens`.execute(db);
}
