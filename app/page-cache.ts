import { gzipSync } from "node:zlib";
import type express from "express";

/**
 * A shared cache in the app process for public pages, so that a crowd opening
 * the same event page at the hour registration opens costs one render a
 * second, not one per request.
 *
 * A route opts in the standard way, with `Cache-Control: public, s-maxage=N`
 * (see app/utils/cache.ts): shared caches may keep the page N seconds. Only
 * a 200 answer to a GET without a query string is kept, never one that sets
 * a cookie, so a page that depends on who asks must not opt in. When a kept
 * page expires, concurrent requests for it wait for one render. The gzip form
 * is made once per render, not once per request.
 *
 * What can be stale for N seconds: seats left and the open / closed state of
 * a window. Registration itself always checks both in its transaction.
 */
export function createPageCache(options: { maxEntries?: number } = {}) {
  const maxEntries = options.maxEntries ?? 500;
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<void>>();

  /**
   * Serves a fresh copy, or lets the request through to render. Only a page
   * already known to be public (it has an entry, even an expired one) makes
   * concurrent requests wait for one render; any other URL (/me, a download)
   * never waits on another request.
   */
  const serve: express.RequestHandler = (req, res, next) => {
    const key = keyOf(req);
    if (!key) return next();
    res.locals.pageCacheKey = key;
    const entry = entries.get(key);
    if (!entry) return next();
    if (entry.expires > Date.now()) return send(req, res, entry);
    const waiting = pending.get(key);
    if (waiting) {
      waiting.then(() => {
        const fresh = entries.get(key);
        if (fresh && fresh.expires > Date.now()) send(req, res, fresh);
        else next();
      });
      return;
    }
    let done!: () => void;
    const rendering = new Promise<void>((resolve) => {
      done = resolve;
    });
    pending.set(key, rendering);
    const release = () => {
      if (pending.get(key) !== rendering) return;
      pending.delete(key);
      done();
    };
    res.locals.pageCacheRelease = release;
    // A render that fails before store() still lets the others go.
    res.on("close", release);
    next();
  };

  /**
   * Called with the rendered response: keeps it when the route allowed it,
   * lets the requests that waited for it go, and returns the response to
   * send (the same, re-readable).
   */
  const store = async (res: express.Response, response: Response): Promise<Response> => {
    const key = res.locals.pageCacheKey as string | undefined;
    if (!key) return response;
    const release = (res.locals.pageCacheRelease as (() => void) | undefined) ?? (() => {});
    const control = response.headers.get("Cache-Control") ?? "";
    const seconds =
      response.status === 200 &&
      !response.headers.has("Set-Cookie") &&
      /(?:^|,)\s*public\b/.test(control)
        ? Number(/s-maxage=(\d+)/.exec(control)?.[1] ?? 0)
        : 0;
    if (!(seconds > 0)) {
      entries.delete(key);
      release();
      return response;
    }
    const body = Buffer.from(await response.arrayBuffer());
    const headers: [string, string][] = [...response.headers].filter(
      ([name]) => name !== "content-length",
    );
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.delete(key);
    entries.set(key, {
      status: response.status,
      headers,
      body,
      gzip: body.length > 1024 ? gzipSync(body) : undefined,
      expires: Date.now() + seconds * 1000,
    });
    release();
    return new Response(body, { status: response.status, headers: response.headers });
  };

  return { serve, store };
}

type Entry = {
  status: number;
  headers: [string, string][];
  body: Buffer;
  gzip: Buffer | undefined;
  expires: number;
};

function keyOf(req: express.Request): string | undefined {
  if (req.method !== "GET" || req.url.includes("?")) return undefined;
  return req.url;
}

function send(req: express.Request, res: express.Response, entry: Entry) {
  res.status(entry.status);
  for (const [name, value] of entry.headers) res.setHeader(name, value);
  res.setHeader("Vary", "Accept-Encoding");
  res.setHeader("X-Cache", "hit");
  if (entry.gzip && /\bgzip\b/.test(req.get("accept-encoding") ?? "")) {
    res.setHeader("Content-Encoding", "gzip");
    res.end(entry.gzip);
  } else {
    res.end(entry.body);
  }
}
