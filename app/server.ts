import path from "node:path";
import { fileURLToPath } from "node:url";
// The adapter's two halves, so that a response can be changed between them.
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { type AppLoadContext, createRequestHandler, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import type { Database } from "../db/index";
import "./context";
import { DATABASE_UNAVAILABLE_MESSAGE } from "./domain/health.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The HTTP app: static files and the Remix handler, with the database passed in. */
export function createApp(options: {
  db: Database;
  build: ServerBuild;
  appUrl: string;
  devMail: boolean;
}) {
  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use(
    "/build",
    express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }),
  );
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.use(refuseCrossSiteForms);
  app.all("*", remixHandler(options));
  return app;
}

/**
 * The Remix handler, as @remix-run/express builds it, with one addition: a
 * request that failed because PostgreSQL could not be reached (handleError in
 * entry.server.tsx marks its load context) is answered 503 with a Japanese
 * message instead of the generic 500 page. Nothing else is needed to recover:
 * postgres.js opens new connections once the database is back.
 */
function remixHandler(options: {
  db: Database;
  build: ServerBuild;
  appUrl: string;
  devMail: boolean;
}): express.RequestHandler {
  const handle = createRequestHandler(options.build, process.env.NODE_ENV);
  return async (req, res, next) => {
    try {
      const context: AppLoadContext = {
        db: options.db,
        appUrl: options.appUrl,
        devMail: options.devMail,
      };
      let response = await handle(createRemixRequest(req, res), context);
      if (context.databaseUnavailable && response.status >= 500) {
        await response.body?.cancel();
        response = databaseUnavailable(req);
      }
      await sendRemixResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

/** 503 in the form the caller reads: a page, the API's JSON error, or Remix's data. */
function databaseUnavailable(req: express.Request): Response {
  const headers = { "Retry-After": "30", "Cache-Control": "no-store" };
  if ("_data" in req.query) {
    // A client-side navigation: thrown as a 503 to the route's error boundary.
    return Response.json(DATABASE_UNAVAILABLE_MESSAGE, {
      status: 503,
      headers: { ...headers, "X-Remix-Catch": "yes" },
    });
  }
  if (req.path.startsWith("/api/") || !req.accepts("html")) {
    return Response.json(
      { error: { code: "database_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE } },
      { status: 503, headers },
    );
  }
  return new Response(DATABASE_UNAVAILABLE_PAGE, {
    status: 503,
    headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
  });
}

/** A page of its own: the app's pages need the database to render. */
const DATABASE_UNAVAILABLE_PAGE = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ただいまご利用いただけません | 自治研イベント</title>
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
<h1>ただいまご利用いただけません</h1>
<p>${DATABASE_UNAVAILABLE_MESSAGE}</p>
<p>送信した内容は保存されていない場合があります。少し時間をおいてから、マイページなどでご確認のうえ、もう一度操作してください。</p>
<p><a href="">ページを再読み込みする</a></p>
</main>
</body>
</html>
`;

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
  const host = req.get("host");
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
