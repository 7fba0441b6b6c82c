import type { Database } from "../db/index";
import type { Failure } from "./domain/failures.server";

/** What every loader and action receives: the database, and where the app is served. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    db: Database;
    appUrl: string;
    /** whether /dev/mail answers this request (app/server.ts: no SMTP, and this machine or DEV_MAILBOX=open) */
    devMail: boolean;
    /** DEV_MAILBOX: /dev/mail only for this machine ("loopback", the default) or for anyone ("open") */
    devMailbox: "loopback" | "open";
    /** the client's address: req.ip under TRUST_PROXY, never a raw header (app/security/client-address.ts) */
    clientAddress: string;
    /** this request's CSP nonce, for the inline scripts Remix writes (app/security/headers.ts) */
    cspNonce: string;
    /** WEBHOOK_ALLOW_PRIVATE: webhooks may target private addresses (development) */
    allowPrivateWebhooks: boolean;
    /**
     * Set by handleError (entry.server.tsx) when the request failed for a
     * reason that is no bug of the page; app/server.ts then answers with it.
     */
    failure?: Failure;
  }
}
