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
  | { template: "registration"; payload: RegistrationEmail };

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
