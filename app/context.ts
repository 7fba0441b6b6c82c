import type { Database } from "../db/index";

/** What every loader and action receives: the database, and where the app is served. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    appUrl: string;
    devMail: boolean;
  }
}
