import { type Kysely, sql } from "kysely";

/**
 * Working groups beyond their meetings: the 専門部会員募集 (a round, each
 * member's application with ranked choices and a motivation), one-click RSVP
 * links for email, and what reports and meetings still lacked.
 */
const up_statements = [
  // One 専門部会員募集, every other year: members apply to the groups of `term`.
  `create table recruitment_rounds (
    id serial primary key,
    organisation_id integer not null references organisations(id),
    term text not null,
    title text not null,
    description text not null default '',
    opens_at timestamptz not null,
    closes_at timestamptz not null,
    max_choices integer not null default 3 check (max_choices between 1 and 5),
    results_sent_at timestamptz,
    created_by bigint references people(id),
    created_at timestamptz not null default now(),
    check (closes_at > opens_at)
  )`,

  `create table recruitment_applications (
    id bigserial primary key,
    round_id integer not null references recruitment_rounds(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    motivation text not null default '',
    -- the organiser's decision; null until assigned (or when not taken on)
    assigned_group_id integer references working_groups(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (round_id, person_id)
  )`,

  // The groups an applicant asks for, in order of preference (rank 1 first).
  `create table recruitment_choices (
    application_id bigint not null references recruitment_applications(id) on delete cascade,
    rank integer not null check (rank >= 1),
    group_id integer not null references working_groups(id) on delete cascade,
    primary key (application_id, rank),
    unique (application_id, group_id)
  )`,

  // A link in a meeting email that answers the RSVP without signing in. Only
  // the SHA-256 of the 256-bit token is kept.
  `create table meeting_rsvp_links (
    token_hash text primary key,
    meeting_id integer not null references group_meetings(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    expires_at timestamptz not null,
    created_at timestamptz not null default now()
  )`,
  `create index meeting_rsvp_links_meeting_idx on meeting_rsvp_links(meeting_id, person_id)`,

  `alter table group_meetings
    add column rsvp_reminded_at timestamptz,
    add column updated_at timestamptz not null default now()`,

  // The 分科会 the author asked for; reports.course_id is the organiser's assignment.
  `alter table reports
    add column requested_course_id integer references courses(id) on delete set null,
    add column content_type text not null default '',
    add column size_bytes integer,
    add column updated_at timestamptz not null default now()`,
  `create index reports_event_idx on reports(event_id, course_id, presentation_order)`,
  `create index materials_event_idx on materials(event_id)`,
  `create index materials_group_idx on materials(group_id)`,
  `create index meeting_attendance_person_idx on meeting_attendance(person_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const statements = [
    "drop index if exists meeting_attendance_person_idx",
    "drop index if exists materials_group_idx",
    "drop index if exists materials_event_idx",
    "drop index if exists reports_event_idx",
    `alter table reports drop column requested_course_id, drop column content_type,
      drop column size_bytes, drop column updated_at`,
    "alter table group_meetings drop column rsvp_reminded_at, drop column updated_at",
    "drop table if exists meeting_rsvp_links",
    "drop table if exists recruitment_choices",
    "drop table if exists recruitment_applications",
    "drop table if exists recruitment_rounds",
  ];
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
