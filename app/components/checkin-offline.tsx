import type { RegistrationStatus } from "../../db/schema";
import { searchKey } from "../utils/japanese";
import {
  buildCheckinResult,
  type CheckinAttendee,
  type CheckinMessages,
  type CheckinResult,
  type CheckinStamp,
  normaliseTicketCode,
} from "./checkin-result";

/**
 * What a desk keeps on the device so it can go on scanning when the Wi-Fi
 * fails: the roster (hashed tickets, never secrets) in IndexedDB, and the
 * scans waiting to be sent in localStorage, each with a nonce and the time it
 * was made. Browser-only code; nothing here runs on the server.
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
export async function findInRoster(
  index: RosterIndex,
  scan: { ticket?: string; registration?: string },
): Promise<RosterEntry | undefined> {
  if (scan.registration) return index.byId.get(scan.registration);
  const ticket = (scan.ticket ?? "").trim();
  if (SECRET_PATTERN.test(ticket)) return index.byHash.get(await sha256Hex(ticket));
  const code = normaliseTicketCode(ticket);
  if (code) return index.byCode.get(await sha256Hex(code));
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
export async function searchRoster(
  roster: Roster,
  index: RosterIndex,
  query: string,
  limit = 20,
): Promise<RosterEntry[]> {
  const code = normaliseTicketCode(query);
  if (code) {
    const hit = index.byCode.get(await sha256Hex(code));
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

// ---------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------

const DB_NAME = "jichiken-checkin";
const STORE = "kv";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function loadStoredRoster(slug: string): Promise<Roster | undefined> {
  try {
    const db = await openDb();
    return await new Promise((resolve, reject) => {
      const request = db.transaction(STORE).objectStore(STORE).get(`roster:${slug}`);
      request.onsuccess = () => resolve(request.result as Roster | undefined);
      request.onerror = () => reject(request.error);
    });
  } catch {
    return undefined;
  }
}

export async function storeRoster(slug: string, roster: Roster): Promise<void> {
  try {
    const db = await openDb();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(roster, `roster:${slug}`);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } catch {
    // private mode or full storage: the roster stays in memory only
  }
}

const queueKey = (slug: string) => `jichiken-checkin:queue:${slug}`;

export function loadQueue(slug: string): QueuedScan[] {
  try {
    const raw = localStorage.getItem(queueKey(slug));
    const parsed = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(parsed) ? (parsed as QueuedScan[]) : [];
  } catch {
    return [];
  }
}

export function saveQueue(slug: string, queue: QueuedScan[]): void {
  localStorage.setItem(queueKey(slug), JSON.stringify(queue));
}

export function newNonce(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------
// SHA-256 (crypto.subtle exists only on https and localhost; a desk on a
// plain-http LAN address still needs to match the roster)
// ---------------------------------------------------------------------------

export async function sha256Hex(value: string): Promise<string> {
  const bytes = new TextEncoder().encode(value);
  if (globalThis.crypto?.subtle) {
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return sha256Fallback(bytes);
}

const K = (() => {
  const out = new Uint32Array(64);
  let n = 0;
  for (let p = 2; n < 64; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (!prime) continue;
    const c = Math.cbrt(p);
    out[n++] = Math.floor((c - Math.floor(c)) * 2 ** 32);
  }
  return out;
})();

const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export function sha256Fallback(bytes: Uint8Array): string {
  const length = bytes.length;
  const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  const h = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ];
  const w = new Uint32Array(64);
  for (let i = 0; i < padded.length; i += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(i + t * 4);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15] ?? 0;
      const y = w[t - 2] ?? 0;
      const s0 = ror(x, 7) ^ ror(x, 18) ^ (x >>> 3);
      const s1 = ror(y, 17) ^ ror(y, 19) ^ (y >>> 10);
      w[t] = ((w[t - 16] ?? 0) + s0 + (w[t - 7] ?? 0) + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let t = 0; t < 64; t++) {
      const s1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + (K[t] ?? 0) + (w[t] ?? 0)) | 0;
      const s0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const add = [a, b, c, d, e, f, g, hh];
    for (let j = 0; j < 8; j++) h[j] = ((h[j] ?? 0) + (add[j] ?? 0)) | 0;
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
}
