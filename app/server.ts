import type { Server } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { fileURLToPath } from "node:url";
import {
  type AppLoadContext,
  createReadableStreamFromReadable,
  createRequestHandler,
  type ServerBuild,
} from "@remix-run/node";
import compression from "compression";
import express from "express";
import type { Database } from "../db/index";
import "./context";
import { FAILURES, type Failure } from "./domain/failures.server";
import { currentEnv } from "./env.server";
import { createPageCache } from "./page-cache";
import { limitBodies, limitedBody, sizeText } from "./security/body-limit";
import { clientAddress, isLoopback, trustProxySetting } from "./security/client-address";
import { ownPolicy, secureCookie, securityHeaders } from "./security/headers";
import { requestLogger } from "./request-log.server";
import { SERVER_ERROR } from "./utils/labels";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

type AppOptions = {
  db: Database;
  build: ServerBuild;
  appUrl: string;
  /** no SMTP outside production: mail is kept for /dev/mail */
  devMail: boolean;
  /** who may read /dev/mail: only this machine (the default), or anyone (DEV_MAILBOX=open) */
  devMailbox?: "loopback" | "open";
  /** TRUST_PROXY: the number of reverse proxies in front of the app (0: none) */
  trustProxy?: number;
  /** WEBHOOK_ALLOW_PRIVATE: webhooks may target private addresses (development) */
  allowPrivateWebhooks?: boolean;
  /** how long a client may take no bytes before its response is dropped (sendResponse) */
  stalledResponseMs?: number;
  /** one line per request (app/request-log.server.ts); none when not given, as in tests */
  log?: "text" | "json";
};

/**
 * The settings of the HTTP server the app listens on, the same wherever it
 * listens (production, the benchmarks). Its keep-alive outlasts a proxy's
 * (nginx and Caddy keep an idle connection to the app for 60 s and more), so
 * the proxy closes first: with Node's 5 s, a request sent on a connection the
 * app was closing at that moment is reset (a 502 for a member's POST).
 */
export function serverSettings<T extends Server>(server: T): T {
  server.keepAliveTimeout = 65_000;
  return server;
}

/** The HTTP app: static files and the Remix handler, with the database passed in. */
export function createApp(options: AppOptions) {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(options.trustProxy ?? 0));
  if (options.log) app.use(requestLogger(options.log));
  app.use(securityHeaders({ https: options.appUrl.startsWith("https:") }));
  app.use(refuseBadHost);
  app.use(limitBodies(tooLarge));
  const pageCache = createPageCache();
  app.use(pageCache.serve);
  app.use(compression());
  app.use(
    "/build",
    express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }),
  );
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.use(refuseCrossSiteForms);
  // The desk's JSON calls, hundreds a minute, skip Remix's route matching:
  // the same route module's action, after the same middleware, finished the same way.
  for (const [path, routeId] of LEAN_ROUTES) {
    app.post(path, leanAction(routeId, { ...options, pageCache }));
  }
  app.all("*", remixHandler({ ...options, pageCache }));
  app.use(lastResort);
  return app;
}

/**
 * The Remix handler, as @remix-run/express builds it, with two additions: a
 * request that failed for a reason that is no bug of the page (handleError in
 * entry.server.tsx marks its load context: the database is unreachable, or a
 * value could not be read) gets that failure's status and Japanese message
 * (app/domain/failures.server.ts) instead of the generic 500 page; and a
 * public page is handed to the page cache (app/page-cache.ts).
 */
function remixHandler(
  options: AppOptions & { pageCache: ReturnType<typeof createPageCache> },
): express.RequestHandler {
  const handle = createRequestHandler(options.build, currentEnv().NODE_ENV);
  return async (req, res, next) => {
    try {
      const context = loadContext(req, res, options);
      const response = await handle(remixRequest(req, res, context), context);
      await finishRemixResponse(req, res, response, context, options);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The desk's scan and sync (POST, JSON): no page, no loader, no layout, so
 * Remix's matching of every route (twice a request, ~0.5 ms of CPU) buys
 * nothing. These paths call their route module's action straight, after the
 * same middleware (headers, body limit, origin check) and with the same
 * load context and finishing (failures, Cache-Control, Retry-After) as any
 * Remix request; the action itself does the permission check and the audit.
 * docs/decisions/023-speed.md.
 */
const LEAN_ROUTES: [string, string][] = [
  ["/checkin/:eventSlug/scan", "routes/checkin.$eventSlug.scan"],
  ["/checkin/:eventSlug/sync", "routes/checkin.$eventSlug.sync"],
];

function leanAction(
  routeId: string,
  options: AppOptions & { pageCache: ReturnType<typeof createPageCache> },
): express.RequestHandler {
  const route = options.build.routes[routeId];
  const action = route?.module.action;
  if (!action) throw new Error(`leanAction: the build has no action for ${routeId}`);
  const handleError = options.build.entry.module.handleError;
  const serverError = () =>
    Response.json({ error: "server_error", message: SERVER_ERROR.message }, { status: 500 });
  return async (req, res, next) => {
    try {
      const context = loadContext(req, res, options);
      const params = { eventSlug: req.params.eventSlug ?? "" };
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = await wholeBody(req, res, context);
      } catch (error) {
        // A body over its limit is marked in the context: answered 413 as on any route.
        if (context.failure === "body_too_large") {
          await finishRemixResponse(req, res, serverError(), context, options);
          return;
        }
        // A client gone while sending its body: nobody to answer.
        if (req.destroyed) return;
        throw error;
      }
      const request = remixRequest(req, res, context, body);
      let response: Response;
      try {
        const result: unknown = await action({ request, params, context });
        response = result instanceof Response ? result : Response.json(result);
      } catch (error) {
        if (error instanceof Response) response = error;
        else {
          handleError?.(error, { request, params, context });
          response = serverError();
        }
      }
      await finishRemixResponse(req, res, response, context, options);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The URL the request was made to. Undefined when its Host (or, behind a
 * trusted proxy, X-Forwarded-Host) cannot be a URL's host, such as "a b".
 */
function requestUrl(req: express.Request): URL | undefined {
  const port = /:(\d+)$/.exec(req.get("x-forwarded-host") ?? req.get("host") ?? "")?.[1];
  // req.hostname and req.protocol follow the "trust proxy" setting (TRUST_PROXY).
  try {
    return new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  } catch {
    return undefined;
  }
}

/**
 * A request whose URL cannot be made from its Host is the client's error:
 * 400, on every route, instead of the 500 that building its URL threw. The
 * URL made is kept for remixRequest (res.locals.url).
 */
function refuseBadHost(req: express.Request, res: express.Response, next: express.NextFunction) {
  const url = requestUrl(req);
  if (!url) {
    next(Object.assign(new Error("a Host that cannot be a URL's host"), { status: 400 }));
    return;
  }
  res.locals.url = url;
  next();
}

/** What every loader and action receives (app/context.ts). */
function loadContext(
  req: express.Request,
  res: express.Response,
  options: AppOptions,
): AppLoadContext {
  return {
    db: options.db,
    appUrl: options.appUrl,
    // The socket's own peer, not req.ip: no proxy header makes a request local.
    devMail:
      options.devMail && (options.devMailbox === "open" || isLoopback(req.socket.remoteAddress)),
    devMailbox: options.devMailbox ?? "loopback",
    clientAddress: clientAddress(req),
    cspNonce: res.locals.cspNonce as string,
    allowPrivateWebhooks: options.allowPrivateWebhooks ?? false,
  };
}

/**
 * A route's answer on its way out, whichever way it was made: a failure that
 * is no bug of the page (handleError in entry.server.tsx marked the context:
 * the database is unreachable, a body over its limit) gets that failure's
 * status and Japanese message (app/domain/failures.server.ts) instead of the
 * generic 500; /api/ refusals the API's error shape; a 503 its Retry-After;
 * then the headers of finishResponse, and a public page to the page cache.
 */
async function finishRemixResponse(
  req: express.Request,
  res: express.Response,
  answer: Response,
  context: AppLoadContext,
  options: AppOptions & { pageCache: ReturnType<typeof createPageCache> },
) {
  let response = answer;
  if (context.failure && (response.status >= 500 || context.failure === "body_too_large")) {
    await response.body?.cancel().catch(() => undefined);
    response = failureResponse(req, context.failure);
  } else if (req.path.startsWith("/api/") && response.status >= 400) {
    response = await asApiError(response);
  }
  // "Busy" and "no export slot" (DomainErrors answered 503 by the routes)
  // say when to come back, as the database failures do.
  if (response.status === 503 && !response.headers.has("Retry-After")) {
    response = new Response(response.body, response);
    response.headers.set("Retry-After", RETRY_AFTER_SECONDS);
  }
  finishResponse(req, response, {
    cspNonce: context.cspNonce,
    https: options.appUrl.startsWith("https:"),
  });
  await sendResponse(res, await options.pageCache.store(res, response), {
    stalledMs: options.stalledResponseMs,
  });
}

/**
 * A lean route's whole body, read before its action (the desk's JSON: a few
 * hundred bytes), under the same limit as a streamed body: a body over it
 * marks the context body_too_large and throws. What it saves is the web
 * stream of a streamed body (~0.1 ms of CPU a scan).
 */
async function wholeBody(
  req: express.Request,
  res: express.Response,
  context: AppLoadContext,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyWithin(req, res, context)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request's body, ended by the route's limit (res.locals.bodyLimit, set by limitBodies). */
function bodyWithin(req: express.Request, res: express.Response, context: AppLoadContext) {
  const limit = (res.locals.bodyLimit as number | undefined) ?? 0;
  return limitedBody(req, limit, () => {
    context.failure = "body_too_large";
  }) as import("node:stream").Readable;
}

/**
 * The Fetch API request Remix reads, as @remix-run/express's
 * createRemixRequest makes it, with the body read through the route's limit
 * (app/security/body-limit.ts): past it, the body's stream fails and the
 * request is marked, so that it is answered 413 whatever the route made of it.
 * A lean route gives the body it has read whole instead (wholeBody).
 */
function remixRequest(
  req: express.Request,
  res: express.Response,
  context: AppLoadContext,
  body?: Uint8Array<ArrayBuffer>,
) {
  const url = res.locals.url as URL | undefined;
  if (!url) throw new Error("remixRequest: refuseBadHost runs first and keeps the URL");
  let controller: AbortController | null = new AbortController();
  const headers = new Headers();
  const trusted = Boolean(req.app.get("trust proxy"));
  for (const [key, values] of Object.entries(req.headers)) {
    if (!values) continue;
    // With no proxy in front (TRUST_PROXY=0) an X-Forwarded-* header is the client's own claim.
    if (!trusted && key.startsWith("x-forwarded-")) continue;
    if (Array.isArray(values)) for (const value of values) headers.append(key, value);
    else headers.set(key, values);
  }
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers,
    signal: controller.signal,
  };
  if (body) init.body = body;
  else if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(bodyWithin(req, res, context));
    init.duplex = "half";
  }
  // Loaders and actions stop once no answer can be sent any more.
  res.on("finish", () => {
    controller = null;
  });
  res.on("close", () => controller?.abort());
  return new Request(url.href, init);
}

/**
 * What every Remix response gets on its way out: the CSP of this request
 * (kept with a page the page cache stores, so a cached page's nonce and its
 * policy travel together; a route's own policy is kept, framed only by this
 * site); `Cache-Control: private, no-store` on anything signed in (a session
 * cookie, an API token) and on JSON, except a page its route declares public
 * (the same for everyone); and `Secure` on every cookie when
 * APP_URL is https.
 */
function finishResponse(
  req: express.Request,
  response: Response,
  options: { cspNonce: string; https: boolean },
) {
  const headers = response.headers;
  const own = headers.get("Content-Security-Policy");
  headers.set(
    "Content-Security-Policy",
    own ? ownPolicy(own) : (req.res?.getHeader("Content-Security-Policy") as string),
  );
  const signedIn = /(?:^|;\s*)sid=/.test(req.get("cookie") ?? "") || req.get("authorization");
  const json = /\bjson\b/i.test(headers.get("Content-Type") ?? "") || "_data" in req.query;
  const cacheControl = headers.get("Cache-Control") ?? "";
  const stored = !/\bno-store\b/.test(cacheControl);
  // A page its route declares public is the same for everyone (app/page-cache.ts):
  // a visitor's session cookie does not make it theirs.
  const sharedPage = /\bpublic\b/.test(cacheControl) && !json && !headers.has("Set-Cookie");
  if ((signedIn || json || headers.has("Set-Cookie")) && stored && !sharedPage) {
    headers.set("Cache-Control", "private, no-store");
  }
  if (options.https) {
    const cookies = headers.getSetCookie();
    if (cookies.length > 0) {
      headers.delete("Set-Cookie");
      for (const cookie of cookies) headers.append("Set-Cookie", secureCookie(cookie));
    }
  }
}

/**
 * An /api/ answer that is not the API's own JSON error (Remix's "no loader",
 * "method not allowed"): the same refusal in the API's format,
 * `{ error: { code, message } }`, with its status.
 */
async function asApiError(response: Response): Promise<Response> {
  if (/\bjson\b/i.test(response.headers.get("Content-Type") ?? "")) {
    const body = await response
      .clone()
      .json()
      .catch(() => undefined);
    if (body && typeof body === "object" && "error" in body) return response;
  }
  await response.body?.cancel().catch(() => undefined);
  const known: Record<number, [string, string]> = {
    // Remix answers 400 for a method the route has no loader or action for.
    400: [
      "method_not_allowed",
      "このURLはこのメソッドに対応していません。APIの説明(README)をご確認ください。",
    ],
    404: ["not_found", "お探しのものが見つかりません。"],
    405: [
      "method_not_allowed",
      "このURLはこのメソッドに対応していません。APIの説明(README)をご確認ください。",
    ],
    413: ["body_too_large", FAILURES.body_too_large.message],
  };
  const [code, message] = known[response.status] ?? [
    response.status >= 500 ? "server_error" : "invalid_input",
    response.status >= 500 ? SERVER_ERROR.message : "リクエストを処理できませんでした。",
  ];
  return Response.json(
    { error: { code, message } },
    { status: response.status, headers: { "Cache-Control": "no-store" } },
  );
}

/** A body over its route's limit, refused by its Content-Length before anything reads it. */
function tooLarge(req: express.Request, res: express.Response, limit: number) {
  const { status, title, message } = FAILURES.body_too_large;
  const text = `${message}(上限 ${sizeText(limit)})`;
  res.status(status).set("Cache-Control", "no-store");
  if (req.path.startsWith("/api/") || req.is("application/json") || !req.accepts("html")) {
    res.json({ error: { code: "body_too_large", message: text } });
  } else {
    res.type("html").send(page(title, text));
  }
}

/**
 * Sends a Remix response through Express: its status, its headers (each
 * Set-Cookie as its own header), and its body through stream.pipeline over
 * Readable.fromWeb, so it is written no faster than the client reads it
 * (@remix-run/express's sendRemixResponse ignores what res.write returns, and
 * a slow client made Node hold a whole 20,000-row export in memory). A full
 * socket stops the reading of the body (and so the export's database cursor)
 * until it drains. A client that goes away cancels the body, which ends the
 * export and closes its cursor; so does one that takes nothing for
 * `stalledMs` (default a minute), since a waiting export holds one of the
 * pool's database connections. See docs/decisions/025-route-adapter.md.
 */
export async function sendResponse(
  res: express.Response,
  response: Response,
  options: { stalledMs?: number } = {},
): Promise<void> {
  const stalledMs = options.stalledMs ?? 60_000;
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers) {
    // set, not append: the security headers set earlier for this request are replaced, not doubled
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.append("Set-Cookie", cookies);
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  if (/^application\/json\b/i.test(response.headers.get("Content-Type") ?? "")) {
    // A JSON answer (the desk's scans, the API, Remix's data requests) is
    // made whole in memory (Response.json); no route streams one. Sent in one
    // write, without the stream pipeline below (a web stream, an abort
    // controller and a pipeline per answer: a desk's scan used 3.7 ms of CPU
    // with them, 2.6–3.3 ms without, in two quiet runs).
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  // compression buffers otherwise; a streamed page must reach the browser now
  // (added after pipeline's own listener, so it runs once the chunk is written)
  const flush = () => (res as { flush?: () => void }).flush?.();
  // A client that takes nothing for stalledMs while the socket is full is dropped.
  let timer: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(timer);
    if (res.writableNeedDrain) timer = setTimeout(() => res.destroy(), stalledMs);
  };
  const onDrain = () => clearTimeout(timer);
  // With compression, res.on("drain") listens to the gzip stream, which drains
  // only once the socket has taken what it compressed.
  res.on("drain", onDrain);
  try {
    const piped = pipeline(body, res);
    body.on("data", () => {
      flush();
      watch();
    });
    await piped;
  } catch (error) {
    // A client that went away (or was dropped as stalled) is no failure: the
    // body was cancelled, which ends an export and closes its cursor. (The
    // pipeline destroys the body with its own premature-close error, so
    // body.errored alone does not tell the body's own failure from it.)
    const clientGone =
      res.destroyed &&
      (!body.errored || (error as { code?: unknown }).code === "ERR_STREAM_PREMATURE_CLOSE");
    if (clientGone) return;
    res.destroy(error as Error);
    throw error;
  } finally {
    clearTimeout(timer);
    res.off("drain", onDrain);
  }
}

/** How long a client told 503 should wait before it tries again. */
const RETRY_AFTER_SECONDS = "30";

/** A failure in the form the caller reads: a page, the API's JSON error, or Remix's data. */
function failureResponse(req: express.Request, failure: Failure): Response {
  const { status, title, message, note } = FAILURES[failure];
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (status === 503) headers["Retry-After"] = RETRY_AFTER_SECONDS;
  if ("_data" in req.query) {
    // A client-side navigation: thrown to the route's error boundary.
    return Response.json(message, { status, headers: { ...headers, "X-Remix-Catch": "yes" } });
  }
  if (req.path.startsWith("/api/") || req.is("application/json") || !req.accepts("html")) {
    return Response.json({ error: { code: failure, message } }, { status, headers });
  }
  return new Response(page(title, message, note), {
    status,
    headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
  });
}

/**
 * Errors that reach Express itself (a URL it cannot decode, say) get a page in
 * Japanese, never Express's own page with its stack trace.
 */
function lastResort(
  error: { status?: unknown },
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
) {
  if (res.headersSent) return next(error);
  const status =
    typeof error.status === "number" && error.status >= 400 && error.status < 500
      ? error.status
      : 500;
  if (status === 500)
    console.error(`[${new Date().toISOString()}] ${req.method} ${req.path}`, error);
  const { title, message } = status === 500 ? SERVER_ERROR : FAILURES.invalid_input;
  res.status(status).type("html").set("Cache-Control", "no-store").send(page(title, message));
}

/** A page of its own, for when the app's pages cannot be rendered. */
function page(title: string, message: string, note?: string): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} | 自治研イベント</title>
<style>
body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans CJK JP", sans-serif; color: #1f2933; line-height: 1.8; }
header { background: #0b4f6c; color: #fff; padding: 0.75rem 1rem; font-weight: bold; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; }
</style>
</head>
<body>
<header>自治研イベント</header>
<main>
<h1>${title}</h1>
<p>${message}</p>
${note ? `<p>${note}</p>\n` : ""}<p><a href="/">イベント一覧へ戻る</a></p>
</main>
</body>
</html>
`;
}

/** Loads the server bundle that `remix build` wrote. */
export async function loadBuild(): Promise<ServerBuild> {
  const file = path.join(root, "build", "index.js");
  return (await import(/* @vite-ignore */ file)) as ServerBuild;
}

/**
 * CSRF protection for every form: a state-changing request from a browser
 * must come from this site. Browsers send Origin (or at least Referer) on
 * POST; a request carrying neither and no cookie (curl, the API) is let
 * through, since it cannot ride on a member's session.
 */
function refuseCrossSiteForms(
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
) {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  const source = req.get("origin") ?? req.get("referer");
  // Behind a trusted proxy (TRUST_PROXY), the browser's origin is the proxy's public host.
  const host = (req.app.get("trust proxy") && req.get("x-forwarded-host")) || req.get("host");
  if (!source) {
    if (!req.get("cookie")) return next();
  } else {
    try {
      if (new URL(source).host === host) return next();
    } catch {
      // a malformed Origin is refused below
    }
  }
  res
    .status(403)
    .type("text/plain; charset=utf-8")
    .send("別のサイトからの送信は受け付けられません。このサイトのページから操作してください。");
}
