import { type Kysely, sql } from "kysely";

/**
 * The whole data model of the product, designed up front so that later work
 * adds columns rather than rewriting tables. Frozen in time: never import app
 * code here, and never edit this file once it has landed; add a new migration.
 */
const up_statements = [
  // 本部, 県本部 and 単組, as a tree.
  `create table organisations (
    id serial primary key,
    parent_id integer references organisations(id),
    kind text not null check (kind in ('national_hq', 'prefectural_hq', 'local_union')),
    code text not null unique,
    name text not null,
    name_kana text not null,
    created_at timestamptz not null default now()
  )`,
  `create index organisations_parent_idx on organisations(parent_id)`,

  `create table people (
    id bigserial primary key,
    email text not null,
    family_name text not null default '',
    given_name text not null default '',
    family_name_kana text not null default '',
    given_name_kana text not null default '',
    organisation_id integer references organisations(id),
    workplace text not null default '',
    phone text not null default '',
    birth_date date,
    role text not null default 'member'
      check (role in ('member', 'admin', 'organiser', 'secretary', 'reception')),
    password_hash text,
    profile_completed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create unique index people_email_key on people (lower(email))`,
  `create index people_organisation_idx on people(organisation_id)`,
  `create index people_kana_idx on people(family_name_kana, given_name_kana)`,

  `create table venues (
    id serial primary key,
    key text unique,
    name text not null,
    postal_code text not null default '',
    address text not null default '',
    phone text not null default '',
    map_url text not null default '',
    created_at timestamptz not null default now()
  )`,

  `create table events (
    id serial primary key,
    slug text not null unique,
    kind text not null check (kind in ('online_seminar', 'national_convention',
      'prefectural_convention', 'youth_gathering', 'working_group_meeting', 'study_session')),
    title text not null,
    summary text not null default '',
    description text not null default '',
    notes text not null default '',
    organiser_organisation_id integer not null references organisations(id),
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    venue_id integer references venues(id),
    online_label text not null default '',
    -- the Zoom link: shown only to confirmed registrants
    online_url text not null default '',
    status text not null default 'draft'
      check (status in ('draft', 'published', 'closed', 'cancelled')),
    members_only boolean not null default true,
    max_age integer check (max_age > 0),
    capacity integer check (capacity >= 0),
    taken integer not null default 0 check (taken >= 0),
    cancellation_deadline timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (ends_at >= starts_at)
  )`,
  `create index events_starts_at_idx on events(starts_at)`,

  // Staff access to one event: an organiser given the event, or a reception desk.
  `create table event_staff (
    event_id integer not null references events(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    role text not null check (role in ('organiser', 'reception')),
    primary key (event_id, person_id, role)
  )`,

  `create table registration_windows (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    label text not null default '',
    opens_at timestamptz not null,
    closes_at timestamptz not null,
    check (closes_at > opens_at)
  )`,
  `create index registration_windows_event_idx on registration_windows(event_id)`,

  // Days, plenary, 分科会, dinner, lodging and fieldwork of an event.
  `create table event_sessions (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    key text not null,
    kind text not null check (kind in ('plenary', 'breakout', 'dinner', 'lodging',
      'fieldwork', 'lecture', 'reception', 'meeting')),
    title text not null,
    description text not null default '',
    starts_at timestamptz not null,
    ends_at timestamptz,
    venue_id integer references venues(id),
    online_url text not null default '',
    optional boolean not null default false,
    capacity integer check (capacity >= 0),
    taken integer not null default 0 check (taken >= 0),
    status text not null default 'active' check (status in ('active', 'cancelled')),
    position integer not null default 0,
    unique (event_id, key)
  )`,

  // Breakout courses and 分科会: one is chosen per registration.
  `create table courses (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    session_id integer references event_sessions(id) on delete set null,
    key text not null,
    code text not null default '',
    title text not null,
    audience text not null default '',
    facilitator text not null default '',
    adviser text not null default '',
    venue_id integer references venues(id),
    capacity integer check (capacity >= 0),
    taken integer not null default 0 check (taken >= 0),
    allocation text not null default 'first_come'
      check (allocation in ('first_come', 'waitlist_only')),
    status text not null default 'active' check (status in ('active', 'cancelled')),
    position integer not null default 0,
    unique (event_id, key)
  )`,

  `create table programme_items (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    session_id integer references event_sessions(id) on delete set null,
    starts_at timestamptz not null,
    ends_at timestamptz,
    title text not null,
    speaker text not null default '',
    description text not null default '',
    position integer not null default 0
  )`,
  `create index programme_items_event_idx on programme_items(event_id, starts_at, position)`,

  `create table event_questions (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    label text not null,
    kind text not null check (kind in ('text', 'single', 'multiple')),
    options jsonb not null default '[]',
    required boolean not null default false,
    position integer not null default 0
  )`,

  `create table registrations (
    id bigserial primary key,
    event_id integer not null references events(id),
    person_id bigint not null references people(id),
    status text not null check (status in ('confirmed', 'waitlisted', 'cancelled')),
    -- the QR payload: 256 random bits, base64url; never an id
    ticket_secret text not null unique,
    -- short code printed under the QR, for manual search at the desk
    ticket_code text not null unique,
    course_id integer references courses(id),
    dietary_needs text not null default '',
    accessibility_needs text not null default '',
    answers jsonb not null default '{}',
    registered_by bigint references people(id),
    waitlisted_at timestamptz,
    confirmed_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (event_id, person_id)
  )`,
  `create index registrations_event_status_idx on registrations(event_id, status, waitlisted_at)`,
  `create index registrations_person_idx on registrations(person_id)`,
  `create index registrations_course_idx on registrations(course_id)`,

  `create table registration_sessions (
    registration_id bigint not null references registrations(id) on delete cascade,
    session_id integer not null references event_sessions(id),
    primary key (registration_id, session_id)
  )`,
  `create index registration_sessions_session_idx on registration_sessions(session_id)`,

  // What a registration went through, for the organiser's history view.
  `create table registration_history (
    id bigserial primary key,
    registration_id bigint not null references registrations(id) on delete cascade,
    at timestamptz not null default now(),
    actor_person_id bigint references people(id),
    action text not null,
    detail jsonb not null default '{}'
  )`,
  `create index registration_history_reg_idx on registration_history(registration_id, at)`,

  // A place where tickets are scanned: the event as a whole, or one session.
  `create table checkin_lists (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    session_id integer references event_sessions(id) on delete cascade,
    name text not null,
    unique nulls not distinct (event_id, session_id)
  )`,

  `create table checkins (
    id bigserial primary key,
    checkin_list_id integer not null references checkin_lists(id) on delete cascade,
    registration_id bigint not null references registrations(id),
    checked_in_at timestamptz not null default now(),
    desk text not null default '',
    staff_person_id bigint references people(id),
    client_nonce text unique,
    created_at timestamptz not null default now(),
    unique (checkin_list_id, registration_id)
  )`,

  `create table working_groups (
    id serial primary key,
    organisation_id integer not null references organisations(id),
    number integer not null,
    name text not null,
    theme text not null default '',
    topics jsonb not null default '[]',
    term text not null default '',
    unique (organisation_id, term, number)
  )`,

  `create table working_group_members (
    group_id integer not null references working_groups(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    role text not null default 'member' check (role in ('member', 'leader')),
    joined_at timestamptz not null default now(),
    primary key (group_id, person_id)
  )`,

  `create table group_meetings (
    id serial primary key,
    key text unique,
    title text not null default '',
    starts_at timestamptz not null,
    ends_at timestamptz,
    place_kind text not null check (place_kind in ('room', 'zoom', 'site')),
    place_name text not null default '',
    venue_id integer references venues(id),
    online_url text not null default '',
    note text not null default '',
    event_id integer references events(id) on delete set null,
    created_at timestamptz not null default now()
  )`,

  // A meeting shared by several groups (全体会, 中間報告会) has one row per group.
  `create table group_meeting_groups (
    meeting_id integer not null references group_meetings(id) on delete cascade,
    group_id integer not null references working_groups(id) on delete cascade,
    number integer,
    primary key (meeting_id, group_id)
  )`,
  `create index group_meeting_groups_group_idx on group_meeting_groups(group_id)`,

  `create table meeting_rsvps (
    meeting_id integer not null references group_meetings(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    answer text not null check (answer in ('yes', 'no', 'maybe')),
    updated_at timestamptz not null default now(),
    primary key (meeting_id, person_id)
  )`,

  `create table meeting_attendance (
    meeting_id integer not null references group_meetings(id) on delete cascade,
    person_id bigint not null references people(id) on delete cascade,
    attended boolean not null,
    recorded_by bigint references people(id),
    recorded_at timestamptz not null default now(),
    primary key (meeting_id, person_id)
  )`,

  `create table materials (
    id serial primary key,
    event_id integer references events(id) on delete cascade,
    session_id integer references event_sessions(id) on delete cascade,
    group_id integer references working_groups(id) on delete cascade,
    title text not null,
    description text not null default '',
    kind text not null check (kind in ('file', 'link', 'video')),
    url text not null default '',
    storage_key text,
    filename text not null default '',
    content_type text not null default '',
    size_bytes integer,
    visibility text not null check (visibility in ('public', 'members', 'registrants', 'roster')),
    created_by bigint references people(id),
    created_at timestamptz not null default now(),
    check (num_nonnulls(event_id, session_id, group_id) >= 1)
  )`,

  // 自治研レポート submitted for a convention.
  `create table reports (
    id serial primary key,
    event_id integer not null references events(id) on delete cascade,
    course_id integer references courses(id) on delete set null,
    organisation_id integer references organisations(id),
    submitted_by bigint references people(id),
    title text not null,
    authors text not null default '',
    storage_key text,
    filename text not null default '',
    status text not null default 'submitted'
      check (status in ('submitted', 'accepted', 'rejected')),
    award text not null default '',
    file_public boolean not null default false,
    presentation_order integer,
    created_at timestamptz not null default now()
  )`,

  `create table audit_log (
    id bigserial primary key,
    at timestamptz not null default now(),
    actor_person_id bigint references people(id),
    event_id integer references events(id) on delete cascade,
    entity text not null,
    entity_id text not null,
    action text not null,
    detail jsonb not null default '{}'
  )`,
  `create index audit_log_event_idx on audit_log(event_id, at)`,

  // Sign-in: one-time links for members, cookie sessions for everyone.
  `create table login_tokens (
    token_hash text primary key,
    email text not null,
    next_path text not null default '/',
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create table auth_sessions (
    id_hash text primary key,
    person_id bigint not null references people(id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index auth_sessions_person_idx on auth_sessions(person_id)`,
  `create table rate_limits (
    key text primary key,
    window_started_at timestamptz not null,
    hits integer not null
  )`,

  // Every email, rendered. The job queue carries only the id; the worker sends
  // the row and stamps sent_at, so a retried job never sends twice.
  `create table outbound_emails (
    id bigserial primary key,
    to_address text not null,
    subject text not null,
    template text not null,
    payload jsonb not null default '{}',
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    attempts integer not null default 0,
    last_error text
  )`,
  `create index outbound_emails_created_idx on outbound_emails(created_at desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    "outbound_emails",
    "rate_limits",
    "auth_sessions",
    "login_tokens",
    "audit_log",
    "reports",
    "materials",
    "meeting_attendance",
    "meeting_rsvps",
    "group_meeting_groups",
    "group_meetings",
    "working_group_members",
    "working_groups",
    "checkins",
    "checkin_lists",
    "registration_history",
    "registration_sessions",
    "registrations",
    "event_questions",
    "programme_items",
    "courses",
    "event_sessions",
    "registration_windows",
    "event_staff",
    "events",
    "venues",
    "people",
    "organisations",
  ];
  for (const table of tables) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  }
}
