import type { CheckinResultCode } from "../../db/schema";
import { formatTime } from "../utils/format";

/**
 * What a scan answers, shared by the server (online scans and sync) and the
 * page (offline scans against the roster), so a desk shows the same screen
 * either way. Plain TypeScript: no React, no server module. Messages come
 * from the one table in errors.server.ts; the page receives them from its
 * loader.
 */
/** The list every event has, besides one per session: the door of the event as a whole. */
export const WHOLE_EVENT_LIST_NAME = "受付(全体)";

export type CheckinTone = "green" | "amber" | "red";

export type CheckinMessages = Record<Exclude<CheckinResultCode, "ok">, string>;

export type CheckinAttendee = {
  registrationId: string;
  name: string;
  kana: string;
  union: string;
  course: string;
  ticketCode: string;
  dietary: string;
  accessibility: string;
};

export type CheckinStamp = {
  id: string | null;
  /** ISO time of the check-in */
  at: string;
  desk: string;
  staffName: string;
};

export type CheckinResult = {
  code: CheckinResultCode;
  tone: CheckinTone;
  title: string;
  message: string;
  listId: number;
  listName: string;
  attendee: CheckinAttendee | null;
  checkin: CheckinStamp | null;
  /** answered from the nonce's first answer, not acted on again */
  replayed: boolean;
  /** decided on this device against the roster, waiting to be sent */
  offline: boolean;
};

const TONES: Record<CheckinResultCode, CheckinTone> = {
  ok: "green",
  already_checked_in: "amber",
  not_registered_for_session: "red",
  waitlisted: "red",
  cancelled: "red",
  unknown_ticket: "red",
};

const TITLES: Record<CheckinResultCode, string> = {
  ok: "受付OK",
  already_checked_in: "受付済み",
  not_registered_for_session: "対象外",
  waitlisted: "キャンセル待ち",
  cancelled: "キャンセル済み",
  unknown_ticket: "確認できません",
};

/**
 * A typed or scanned ticket code in its stored form ("K7MX-3QPA-W9"): full-width
 * characters, lower case, spaces and any kind of dash are forgiven. The server
 * matches it, the page hashes it to match the roster offline.
 */
export function normaliseTicketCode(raw: string): string | null {
  const s = raw
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-‐‑–—―ー_]/g, "");
  return /^[0-9A-Z]{12}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}` : null;
}

/** When and where a ticket was checked in: "受付時刻 10:02(受付A、担当: 山田 花子)". */
export function describeStamp(stamp: CheckinStamp): string {
  const where = [stamp.desk, stamp.staffName ? `担当: ${stamp.staffName}` : ""].filter(Boolean);
  return `受付時刻 ${formatTime(stamp.at)}${where.length > 0 ? `(${where.join("、")})` : ""}`;
}

/** The one place a result's colour, title and message are decided. */
export function buildCheckinResult(
  args: {
    code: CheckinResultCode;
    listId: number;
    listName: string;
    attendee: CheckinAttendee | null;
    checkin: CheckinStamp | null;
    replayed?: boolean;
    offline?: boolean;
  },
  messages: CheckinMessages,
): CheckinResult {
  const { code } = args;
  // A ticket that is not recognised shows nothing about anyone.
  const attendee = code === "unknown_ticket" ? null : args.attendee;
  const checkin = code === "ok" || code === "already_checked_in" ? args.checkin : null;
  let message: string;
  if (code === "ok")
    // The whole event's list is itself called 受付(全体): "受付(全体)の受付をしました" says it twice.
    message =
      args.listName === WHOLE_EVENT_LIST_NAME
        ? "受付しました。"
        : `${args.listName}の受付をしました。`;
  else if (code === "already_checked_in")
    message = checkin ? `${messages.already_checked_in}${describeStamp(checkin)}` : messages[code];
  else if (code === "not_registered_for_session") message = `${messages[code]}(${args.listName})`;
  else message = messages[code];
  return {
    code,
    tone: TONES[code],
    title: TITLES[code],
    message,
    listId: args.listId,
    listName: args.listName,
    attendee,
    checkin,
    replayed: args.replayed ?? false,
    offline: args.offline ?? false,
  };
}
