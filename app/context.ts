import type { Database } from "../db/index";

/** What every loader and action receives: the database, and where the app is served. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    appUrl: string;
    devMail: boolean;
    /**
     * Set by handleError (entry.server.tsx) when the request failed because
     * the database could not be reached; app/server.ts then answers 503.
     */
    databaseUnavailable?: boolean;
  }
}
