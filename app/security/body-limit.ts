import { Transform } from "node:stream";
import type express from "express";

/**
 * One limit on every request body, enforced before anything parses it
 * (ARCHITECTURE.md rule 10). A body over its route's limit is answered 413
 * with a Japanese message and never reaches a route: by its Content-Length at
 * once, or, for a body sent without one, as soon as the bytes that arrived
 * pass the limit (the stream the route reads fails, and app/server.ts answers
 * 413 instead of whatever the route made of it).
 *
 * Forms and JSON get 64 KB, far above any real form here; the routes that
 * take files have their own, a little above what they accept themselves, so
 * that their own message (naming the field and the size) answers first.
 */
export const FORM_LIMIT = 64 * 1024;
const MB = 1024 * 1024;

/** The routes with a larger body, and their limits (app/routes/… names in the comments). */
const LIMITS: { path: RegExp; bytes: number }[] = [
  // materials.new, reports.new: a file of up to 20 MB (materials.server.ts) and the form
  { path: /^\/(?:materials|reports)\/new\/?$/, bytes: 21 * MB },
  // admin.events.$id.attendees_.import: a CSV of up to 2 MB, carried again as base64 at step 2
  { path: /^\/admin\/events\/\d+\/attendees\/import\/?$/, bytes: 3 * MB + FORM_LIMIT },
  // checkin.$eventSlug.sync: up to 1000 queued scans
  { path: /^\/checkin\/[^/]+\/sync\/?$/, bytes: 512 * 1024 },
];

/** Past this, a refused body is not read to its end: the connection is closed instead. */
const DRAIN_LIMIT = 64 * MB;

export function bodyLimitFor(path: string): number {
  return LIMITS.find((l) => l.path.test(path))?.bytes ?? FORM_LIMIT;
}

/** The limit's size in words, for the message. */
export function sizeText(bytes: number): string {
  return bytes >= MB ? `${Math.floor(bytes / MB)}MB` : `${Math.floor(bytes / 1024)}KB`;
}

/**
 * Refuses a body whose declared length is over the route's limit, and notes
 * the limit for `limitedBody`. A refused body is read and dropped (up to
 * DRAIN_LIMIT) so that the browser sees the answer, not a reset connection.
 */
export function limitBodies(
  refuse: (req: express.Request, res: express.Response, limit: number) => void,
): express.RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const limit = bodyLimitFor(req.path);
    res.locals.bodyLimit = limit;
    const declared = Number(req.get("content-length") ?? Number.NaN);
    if (declared > limit) {
      drain(req, declared);
      refuse(req, res, limit);
      return;
    }
    next();
  };
}

/** Reads and drops the rest of a refused body; past DRAIN_LIMIT the connection is closed. */
function drain(req: express.Request, declared: number) {
  if (declared > DRAIN_LIMIT) {
    req.res?.setHeader("Connection", "close");
    req.res?.once("finish", () => req.destroy());
  }
  let read = 0;
  req.on("data", (chunk: Buffer) => {
    read += chunk.byteLength;
    if (read > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}

/**
 * The request body as the route will read it: the bytes of `req`, failing
 * with `onOver` called once more than `limit` bytes arrived. What is left of
 * such a body is read and dropped.
 */
export function limitedBody(
  req: express.Request,
  limit: number,
  onOver: () => void,
): NodeJS.ReadableStream {
  let size = 0;
  let over = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (over) return done();
      size += chunk.byteLength;
      if (size > limit) {
        over = true;
        onOver();
        req.unpipe(counter);
        drain(req, size);
        done(new BodyTooLargeError(limit));
        return;
      }
      done(null, chunk);
    },
  });
  req.pipe(counter);
  req.once("error", (error) => counter.destroy(error));
  return counter;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}
