import { type Kysely, sql } from "kysely";

/**
 * Membership is confirmed, not claimed (issue 12). A person who picks a 単組 is
 * pending until the union confirms them: by its roster, by its mail domains, or
 * by a secretary. Unions can be retired; event staff records who added whom.
 * Frozen in time: never import app code here.
 */
const up_statements = [
  `alter table organisations add column retired_at timestamptz`,
  `alter table people add column membership_status text not null default 'none'
    check (membership_status in ('none', 'pending', 'confirmed', 'declined'))`,
  `alter table people add column membership_via text
    check (membership_via in ('roster', 'domain', 'secretary', 'proxy', 'seed', 'migration'))`,
  `alter table people add column membership_decided_at timestamptz`,
  `alter table people add column membership_decided_by bigint references people(id) on delete set null`,
  // Members who registered under the old rule keep their union: they were accepted then.
  `update people set membership_status = 'confirmed', membership_via = 'migration',
     membership_decided_at = now()
   where role = 'member' and profile_completed_at is not null
     and organisation_id in (select id from organisations where kind = 'local_union')`,
  `create index people_membership_pending_idx on people(organisation_id)
     where membership_status = 'pending'`,
  // A union's roster: the addresses its secretary vouches for (stored in lower case).
  `create table union_roster (
    organisation_id integer not null references organisations(id) on delete cascade,
    email text not null check (email = lower(email)),
    name text not null default '',
    added_by bigint references people(id) on delete set null,
    added_at timestamptz not null default now(),
    primary key (organisation_id, email)
  )`,
  `create index union_roster_email_idx on union_roster(email)`,
  // Mail domains whose every address belongs to the union (a city hall's, say).
  `create table union_mail_domains (
    organisation_id integer not null references organisations(id) on delete cascade,
    domain text not null check (domain = lower(domain)),
    added_by bigint references people(id) on delete set null,
    added_at timestamptz not null default now(),
    primary key (organisation_id, domain)
  )`,
  `create index union_mail_domains_domain_idx on union_mail_domains(domain)`,
  `alter table event_staff add column added_at timestamptz not null default now()`,
  `alter table event_staff add column added_by bigint references people(id) on delete set null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table event_staff drop column added_by`,
    `alter table event_staff drop column added_at`,
    `drop table union_mail_domains`,
    `drop table union_roster`,
    `drop index people_membership_pending_idx`,
    `alter table people drop column membership_decided_by`,
    `alter table people drop column membership_decided_at`,
    `alter table people drop column membership_via`,
    `alter table people drop column membership_status`,
    `alter table organisations drop column retired_at`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
