import { type Kysely, sql } from "kysely";

/**
 * Check-in: one row per scan sent with a client nonce, so that a desk replaying
 * its offline queue (or a retried request) gets the first answer back instead
 * of acting twice. The check-in itself stays in `checkins` (one per ticket and
 * list); this table remembers what each nonce was answered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table checkin_scans (
    client_nonce text primary key,
    event_id integer not null references events(id) on delete cascade,
    checkin_list_id integer not null references checkin_lists(id) on delete cascade,
    registration_id bigint references registrations(id) on delete cascade,
    result text not null check (result in ('ok', 'already_checked_in',
      'not_registered_for_session', 'waitlisted', 'cancelled', 'unknown_ticket')),
    checkin_id bigint references checkins(id) on delete set null,
    desk text not null default '',
    staff_person_id bigint references people(id),
    client_time timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index checkin_scans_event_idx on checkin_scans(event_id, created_at)`.execute(
    db,
  );
  await sql`create index checkins_registration_idx on checkins(registration_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index checkins_registration_idx`.execute(db);
  await sql`drop table checkin_scans`.execute(db);
}
