import { createHash, randomBytes } from "node:crypto";
import { type AppLoadContext, createCookie, redirect } from "@remix-run/node";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { compiledQuery } from "../../db/compiled";
import type { Database, DB } from "../../db/index";
import type { Person } from "../../db/schema";
import { safeRedirect } from "../utils/redirect";
import { DomainError } from "./errors.server";
import { verifyPassword } from "./passwords.server";
import { createPerson } from "./people.server";
import { enqueueEmail } from "./mailer.server";
import { checkBackoff, clearFailures, hitRateLimit, recordFailure } from "./rate-limit.server";
import { inTransaction } from "./transactions.server";

/**
 * Sign-in. Members get a one-time link by email (15 minutes, works once);
 * everyone holds a cookie session whose token is stored only as a hash.
 */
const LINK_MINUTES = 15;
const SESSION_DAYS = 30;
/** A staff session ends after this long without a request (members keep SESSION_DAYS). */
export const STAFF_IDLE_HOURS = 12;

/**
 * The one test of an account in force: not disabled, and not past its
 * valid-until (a reception account for one event). Every way in (a session,
 * a password, a sign-in link, an API token) applies it.
 */
export function activeAccount(eb: ExpressionBuilder<DB, "people">) {
  return eb.and([
    eb("people.disabled_at", "is", null),
    eb.or([eb("people.valid_until", "is", null), eb("people.valid_until", ">", sql<Date>`now()`)]),
  ]);
}

export const sessionCookie = createCookie("sid", {
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: SESSION_DAYS * 24 * 60 * 60,
});

/** How a secret token (session, sign-in link, API token, RSVP link) is stored: its SHA-256 only. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");
/** 256 random bits, URL-safe: every secret token of the app. */
export const newToken = () => randomBytes(32).toString("base64url");
const hash = hashToken;

export type SessionUser = Pick<
  Person,
  | "id"
  | "email"
  | "family_name"
  | "given_name"
  | "family_name_kana"
  | "given_name_kana"
  | "organisation_id"
  | "workplace"
  | "phone"
  | "birth_date"
  | "role"
  | "profile_completed_at"
  | "membership_status"
>;

/** Only a path on this site may follow a sign-in, never another origin (app/utils/redirect.ts). */
export const safeNext = (next: unknown): string => safeRedirect(next, "/me");

/**
 * Sends a sign-in link to `email`, creating the person on first use. The
 * answer is the same whether or not the address was known. Rate-limited per
 * email address and per client address (`clientAddress`: req.ip under
 * TRUST_PROXY, see app/security/client-address.ts).
 */
export async function requestLoginLink(
  db: Database,
  args: { email: string; next: string; appUrl: string; clientAddress: string },
): Promise<void> {
  const email = args.email.trim().toLowerCase();
  await hitRateLimit(db, {
    key: `login-link-client:${args.clientAddress}`,
    limit: 30,
    windowSeconds: 15 * 60,
  });
  await hitRateLimit(db, { key: `login-link:${email}`, limit: 5, windowSeconds: 15 * 60 });
  const token = newToken();
  const url = `${args.appUrl}/login/verify?token=${token}`;
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("login_tokens")
      .values({
        token_hash: hash(token),
        email,
        next_path: safeNext(args.next),
        expires_at: sql<Date>`now() + make_interval(mins => ${LINK_MINUTES})`,
      })
      .execute();
    await enqueueEmail(trx, {
      to: email,
      message: { template: "login_link", payload: { url, expiresMinutes: LINK_MINUTES } },
    });
  });
}

/**
 * Uses a sign-in link: valid, unexpired and unused, or `invalid_link`. Returns
 * a new session token and where to go next (the profile form on first sign-in).
 */
export async function consumeLoginLink(
  db: Database,
  token: string,
): Promise<{ sessionToken: string; next: string }> {
  return inTransaction(db, async (trx) => {
    const used = await trx
      .updateTable("login_tokens")
      .set({ used_at: sql`now()` })
      .where("token_hash", "=", hash(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .returning(["email", "next_path"])
      .executeTakeFirst();
    if (!used) throw new DomainError("invalid_link");
    const known = await trx
      .selectFrom("people")
      .select((eb) => ["id", "profile_completed_at", "role", activeAccount(eb).as("active")])
      .where(sql`lower(email)`, "=", used.email)
      .executeTakeFirst();
    // Staff sign in with their password (and second factor), never by a link.
    if (known && known.role !== "member") throw new DomainError("staff_use_password");
    if (known && !known.active) throw new DomainError("invalid_link");
    const person = known ?? (await createPerson(trx, { email: used.email }));
    const sessionToken = await insertSession(trx, person.id, "link");
    // Checked again on the way out: a link made before a stricter rule still obeys it.
    const path = safeNext(used.next_path);
    const next = person.profile_completed_at ? path : `/profile?next=${encodeURIComponent(path)}`;
    return { sessionToken, next };
  });
}

export type SessionStage = "full" | "totp" | "enrol";

/** Opens a session, and records the sign-in for the person's own data (/me/data). */
async function insertSession(
  db: Database,
  personId: string,
  method: "link" | "password" | "session",
  stage: SessionStage = "full",
): Promise<string> {
  const token = newToken();
  await db.insertInto("sign_ins").values({ person_id: personId, method }).execute();
  await db
    .insertInto("auth_sessions")
    .values({
      id_hash: hash(token),
      person_id: personId,
      csrf_token: newToken(),
      stage,
      // a half-signed-in session (waiting for the second factor) lives 15 minutes
      expires_at:
        stage === "full"
          ? sql<Date>`now() + make_interval(days => ${SESSION_DAYS})`
          : sql<Date>`now() + make_interval(mins => ${LINK_MINUTES})`,
    })
    .execute();
  return token;
}

/** Opens a session for a person, for staff sign-in and for tests' fixtures. */
export function createSession(
  db: Database,
  personId: string,
  stage: SessionStage = "full",
): Promise<string> {
  return insertSession(db, personId, "session", stage);
}

/** Ends every session of a person: after a password, role or state change. */
export async function endSessionsOf(db: Database, personId: string): Promise<void> {
  await db.deleteFrom("auth_sessions").where("person_id", "=", personId).execute();
}

/** The columns of a SessionUser, read with a session or an API token. */
export const SESSION_USER_COLUMNS = [
  "people.id",
  "people.email",
  "people.family_name",
  "people.given_name",
  "people.family_name_kana",
  "people.given_name_kana",
  "people.organisation_id",
  "people.workplace",
  "people.phone",
  "people.birth_date",
  "people.role",
  "people.profile_completed_at",
  "people.membership_status",
] as const;

/**
 * The signed-in person, or undefined: a full session (not one waiting for a
 * second factor), unexpired, of an account in force; a staff session also
 * ends after STAFF_IDLE_HOURS without a request (sliding: each request
 * renews it, written at most once a minute).
 */
export async function getUser(db: Database, request: Request): Promise<SessionUser | undefined> {
  const token = await sessionToken(request);
  if (!token) return undefined;
  const [row] = await sessionUserCompiled(db, { idHash: hash(token) });
  if (!row) return undefined;
  const { last_seen_at, ...user } = row;
  await touchSession(db, token, last_seen_at);
  return user;
}

/** The session token of the request's cookie, or undefined. */
export async function sessionToken(request: Request): Promise<string | undefined> {
  const token = await sessionCookie.parse(request.headers.get("Cookie"));
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

/**
 * The query getUser runs, for a caller that reads more in the same round
 * trip (requireEventAccess: the session and the event at once); give its
 * last_seen_at to touchSession. `idHash` is hashToken(the cookie's token).
 */
export function sessionUserQuery(db: Kysely<DB>, args: { idHash: string }) {
  return db
    .selectFrom("auth_sessions")
    .innerJoin("people", "people.id", "auth_sessions.person_id")
    .select([...SESSION_USER_COLUMNS, "auth_sessions.last_seen_at"])
    .where("auth_sessions.id_hash", "=", args.idHash)
    .where("auth_sessions.expires_at", ">", sql<Date>`now()`)
    .where("auth_sessions.stage", "=", "full")
    .where(activeAccount)
    .where((eb) =>
      eb.or([
        eb("people.role", "=", "member"),
        eb(
          "auth_sessions.last_seen_at",
          ">",
          sql<Date>`now() - make_interval(hours => ${STAFF_IDLE_HOURS})`,
        ),
      ]),
    );
}

/** getUser's query, asked on every signed-in request: compiled once (db/compiled.ts). */
const sessionUserCompiled = compiledQuery(sessionUserQuery);

/** Renews a sliding session, written at most once a minute. */
export async function touchSession(db: Database, token: string, lastSeenAt: Date): Promise<void> {
  if (Date.now() - lastSeenAt.getTime() > 60_000) {
    await db
      .updateTable("auth_sessions")
      .set({ last_seen_at: sql`now()` })
      .where("id_hash", "=", hash(token))
      .execute();
  }
}

/** The person behind a session at `stage` (waiting for a second factor, or to enrol one). */
export async function getPendingSession(
  db: Database,
  request: Request,
  stage: "totp" | "enrol",
): Promise<{ token: string; user: SessionUser } | undefined> {
  const token = await sessionCookie.parse(request.headers.get("Cookie"));
  if (typeof token !== "string" || token.length === 0) return undefined;
  const user = await db
    .selectFrom("auth_sessions")
    .innerJoin("people", "people.id", "auth_sessions.person_id")
    .select(SESSION_USER_COLUMNS)
    .where("auth_sessions.id_hash", "=", hash(token))
    .where("auth_sessions.expires_at", ">", sql<Date>`now()`)
    .where("auth_sessions.stage", "=", stage)
    .where(activeAccount)
    .executeTakeFirst();
  return user ? { token, user } : undefined;
}

/** A half-signed-in session becomes a full one (its second factor was just set up). */
export async function promoteSession(db: Database, token: string): Promise<void> {
  await db
    .updateTable("auth_sessions")
    .set({
      stage: "full",
      last_seen_at: sql`now()`,
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_DAYS})`,
    })
    .where("id_hash", "=", hash(token))
    .execute();
}

/** The session token the request carries, or "" (for a change that keeps this session). */
export async function sessionTokenOf(request: Request): Promise<string> {
  const token = await sessionCookie.parse(request.headers.get("Cookie"));
  return typeof token === "string" ? token : "";
}

/** Ends a session by its token (a half-signed-in one, once it is replaced). */
export async function endSessionByToken(db: Database, token: string): Promise<void> {
  await db.deleteFrom("auth_sessions").where("id_hash", "=", hash(token)).execute();
}

/** The signed-in person, or a redirect to /login that comes back here. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await getUser(context.db, request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

/** A signed-in person with a completed profile (a member with a 単組). */
export async function requireMember(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!user.profile_completed_at) {
    const url = new URL(request.url);
    throw redirect(`/profile?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

/** The stored key (hash) of the request's session, for state bound to the session; undefined when signed out. */
export async function getSessionKey(request: Request): Promise<string | undefined> {
  const token = await sessionCookie.parse(request.headers.get("Cookie"));
  return typeof token === "string" && token.length > 0 ? hash(token) : undefined;
}

/** Ends the session behind the request's cookie. */
export async function endSession(db: Database, request: Request): Promise<void> {
  const token = await sessionCookie.parse(request.headers.get("Cookie"));
  if (typeof token === "string") {
    await db.deleteFrom("auth_sessions").where("id_hash", "=", hash(token)).execute();
  }
}

/**
 * Staff sign-in with email and password (scrypt); the same message whether
 * the address or the password was wrong, or the account disabled or past its
 * end. Returns a new session token and its stage: 'totp' when the person has
 * a second factor, 'enrol' when the site requires one and they have none
 * yet, else 'full'.
 *
 * Guessing is slowed per account AND client address: after five wrong
 * passwords from one address, that address waits 2, 4, 8 … seconds (at most
 * 15 minutes) between tries for that account, while the owner signing in from
 * elsewhere is not held up. Each address also has 50 tries per 15 minutes in
 * all. A refusal is `rate_limited` with its Retry-After.
 */
export async function loginWithPassword(
  db: Database,
  args: { email: string; password: string; clientAddress: string },
): Promise<{ token: string; stage: SessionStage }> {
  const email = args.email.trim().toLowerCase();
  const backoffKey = `password:${email}@${args.clientAddress}`;
  await checkBackoff(db, backoffKey);
  await hitRateLimit(db, {
    key: `password-client:${args.clientAddress}`,
    limit: 50,
    windowSeconds: 15 * 60,
  });
  const person = await db
    .selectFrom("people")
    .select((eb) => [
      "id",
      "password_hash",
      "role",
      "totp_enabled_at",
      activeAccount(eb).as("active"),
      eb
        .selectFrom("site_settings")
        .select(sql<boolean>`(value)::boolean`.as("v"))
        .where("key", "=", "require_totp")
        .as("require_totp"),
    ])
    .where(sql`lower(email)`, "=", email)
    .executeTakeFirst();
  const ok = person?.password_hash
    ? await verifyPassword(args.password, person.password_hash)
    : false;
  if (!person || !ok || person.role === "member" || !person.active) {
    await recordFailure(db, backoffKey);
    throw new DomainError("invalid_credentials");
  }
  await clearFailures(db, backoffKey);
  const stage: SessionStage = person.totp_enabled_at
    ? "totp"
    : person.require_totp
      ? "enrol"
      : "full";
  return { token: await insertSession(db, person.id, "password", stage), stage };
}
