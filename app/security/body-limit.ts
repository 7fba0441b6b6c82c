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
 * Forms and JSON get 256 KB: the longest real form (a registration with its
 * questions at 1,000 characters each, an event's 5,000-character
 * description) is under 100 KB even in Japanese, which a browser sends
 * percent-encoded at 9 bytes a character; a 100 MB POST is refused unread.
 * The routes that
 * take files enforce their own limit (20 MB a file, 2 MB a CSV) while
 * reading, before any parsing, with a message naming the file and its limit,
 * and read and drop a larger body so the browser sees that message; here
 * they get DRAIN_LIMIT, past which nothing is read at all.
 */
export const FORM_LIMIT = 256 * 1024;
const MB = 1024 * 1024;

/** Past this, a refused body is not read to its end: the connection is closed instead. */
const DRAIN_LIMIT = 64 * MB;

/** The routes with a larger body, and their limits (app/routes/… names in the comments). */
const LIMITS: { path: RegExp; bytes: number }[] = [
  // materials.new, reports.new: readUploadForm (materials.server.ts) refuses a file over 20 MB
  { path: /^\/(?:materials|reports)\/new\/?$/, bytes: DRAIN_LIMIT },
  // admin.events.$id.attendees_.import: readBodyWithin refuses a CSV over 2 MB (3 MB as base64)
  { path: /^\/admin\/events\/\d+\/attendees\/import\/?$/, bytes: DRAIN_LIMIT },
  // checkin.$eventSlug.sync: up to 1000 queued scans
  { path: /^\/checkin\/[^/]+\/sync\/?$/, bytes: 512 * 1024 },
];

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
