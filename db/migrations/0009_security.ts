import { type Kysely, sql } from "kysely";

/**
 * A reception desk's signed-in session at one event: when it first took the
 * roster (the earliest an offline scan of it can be dated) and the desk name
 * it works under (the name its offline scans are recorded with). Gone with
 * the session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table checkin_desk_sessions (
    session_id_hash text not null references auth_sessions(id_hash) on delete cascade,
    event_id integer not null references events(id) on delete cascade,
    desk text not null default '',
    roster_downloaded_at timestamptz not null default now(),
    primary key (session_id_hash, event_id)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table checkin_desk_sessions`.execute(db);
}
