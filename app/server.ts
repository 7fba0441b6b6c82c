import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import type { Database } from "../db/index";
import "./context";

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
  app.all(
    "*",
    createRequestHandler({
      build: options.build,
      getLoadContext: () => ({ db: options.db, appUrl: options.appUrl, devMail: options.devMail }),
    }),
  );
  return app;
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
