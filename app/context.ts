import type { Database } from "../db/index";
import type { Failure } from "./domain/failures.server";

/** What every loader and action receives: the database, and where the app is served. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    appUrl: string;
    devMail: boolean;
    /**
     * Set by handleError (entry.server.tsx) when the request failed for a
     * reason that is no bug of the page; app/server.ts then answers with it.
     */
    failure?: Failure;
  }
}
