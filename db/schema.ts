import type { ColumnType, Generated, Selectable } from "kysely";

/** The schema as Kysely sees it; kept by hand next to db/migrations/. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
// jsonb: pass the value itself; postgres.js serialises it (a string would be stored as a JSON string).
type Json<T> = ColumnType<T, T, T>;

export type OrganisationKind = "national_hq" | "prefectural_hq" | "local_union";
export type PersonRole = "member" | "admin" | "organiser" | "secretary" | "reception";
export type EventKind =
  | "online_seminar"
  | "national_convention"
  | "prefectural_convention"
  | "youth_gathering"
  | "working_group_meeting"
  | "study_session";
export type EventStatus = "draft" | "published" | "closed" | "cancelled";
export type SessionKind =
  | "plenary"
  | "breakout"
  | "dinner"
  | "lodging"
  | "fieldwork"
  | "lecture"
  | "reception"
  | "meeting";
export type RegistrationStatus = "confirmed" | "waitlisted" | "cancelled";
export type CourseAllocation = "first_come" | "waitlist_only";

export type CourseWord = "分科会" | "コース" | "チーム";
/** Whether a person's 単組 has confirmed them: see app/domain/membership.server.ts. */
export type MembershipStatus = "none" | "pending" | "confirmed" | "declined";
export type MembershipVia = "roster" | "domain" | "secretary" | "proxy" | "seed" | "migration";

export interface OrganisationsTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: OrganisationKind;
  code: string;
  name: string;
  name_kana: string;
  created_at: CreatedAt;
  retired_at: Timestamp | null;
}

export interface PeopleTable {
  id: Generated<string>;
  email: string;
  family_name: Generated<string>;
  given_name: Generated<string>;
  family_name_kana: Generated<string>;
  given_name_kana: Generated<string>;
  organisation_id: number | null;
  workplace: Generated<string>;
  phone: Generated<string>;
  birth_date: ColumnType<string | null, string | null | undefined, string | null>;
  role: Generated<PersonRole>;
  password_hash: string | null;
  profile_completed_at: Timestamp | null;
  /** set when the account was deleted (by its owner or the retention job); the row stays, emptied, for counts */
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** a disabled account signs in no more; its sessions were ended */
  disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** the account works until then (a reception account for one event) */
  valid_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  invited_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  password_changed_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  /** base32 TOTP secret; set while enrolling, in force once totp_enabled_at is set */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** the last TOTP time step accepted, so a code works once */
  totp_last_counter: ColumnType<string | null, number | null | undefined, number | null>;
  membership_status: Generated<MembershipStatus>;
  membership_via: MembershipVia | null;
  membership_decided_at: Timestamp | null;
  membership_decided_by: string | null;
}

export interface VenuesTable {
  id: Generated<number>;
  key: string | null;
  name: string;
  postal_code: Generated<string>;
  address: Generated<string>;
  phone: Generated<string>;
  map_url: Generated<string>;
  created_at: CreatedAt;
}

export interface EventsTable {
  id: Generated<number>;
  slug: string;
  kind: EventKind;
  title: string;
  summary: Generated<string>;
  description: Generated<string>;
  notes: Generated<string>;
  organiser_organisation_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  venue_id: number | null;
  online_label: Generated<string>;
  online_url: Generated<string>;
  status: Generated<EventStatus>;
  members_only: Generated<boolean>;
  max_age: number | null;
  capacity: number | null;
  taken: Generated<number>;
  cancellation_deadline: Timestamp | null;
  reminder_sent_at: Timestamp | null;
  /** the event's own purposes of use beyond the privacy notice (e.g. sharing the list with the host prefecture) */
  privacy_purposes: Generated<string>;
  /** the event's word for a course: 分科会, コース or チーム (courseWord in app/utils/labels.ts) */
  course_word: Generated<CourseWord>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ApiTokensTable {
  id: Generated<number>;
  person_id: string;
  name: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type WebhookTopic = "registration.created" | "registration.cancelled" | "checkin.created";

export interface WebhooksTable {
  id: Generated<number>;
  created_by: string;
  event_id: number | null;
  url: string;
  secret: string;
  topics: WebhookTopic[];
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface UnionQuotasTable {
  event_id: number;
  organisation_id: number;
  seats: number;
}

export interface EventStaffTable {
  event_id: number;
  person_id: string;
  role: "organiser" | "reception";
  added_at: CreatedAt;
  added_by: string | null;
}

export interface UnionRosterTable {
  organisation_id: number;
  email: string;
  name: Generated<string>;
  added_by: string | null;
  added_at: CreatedAt;
}

export interface UnionMailDomainsTable {
  organisation_id: number;
  domain: string;
  added_by: string | null;
  added_at: CreatedAt;
}

export interface RegistrationWindowsTable {
  id: Generated<number>;
  event_id: number;
  label: Generated<string>;
  opens_at: Timestamp;
  closes_at: Timestamp;
}

export interface EventSessionsTable {
  id: Generated<number>;
  event_id: number;
  key: string;
  kind: SessionKind;
  title: string;
  description: Generated<string>;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  venue_id: number | null;
  online_url: Generated<string>;
  optional: Generated<boolean>;
  capacity: number | null;
  taken: Generated<number>;
  status: Generated<"active" | "cancelled">;
  position: Generated<number>;
}

export interface CoursesTable {
  id: Generated<number>;
  event_id: number;
  session_id: number | null;
  key: string;
  code: Generated<string>;
  title: string;
  audience: Generated<string>;
  facilitator: Generated<string>;
  adviser: Generated<string>;
  venue_id: number | null;
  capacity: number | null;
  taken: Generated<number>;
  allocation: Generated<CourseAllocation>;
  status: Generated<"active" | "cancelled">;
  position: Generated<number>;
}

export interface ProgrammeItemsTable {
  id: Generated<number>;
  event_id: number;
  session_id: number | null;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  title: string;
  speaker: Generated<string>;
  description: Generated<string>;
  position: Generated<number>;
}

export interface EventQuestionsTable {
  id: Generated<number>;
  event_id: number;
  label: string;
  kind: "text" | "single" | "multiple";
  options: Json<string[]>;
  required: Generated<boolean>;
  position: Generated<number>;
}

export interface RegistrationsTable {
  id: Generated<string>;
  event_id: number;
  person_id: string;
  status: RegistrationStatus;
  ticket_secret: string;
  ticket_code: string;
  course_id: number | null;
  dietary_needs: Generated<string>;
  accessibility_needs: Generated<string>;
  answers: Json<Record<string, string | string[]>>;
  registered_by: string | null;
  waitlisted_at: Timestamp | null;
  confirmed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  /** the privacy notice version consented to, and when */
  consent_version: number | null;
  consented_at: Timestamp | null;
  /** the separate, explicit consent for dietary/accessibility needs (要配慮個人情報) */
  needs_consented_at: Timestamp | null;
  /** the staff member who attested the person's consent (proxy registration, CSV import) */
  consent_attested_by: string | null;
  /** answers and needs removed (retention, or the account's deletion) */
  personal_data_removed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface RegistrationSessionsTable {
  registration_id: string;
  session_id: number;
}

export interface RegistrationHistoryTable {
  id: Generated<string>;
  registration_id: string;
  at: CreatedAt;
  actor_person_id: string | null;
  action: string;
  detail: Json<Record<string, unknown>>;
}

export interface CheckinListsTable {
  id: Generated<number>;
  event_id: number;
  session_id: number | null;
  name: string;
}

export interface CheckinsTable {
  id: Generated<string>;
  checkin_list_id: number;
  registration_id: string;
  checked_in_at: CreatedAt;
  desk: Generated<string>;
  staff_person_id: string | null;
  client_nonce: string | null;
  created_at: CreatedAt;
}

export type CheckinResultCode =
  | "ok"
  | "already_checked_in"
  | "not_registered_for_session"
  | "waitlisted"
  | "cancelled"
  | "unknown_ticket";

export interface CheckinScansTable {
  client_nonce: string;
  event_id: number;
  checkin_list_id: number;
  registration_id: string | null;
  result: CheckinResultCode;
  checkin_id: string | null;
  desk: Generated<string>;
  staff_person_id: string | null;
  client_time: Timestamp | null;
  created_at: CreatedAt;
}

export interface WorkingGroupsTable {
  id: Generated<number>;
  organisation_id: number;
  number: number;
  name: string;
  theme: Generated<string>;
  topics: Json<string[]>;
  term: Generated<string>;
}

export interface WorkingGroupMembersTable {
  group_id: number;
  person_id: string;
  role: Generated<"member" | "leader">;
  joined_at: CreatedAt;
}

export interface GroupMeetingsTable {
  id: Generated<number>;
  key: string | null;
  title: Generated<string>;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  place_kind: "room" | "zoom" | "site";
  place_name: Generated<string>;
  venue_id: number | null;
  online_url: Generated<string>;
  note: Generated<string>;
  event_id: number | null;
  created_at: CreatedAt;
  rsvp_reminded_at: Timestamp | null;
  updated_at: CreatedAt;
}

export interface GroupMeetingGroupsTable {
  meeting_id: number;
  group_id: number;
  number: number | null;
}

export interface MeetingRsvpsTable {
  meeting_id: number;
  person_id: string;
  answer: "yes" | "no" | "maybe";
  updated_at: CreatedAt;
}

export interface MeetingAttendanceTable {
  meeting_id: number;
  person_id: string;
  attended: boolean;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

export interface MaterialsTable {
  id: Generated<number>;
  event_id: number | null;
  session_id: number | null;
  group_id: number | null;
  title: string;
  description: Generated<string>;
  kind: "file" | "link" | "video";
  url: Generated<string>;
  storage_key: string | null;
  filename: Generated<string>;
  content_type: Generated<string>;
  size_bytes: number | null;
  visibility: "public" | "members" | "registrants" | "roster";
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ReportsTable {
  id: Generated<number>;
  event_id: number;
  course_id: number | null;
  organisation_id: number | null;
  submitted_by: string | null;
  title: string;
  authors: Generated<string>;
  storage_key: string | null;
  filename: Generated<string>;
  status: Generated<"submitted" | "accepted" | "rejected">;
  award: Generated<string>;
  file_public: Generated<boolean>;
  presentation_order: number | null;
  created_at: CreatedAt;
  requested_course_id: number | null;
  content_type: Generated<string>;
  size_bytes: number | null;
  updated_at: CreatedAt;
}

export interface RecruitmentRoundsTable {
  id: Generated<number>;
  organisation_id: number;
  term: string;
  title: string;
  description: Generated<string>;
  opens_at: Timestamp;
  closes_at: Timestamp;
  max_choices: Generated<number>;
  results_sent_at: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface RecruitmentApplicationsTable {
  id: Generated<string>;
  round_id: number;
  person_id: string;
  motivation: Generated<string>;
  assigned_group_id: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface RecruitmentChoicesTable {
  application_id: string;
  rank: number;
  group_id: number;
}

export interface MeetingRsvpLinksTable {
  token_hash: string;
  meeting_id: number;
  person_id: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: CreatedAt;
  actor_person_id: string | null;
  event_id: number | null;
  entity: string;
  entity_id: string;
  action: string;
  detail: Json<Record<string, unknown>>;
}

export interface LoginTokensTable {
  token_hash: string;
  email: string;
  next_path: Generated<string>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface AuthSessionsTable {
  id_hash: string;
  person_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  /** 'full': signed in; 'totp': waits for the second factor; 'enrol': may only set one up */
  stage: Generated<"full" | "totp" | "enrol">;
  last_seen_at: CreatedAt;
}

export interface PasswordTokensTable {
  token_hash: string;
  person_id: string;
  purpose: "invite" | "reset" | "first_admin";
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  person_id: string;
  code_hash: string;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface SiteSettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: CreatedAt;
  updated_by: string | null;
}

/** A desk's session at one event (0009_security): its first roster download and its desk name. */
export interface CheckinDeskSessionsTable {
  session_id_hash: string;
  event_id: number;
  desk: Generated<string>;
  roster_downloaded_at: CreatedAt;
}

export interface RateLimitsTable {
  key: string;
  window_started_at: Timestamp;
  hits: number;
}

export interface ExportPresetsTable {
  id: Generated<number>;
  person_id: string;
  /** null: the person's preset for every event */
  event_id: number | null;
  name: string;
  /** column keys in order, e.g. ["name", "kana", "q:12"] */
  columns: Json<string[]>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface OutboundEmailsTable {
  id: Generated<string>;
  to_address: string;
  subject: string;
  template: string;
  payload: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface PrivacyNoticesTable {
  version: number;
  body: string;
  published_at: CreatedAt;
  published_by: string | null;
}

export interface SignInsTable {
  id: Generated<string>;
  person_id: string;
  at: CreatedAt;
  method: "link" | "password" | "session";
}

export interface PrivacySettingsTable {
  id: Generated<number>;
  answers_months: Generated<number>;
  inactive_months: Generated<number>;
  updated_at: CreatedAt;
  updated_by: string | null;
}

/** A job-queue worker of a running app process (db/migrations/0010_faults.ts). */
export interface QueueWorkersTable {
  worker_id: string;
  owner: number;
  started_at: Generated<Date>;
}

export interface DB {
  queue_workers: QueueWorkersTable;
  organisations: OrganisationsTable;
  people: PeopleTable;
  venues: VenuesTable;
  events: EventsTable;
  event_staff: EventStaffTable;
  union_roster: UnionRosterTable;
  union_mail_domains: UnionMailDomainsTable;
  union_quotas: UnionQuotasTable;
  api_tokens: ApiTokensTable;
  webhooks: WebhooksTable;
  registration_windows: RegistrationWindowsTable;
  event_sessions: EventSessionsTable;
  courses: CoursesTable;
  programme_items: ProgrammeItemsTable;
  event_questions: EventQuestionsTable;
  registrations: RegistrationsTable;
  registration_sessions: RegistrationSessionsTable;
  registration_history: RegistrationHistoryTable;
  checkin_lists: CheckinListsTable;
  checkins: CheckinsTable;
  checkin_scans: CheckinScansTable;
  working_groups: WorkingGroupsTable;
  working_group_members: WorkingGroupMembersTable;
  group_meetings: GroupMeetingsTable;
  group_meeting_groups: GroupMeetingGroupsTable;
  meeting_rsvps: MeetingRsvpsTable;
  meeting_attendance: MeetingAttendanceTable;
  materials: MaterialsTable;
  reports: ReportsTable;
  recruitment_rounds: RecruitmentRoundsTable;
  recruitment_applications: RecruitmentApplicationsTable;
  recruitment_choices: RecruitmentChoicesTable;
  meeting_rsvp_links: MeetingRsvpLinksTable;
  audit_log: AuditLogTable;
  login_tokens: LoginTokensTable;
  auth_sessions: AuthSessionsTable;
  password_tokens: PasswordTokensTable;
  recovery_codes: RecoveryCodesTable;
  site_settings: SiteSettingsTable;
  rate_limits: RateLimitsTable;
  checkin_desk_sessions: CheckinDeskSessionsTable;
  outbound_emails: OutboundEmailsTable;
  export_presets: ExportPresetsTable;
  privacy_notices: PrivacyNoticesTable;
  sign_ins: SignInsTable;
  privacy_settings: PrivacySettingsTable;
}

export type Person = Selectable<PeopleTable>;
