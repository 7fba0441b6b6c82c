import { type Kysely, sql } from "kysely";

/**
 * Staff accounts run from the app: invitations and password links, disabled
 * and time-limited accounts, a second factor (TOTP) with recovery codes,
 * sessions that end after inactivity, and site-wide settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table people
    add column disabled_at timestamptz,
    add column valid_until timestamptz,
    add column invited_at timestamptz,
    add column password_changed_at timestamptz,
    add column totp_secret text,
    add column totp_enabled_at timestamptz,
    add column totp_last_counter bigint`.execute(db);

  // One-time links to set a password: an invitation, a reset, or the first
  // administrator's (npm run admin:create). Stored as a hash only.
  await sql`create table password_tokens (
    token_hash text primary key,
    person_id bigint not null references people(id) on delete cascade,
    purpose text not null check (purpose in ('invite', 'reset', 'first_admin')),
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index password_tokens_person_idx on password_tokens(person_id)`.execute(db);

  await sql`create table recovery_codes (
    id bigserial primary key,
    person_id bigint not null references people(id) on delete cascade,
    code_hash text not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index recovery_codes_person_idx on recovery_codes(person_id)`.execute(db);

  // 'full' sessions are signed in; 'totp' waits for the second factor, and
  // 'enrol' may only set one up (required by the site, not yet enrolled).
  await sql`alter table auth_sessions
    add column stage text not null default 'full' check (stage in ('full', 'totp', 'enrol')),
    add column last_seen_at timestamptz not null default now()`.execute(db);

  await sql`create table site_settings (
    key text primary key,
    value jsonb not null,
    updated_at timestamptz not null default now(),
    updated_by bigint references people(id)
  )`.execute(db);

  await sql`create index audit_log_entity_idx on audit_log(entity, entity_id, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_log_entity_idx`.execute(db);
  await sql`drop table site_settings`.execute(db);
  await sql`alter table auth_sessions drop column stage, drop column last_seen_at`.execute(db);
  await sql`drop table recovery_codes`.execute(db);
  await sql`drop table password_tokens`.execute(db);
  await sql`alter table people
    drop column disabled_at,
    drop column valid_until,
    drop column invited_at,
    drop column password_changed_at,
    drop column totp_secret,
    drop column totp_enabled_at,
    drop column totp_last_counter`.execute(db);
}
