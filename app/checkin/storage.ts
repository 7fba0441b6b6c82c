import { createStore, get, set } from "idb-keyval";
import type { QueuedScan, Roster } from "./roster";

/**
 * Where a desk keeps its state on the device: the roster in IndexedDB (through
 * idb-keyval, in the database and store the desk has always used, so a roster
 * kept before still loads), and the scans waiting to be sent in localStorage,
 * which is written at once and survives a reload. Browser-only.
 */

let store: ReturnType<typeof createStore> | undefined;
const rosterStore = () => {
  store ??= createStore("jichiken-checkin", "kv");
  return store;
};

export async function loadStoredRoster(slug: string): Promise<Roster | undefined> {
  try {
    return await get<Roster>(`roster:${slug}`, rosterStore());
  } catch {
    return undefined;
  }
}

export async function storeRoster(slug: string, roster: Roster): Promise<void> {
  try {
    await set(`roster:${slug}`, roster, rosterStore());
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
