/**
 * The shape of the demo data. It is plain data, so that the seed loader, the
 * test factories and the docs can all read it. Times are ISO 8601 strings with
 * an explicit +09:00 offset (they are stored as timestamptz, in UTC).
 */

export type OrganisationKind = "national_hq" | "prefectural_hq" | "local_union";

export type EventKind =
  | "online_seminar"
  | "national_convention"
  | "prefectural_convention"
  | "youth_gathering"
  | "working_group_meeting"
  | "study_session";

export type SessionKind =
  | "plenary"
  | "breakout"
  | "dinner"
  | "lodging"
  | "fieldwork"
  | "lecture"
  | "reception"
  | "meeting";

export type SeedOrganisation = {
  code: string;
  kind: OrganisationKind;
  name: string;
  nameKana: string;
  parent?: string;
};

export type SeedVenue = {
  key: string;
  name: string;
  postalCode?: string;
  address?: string;
  phone?: string;
  mapUrl?: string;
};

export type SeedSession = {
  key: string;
  kind: SessionKind;
  title: string;
  startsAt: string;
  endsAt?: string;
  /** key of a SeedVenue */
  venue?: string;
  onlineUrl?: string;
  capacity?: number;
  description?: string;
  /** true when a registrant chooses whether to attend (dinner, lodging) */
  optional: boolean;
};

export type SeedCourse = {
  key: string;
  /** e.g. "コース①" or "第8分科会" */
  code: string;
  title: string;
  /** who the course is for */
  audience?: string;
  facilitator?: string;
  adviser?: string;
  capacity?: number;
  /** key of the SeedSession it belongs to */
  session?: string;
  venue?: string;
  allocation?: "first_come" | "waitlist_only";
};

export type SeedProgrammeItem = {
  startsAt: string;
  endsAt?: string;
  title: string;
  speaker?: string;
  description?: string;
  session?: string;
};

export type SeedQuestion = {
  label: string;
  kind: "text" | "single" | "multiple";
  options?: string[];
  required: boolean;
};

export type SeedEvent = {
  slug: string;
  kind: EventKind;
  title: string;
  summary: string;
  description: string;
  /** code of the SeedOrganisation that organises it */
  organiser: string;
  startsAt: string;
  endsAt: string;
  venue?: string;
  online?: { label: string; url: string };
  membersOnly: boolean;
  /** an age limit: attendees must be this age or younger on the first day */
  maxAge?: number;
  capacity?: number;
  status: "published" | "closed" | "cancelled";
  windows: { label: string; opensAt: string; closesAt: string }[];
  cancellationDeadline?: string;
  sessions: SeedSession[];
  courses: SeedCourse[];
  programme: SeedProgrammeItem[];
  questions: SeedQuestion[];
  notes?: string;
};

export type SeedMeeting = {
  key: string;
  title: string;
  startsAt: string;
  endsAt?: string;
  placeKind: "room" | "zoom" | "site";
  placeName: string;
  venue?: string;
  onlineUrl?: string;
  /** the note as the seed gives it, e.g. "全体会終了後" */
  note?: string;
  /** the groups that hold this meeting, with the meeting's number in each */
  groups: { group: number; number: number | null }[];
};

export type SeedWorkingGroup = {
  number: number;
  name: string;
  theme: string;
  topics: string[];
  term: string;
};
