/**
 * What an email says, as data. A message is stored as (template, payload) in
 * outbound_emails in the same transaction as its cause, and rendered to HTML,
 * text and attachments when it is sent or shown at /dev/mail.
 * Times are ISO 8601 strings; they are shown in Asia/Tokyo.
 */

export type EmailEvent = {
  title: string;
  slug: string;
  startsAt: string;
  endsAt: string;
  venueName: string;
  venueAddress: string;
  mapUrl: string;
  /** 「オンライン(Zoom)」 for online events, else "" */
  onlineLabel: string;
  /** the Zoom link: set only for a confirmed registration of an online event */
  onlineUrl?: string;
  /** the event's word for a course (分科会, コース, チーム); mails queued before it say コース */
  courseWord?: string;
  /** until when /me can cancel, ISO; absent when there is no deadline */
  cancellationDeadline?: string;
  programme: { startsAt: string; title: string; speaker: string }[];
};

export type RegistrationEmailKind =
  | "confirmed" // registered, with a seat
  | "waitlisted" // registered, on the waitlist
  | "promoted" // moved from the waitlist to a seat
  | "changed" // course or sessions changed
  | "cancelled"; // cancelled by the member or an organiser

export type RegistrationEmail = {
  kind: RegistrationEmailKind;
  /** family name first: 佐藤 花子 */
  name: string;
  event: EmailEvent;
  /** the QR payload; present when the registration holds a seat */
  ticketSecret?: string;
  /** short code printed under the QR */
  ticketCode: string;
  /** e.g. 「コース② 【中級編】よりよい地域をめざして」 */
  course?: string;
  sessions: string[];
  waitlistPosition?: number;
  /** absolute URL of /me */
  manageUrl: string;
};

export type LoginLinkEmail = {
  /** absolute one-time sign-in URL */
  url: string;
  expiresMinutes: number;
};

export type EmailMessage =
  | { template: "login_link"; payload: LoginLinkEmail }
  | { template: "registration"; payload: RegistrationEmail }
  | { template: "group_meeting"; payload: GroupMeetingEmail }
  | { template: "recruitment_result"; payload: RecruitmentResultEmail }
  | { template: "notice"; payload: NoticeEmail }
  | { template: "staff"; payload: StaffEmail };

/** To a staff member: an invitation or a password reset (a one-time link), or a new event to work on. */
export type StaffEmail = {
  kind: "invitation" | "password_reset" | "added_to_event";
  to: string;
  /** family name first, or "" when not known */
  name: string;
  /** lines such as 「役割: 主催担当」 */
  facts: string[];
  /** the link's path on this site, e.g. /admin/set-password?token=… */
  path: string;
  /** how long the link works, e.g. 「72時間」; "" when it does not expire */
  expires: string;
};

/** A message from the organisers: an event or course cancelled, a reminder, a note to attendees. */
export type NoticeEmail = {
  name: string;
  subject: string;
  body: string;
  eventTitle: string;
  manageUrl: string;
};

export type GroupMeetingEmailKind =
  | "created" // a meeting was added
  | "changed" // its date, time or place changed
  | "reminder"; // the member has not answered yet

/** A 専門部会 meeting, sent to each member of every roster that holds it. */
export type GroupMeetingEmail = {
  kind: GroupMeetingEmailKind;
  /** family name first: 佐藤 花子 */
  name: string;
  meeting: {
    id: number;
    title: string;
    /** each group holding it with its number: 「第1専門部会 第14回」 */
    groups: string[];
    startsAt: string;
    endsAt: string | null;
    placeKind: "room" | "zoom" | "site";
    placeName: string;
    address: string;
    mapUrl: string;
    /** the ZOOM link: rosters only */
    onlineUrl: string;
    note: string;
  };
  /** the member's answer so far */
  answer?: "yes" | "no" | "maybe";
  /** absolute one-click RSVP page for this member and meeting */
  rsvpUrl: string;
  /** absolute URL of the group's page */
  groupUrl: string;
};

/** The outcome of a 専門部会員募集 for one applicant. */
export type RecruitmentResultEmail = {
  name: string;
  roundTitle: string;
  /** the group the member joins, e.g. 「第1専門部会「地域創生」」; null when not taken on */
  assignedGroup: string | null;
  /** the member's choices, first preference first */
  choices: string[];
  /** absolute URL of the group's page, or of /groups */
  groupUrl: string;
};

export type RenderedEmail = {
  subject: string;
  html: string;
  text: string;
  attachments: {
    filename: string;
    content: Buffer;
    contentType: string;
    /** set for inline images referenced as cid: in the HTML */
    cid?: string;
  }[];
};
