import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { RegistrationStatus } from "../../db/schema";
import { searchKey } from "../utils/japanese";
import {
  buildCheckinResult,
  type CheckinAttendee,
  type CheckinMessages,
  type CheckinResult,
  type CheckinStamp,
  normaliseTicketCode,
} from "./result";

/**
 * The roster a desk keeps so it can go on scanning when the Wi-Fi fails
 * (hashed tickets, never secrets), and the answers decided from it. The
 * server builds the roster (checkin.server.ts), the desk reads it; plain
 * TypeScript for both.
 */

export type RosterEntry = {
  /** registration id */
  id: string;
  /** sha256 hex of the QR secret; the secret itself never leaves the server */
  h: string;
  /** sha256 hex of the ticket code, for a typed code offline */
  c: string;
  status: RegistrationStatus;
  attendee: CheckinAttendee;
  /** session ids the ticket counts for */
  sessions: number[];
  /** check-ins already made, by list id */
  checkins: Record<string, CheckinStamp>;
};

export type Roster = { generatedAt: string; entries: RosterEntry[] };

export type QueuedScan = {
  nonce: string;
  list: number;
  registration: string;
  /** the roster's hash of the ticket, when a ticket (not a name search) was scanned */
  ticketHash?: string;
  clientTime: string;
  desk: string;
  name: string;
};

export type RosterIndex = {
  byHash: Map<string, RosterEntry>;
  byCode: Map<string, RosterEntry>;
  byId: Map<string, RosterEntry>;
};

export function indexRoster(roster: Roster): RosterIndex {
  const index: RosterIndex = { byHash: new Map(), byCode: new Map(), byId: new Map() };
  for (const e of roster.entries) {
    index.byHash.set(e.h, e);
    index.byCode.set(e.c, e);
    index.byId.set(e.id, e);
  }
  return index;
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The roster entry a scan points at, as the server would find it. */
export function findInRoster(
  index: RosterIndex,
  scan: { ticket?: string; registration?: string },
): RosterEntry | undefined {
  if (scan.registration) return index.byId.get(scan.registration);
  const ticket = (scan.ticket ?? "").trim();
  if (SECRET_PATTERN.test(ticket)) return index.byHash.get(sha256Hex(ticket));
  const code = normaliseTicketCode(ticket);
  if (code) return index.byCode.get(sha256Hex(code));
  return undefined;
}

/**
 * The answer the server would give, decided from the roster and the scans
 * still queued on this device. Only a green answer is queued for sending.
 */
export function decideOffline(args: {
  entry: RosterEntry | undefined;
  list: { id: number; name: string; sessionId: number | null };
  queue: QueuedScan[];
  stamp: CheckinStamp;
  messages: CheckinMessages;
}): CheckinResult {
  const { entry, list } = args;
  const base = { listId: list.id, listName: list.name, offline: true };
  if (!entry)
    return buildCheckinResult(
      { ...base, code: "unknown_ticket", attendee: null, checkin: null },
      args.messages,
    );
  const attendee = entry.attendee;
  const refuse = (code: "cancelled" | "waitlisted" | "not_registered_for_session") =>
    buildCheckinResult({ ...base, code, attendee, checkin: null }, args.messages);
  if (entry.status === "cancelled") return refuse("cancelled");
  if (entry.status === "waitlisted") return refuse("waitlisted");
  if (list.sessionId !== null && !entry.sessions.includes(list.sessionId))
    return refuse("not_registered_for_session");
  const done = entry.checkins[String(list.id)];
  const queued = args.queue.find((q) => q.list === list.id && q.registration === entry.id);
  const earlier =
    done ??
    (queued
      ? { id: null, at: queued.clientTime, desk: queued.desk, staffName: args.stamp.staffName }
      : undefined);
  if (earlier)
    return buildCheckinResult(
      { ...base, code: "already_checked_in", attendee, checkin: earlier },
      args.messages,
    );
  return buildCheckinResult({ ...base, code: "ok", attendee, checkin: args.stamp }, args.messages);
}

/** Checked in / expected on a list as this device knows it, for the counter while offline. */
export function rosterCount(
  roster: Roster,
  list: { id: number; sessionId: number | null },
  queue: QueuedScan[],
): { checkedIn: number; expected: number } {
  const key = String(list.id);
  let expected = 0;
  const inside = new Set<string>();
  for (const e of roster.entries) {
    if (
      e.status === "confirmed" &&
      (list.sessionId === null || e.sessions.includes(list.sessionId))
    )
      expected++;
    if (e.checkins[key]) inside.add(e.id);
  }
  for (const q of queue) if (q.list === list.id) inside.add(q.registration);
  return { checkedIn: inside.size, expected };
}

/** Name, kana (hiragana or katakana) or ticket code; at most `limit` people. */
export function searchRoster(
  roster: Roster,
  index: RosterIndex,
  query: string,
  limit = 20,
): RosterEntry[] {
  const code = normaliseTicketCode(query);
  if (code) {
    const hit = index.byCode.get(sha256Hex(code));
    if (hit) return [hit];
  }
  const key = searchKey(query);
  if (key.length === 0) return [];
  const found: RosterEntry[] = [];
  for (const e of roster.entries) {
    if (searchKey(e.attendee.name).includes(key) || searchKey(e.attendee.kana).includes(key)) {
      found.push(e);
      if (found.length >= limit) break;
    }
  }
  return found;
}

/**
 * SHA-256 in hex, as the server's node:crypto hashes the roster. @noble/hashes
 * rather than crypto.subtle, which exists only on https and localhost: a desk
 * on a plain-http LAN address still has to match the roster.
 */
export function sha256Hex(value: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(value)));
}
