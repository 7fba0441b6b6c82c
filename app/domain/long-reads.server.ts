import { type Database, longReads } from "../../db/index";
import { DomainError } from "./errors.server";

/**
 * Long readers (ARCHITECTURE.md rule 12): the attendee exports (CSV, XLSX,
 * the PDF 受付名簿 and 名札) and the 専門部会 attendance files. Each takes a
 * slot of the long readers' pool (db/index.ts, EXPORT_CONNECTIONS, 3 by
 * default) before its first query and runs on that pool, so however many
 * downloads arrive at once, registrations, pages and /healthz keep the main
 * pool. With no slot free the answer is at once exports_busy: 503 in
 * Japanese, with Retry-After (app/server.ts).
 */
export type LongRead = {
  /** the long readers' pool: run every query of this read on it */
  db: Database;
  /** gives the slot back; later calls do nothing */
  release: () => void;
};

/** A slot, or DomainError("exports_busy") when all are taken. */
export function takeLongRead(db: Database): LongRead {
  const lane = longReads(db);
  const release = lane.take();
  if (!release) throw new DomainError("exports_busy");
  return { db: lane.db, release };
}

/** Runs `fn` holding a slot, released when it settles (for a file built whole, not streamed). */
export async function withLongRead<T>(db: Database, fn: (db: Database) => Promise<T>): Promise<T> {
  const read = takeLongRead(db);
  try {
    return await fn(read.db);
  } finally {
    read.release();
  }
}

/** A DomainError as the plain-text answer a download link gets. */
export function downloadErrorResponse(error: DomainError): Response {
  return new Response(error.message, {
    status: error.status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
