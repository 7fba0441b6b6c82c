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
