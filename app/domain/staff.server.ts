import { createHash, randomBytes } from "node:crypto";
import { sql, type Transaction } from "kysely";
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { PersonRole } from "../../db/schema";
import { STAFF_ROLE_LABELS, type StaffRole } from "../utils/labels";
import { textField, emailField } from "../utils/forms";
import { FIRST_ADMIN_HOURS, INVITE_HOURS, RESET_MINUTES } from "../utils/staff-policy";

export { FIRST_ADMIN_HOURS, INVITE_HOURS, RESET_MINUTES };
import { audit } from "./audit.server";
import {
  activeAccount,
  createSession,
  endSessionByToken,
  endSessionsOf,
  promoteSession,
  hashToken,
  newToken,
  type SessionUser,
} from "./auth.server";
import { DomainError } from "./errors.server";
import { enqueueEmail } from "./mailer.server";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.server";
import { getEventAccess, isRowId } from "./permissions.server";
import { hitRateLimit } from "./rate-limit.server";
import { inTransaction } from "./transactions.server";

/**
 * Staff accounts, run from the app (/admin/staff): invitations with a
 * one-time link to set a password, roles and a secretary's 単組 given by an
 * administrator (never by the person), disabling, password changes and
 * resets, and a second factor (TOTP) with recovery codes.
 *
 * Guarantees: a refused change writes nothing; every change writes the audit
 * log (entity "staff", the person's id) in its own transaction; a change of
 * password, role, union or state ends that person's sessions at once; nobody
 * changes their own role, union or state.
 */

export const STAFF_ROLES = ["admin", "organiser", "secretary", "reception"] as const;
const RECOVERY_CODES = 10;

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

const staffEntity = (personId: string) => ({ entity: "staff", entityId: personId });

/** The link a password token opens. */
export const setPasswordPath = (token: string) => `/admin/set-password?token=${token}`;

/**
 * A new one-time link to set the person's password; every earlier unused
 * link of theirs stops working, so only the latest one sent is valid.
 */
async function issuePasswordToken(
  trx: Transaction<DB>,
  args: { personId: string; purpose: "invite" | "reset" | "first_admin"; minutes: number },
): Promise<string> {
  await trx
    .updateTable("password_tokens")
    .set({ used_at: sql`now()` })
    .where("person_id", "=", args.personId)
    .where("used_at", "is", null)
    .execute();
  const token = newToken();
  await trx
    .insertInto("password_tokens")
    .values({
      token_hash: hashToken(token),
      person_id: args.personId,
      purpose: args.purpose,
      expires_at: sql<Date>`now() + make_interval(mins => ${args.minutes})`,
    })
    .execute();
  return token;
}

function splitName(name: string): { family_name: string; given_name: string } {
  const [family = "", ...rest] = name.trim().split(/[\s\u3000]+/u);
  return { family_name: family, given_name: rest.join(" ") };
}

function requireAdmin(by: SessionUser): void {
  if (by.role !== "admin") throw new DomainError("forbidden");
}

async function requireUnion(db: Database, organisationId: number | null | undefined) {
  const id = Number(organisationId);
  const union =
    organisationId != null && isRowId(id)
      ? await db
          .selectFrom("organisations")
          .select(["id", "name"])
          .where("id", "=", id)
          .where("kind", "=", "local_union")
          .where("retired_at", "is", null)
          .executeTakeFirst()
      : undefined;
  if (!union)
    throw new DomainError("invalid_input", {
      field: "organisation_id",
      message: "単組書記長には、所属単組を一覧から選択してください。",
    });
  return union;
}

// ---------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------

const email = emailField().transform((v) => v.toLowerCase());

const optionalId = (label: string) => {
  const message = `${label}を一覧から選択してください`;
  return z
    .union(
      [
        z.literal(""),
        z.coerce.number({ message }).int(message).positive(message).max(2_147_483_647, message),
      ],
      { message },
    )
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v));
};

/** The invitation form (/admin/staff), also checked by inviteStaff for every caller. */
export const inviteSchema = z.object({
  email,
  name: textField("氏名", 80).min(1, "氏名を入力してください"),
  role: z.enum(STAFF_ROLES, { message: "役割を選択してください" }),
  organisation_id: optionalId("所属単組"),
  event_id: optionalId("担当イベント"),
});

/**
 * Invites a staff member: creates the account (or makes a member staff),
 * gives an organiser or reception person an event (event_staff), and emails
 * a link to set a password, valid INVITE_HOURS. A reception account invited
 * for one event works until that event ends.
 *
 * An administrator invites any role. An organiser may invite only
 * co-organisers and reception staff to an event they manage (the event's own
 * staff page). Someone already staff in the same role, invited to an event,
 * is given the event and told by email; in another role, `already_staff`.
 */
export async function inviteStaff(
  db: Database,
  args: {
    by: SessionUser;
    email: string;
    name: string;
    role: StaffRole;
    organisationId?: number | null;
    eventId?: number | null;
  },
): Promise<{ personId: string; invited: boolean }> {
  const input = inviteSchema.safeParse({
    email: args.email,
    name: args.name,
    role: args.role,
    organisation_id: args.organisationId ?? "",
    event_id: args.eventId ?? "",
  });
  if (!input.success) {
    const issue = input.error.issues[0];
    throw new DomainError("invalid_input", {
      field: String(issue?.path[0] ?? ""),
      message: issue?.message,
    });
  }
  const { role, organisation_id: organisationId, event_id: eventId } = input.data;
  const { by } = args;
  if (by.role !== "admin") {
    const mayInvite =
      by.role === "organiser" &&
      (role === "organiser" || role === "reception") &&
      eventId !== null &&
      (await getEventAccess(db, { user: by, eventId, permission: "manage" }))?.canManage;
    if (!mayInvite) throw new DomainError("forbidden");
  }
  const union = role === "secretary" ? await requireUnion(db, organisationId) : null;
  if (eventId !== null && role !== "organiser" && role !== "reception") {
    throw new DomainError("invalid_input", {
      field: "event_id",
      message: "担当イベントを指定できるのは、主催担当と受付だけです。",
    });
  }
  const event =
    eventId === null
      ? null
      : await db
          .selectFrom("events")
          .select(["id", "title", "ends_at"])
          .where("id", "=", eventId)
          .executeTakeFirst();
  if (eventId !== null && !event) {
    throw new DomainError("invalid_input", {
      field: "event_id",
      message: "担当イベントを一覧から選択してください。",
    });
  }
  const name = input.data.name;

  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom("people")
      .select(["id", "role", "password_hash", "family_name", "given_name", "valid_until"])
      .where(sql`lower(email)`, "=", input.data.email)
      .forUpdate()
      .executeTakeFirst();
    const alreadyStaff = existing && existing.role !== "member";
    if (alreadyStaff && (existing.role !== role || !event)) throw new DomainError("already_staff");

    let personId: string;
    if (!existing) {
      const row = await trx
        .insertInto("people")
        .values({
          email: input.data.email,
          ...splitName(name),
          role,
          organisation_id: union?.id ?? null,
          invited_at: sql`now()`,
          valid_until: role === "reception" && event ? event.ends_at : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      personId = row.id;
    } else if (!alreadyStaff) {
      // A member becomes staff; their profile stays.
      await trx
        .updateTable("people")
        .set({
          role,
          ...(union ? { organisation_id: union.id } : {}),
          invited_at: sql`now()`,
          valid_until: role === "reception" && event ? event.ends_at : null,
          updated_at: sql`now()`,
        })
        .where("id", "=", existing.id)
        .execute();
      await endSessionsOf(trx, existing.id);
      personId = existing.id;
    } else {
      personId = existing.id;
      // Staff in the same role, given one more event: a time-limited
      // reception account now lasts until the later of its events ends.
      if (event && existing.valid_until) {
        await trx
          .updateTable("people")
          .set({ valid_until: sql`greatest(valid_until, ${event.ends_at})` })
          .where("id", "=", personId)
          .execute();
      }
    }
    if (event && (role === "organiser" || role === "reception")) {
      await trx
        .insertInto("event_staff")
        .values({ event_id: event.id, person_id: personId, role, added_by: by.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }

    const facts = [
      `役割: ${STAFF_ROLE_LABELS[role]}`,
      ...(union ? [`所属単組: ${union.name}`] : []),
      ...(event ? [`担当イベント: ${event.title}`] : []),
      `招待した人: ${`${by.family_name} ${by.given_name}`.trim() || by.email}`,
    ];
    const needsPassword = !existing?.password_hash;
    if (needsPassword) {
      const token = await issuePasswordToken(trx, {
        personId,
        purpose: "invite",
        minutes: INVITE_HOURS * 60,
      });
      if (existing) {
        await trx
          .updateTable("people")
          .set({ invited_at: sql`now()` })
          .where("id", "=", personId)
          .execute();
      }
      await enqueueEmail(trx, {
        to: input.data.email,
        message: {
          template: "staff",
          payload: {
            kind: "invitation",
            to: input.data.email,
            name,
            facts,
            path: setPasswordPath(token),
            expires: `${INVITE_HOURS}時間`,
          },
        },
      });
    } else {
      await enqueueEmail(trx, {
        to: input.data.email,
        message: {
          template: "staff",
          payload: {
            kind: "added_to_event",
            to: input.data.email,
            name: `${existing.family_name} ${existing.given_name}`.trim(),
            facts,
            path: "/admin",
            expires: "",
          },
        },
      });
    }
    await audit(trx, {
      actorId: by.id,
      eventId: event?.id ?? null,
      ...staffEntity(personId),
      action: alreadyStaff ? "staff.event_added" : "staff.invited",
      detail: {
        email: input.data.email,
        role,
        organisationId: union?.id ?? null,
        eventId: event?.id ?? null,
        from: existing ? existing.role : null,
      },
    });
    return { personId, invited: needsPassword };
  });
}

/** Sends a new invitation link (the old one stops working); only before a password is set. */
export async function resendInvitation(
  db: Database,
  args: { by: SessionUser; personId: string },
): Promise<void> {
  requireAdmin(args.by);
  await inTransaction(db, async (trx) => {
    const person = await lockStaff(trx, args.personId);
    if (person.password_hash) throw new DomainError("not_invited");
    const token = await issuePasswordToken(trx, {
      personId: person.id,
      purpose: "invite",
      minutes: INVITE_HOURS * 60,
    });
    await trx
      .updateTable("people")
      .set({ invited_at: sql`now()` })
      .where("id", "=", person.id)
      .execute();
    await enqueueEmail(trx, {
      to: person.email,
      message: {
        template: "staff",
        payload: {
          kind: "invitation",
          to: person.email,
          name: `${person.family_name} ${person.given_name}`.trim(),
          facts: [`役割: ${STAFF_ROLE_LABELS[person.role as StaffRole]}`],
          path: setPasswordPath(token),
          expires: `${INVITE_HOURS}時間`,
        },
      },
    });
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      ...staffEntity(person.id),
      action: "staff.invitation_resent",
    });
  });
}

/** A staff account by id, locked for a change; 404 for anything else (members too). */
async function lockStaff(trx: Transaction<DB>, personId: string) {
  const id = Number(personId);
  const person = isRowId(id)
    ? await trx
        .selectFrom("people")
        .selectAll()
        .where("id", "=", String(id))
        .where("role", "!=", "member")
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!person) throw new DomainError("not_found");
  return person;
}

// ---------------------------------------------------------------------------
// An administrator's changes to an account
// ---------------------------------------------------------------------------

export const roleSchema = z.object({
  role: z.enum(STAFF_ROLES, { message: "役割を選択してください" }),
  organisation_id: optionalId("所属単組"),
});

/**
 * Changes a staff member's role, and a secretary's 単組 (how an
 * administrator gives each union its secretaries). Administrators only,
 * never on themselves. Ends the person's sessions; an organiser or
 * reception person who changes role loses the events of the old role.
 */
export async function changeStaffRole(
  db: Database,
  args: { by: SessionUser; personId: string; role: StaffRole; organisationId?: number | null },
): Promise<void> {
  requireAdmin(args.by);
  if (String(args.personId) === String(args.by.id)) throw new DomainError("self_change");
  if (!isStaffRole(args.role)) throw new DomainError("invalid_input", { field: "role" });
  const union = args.role === "secretary" ? await requireUnion(db, args.organisationId) : null;
  await inTransaction(db, async (trx) => {
    const person = await lockStaff(trx, args.personId);
    const organisationId = union
      ? union.id
      : person.role === "secretary"
        ? null
        : person.organisation_id;
    if (person.role === args.role && person.organisation_id === organisationId) return;
    await trx
      .updateTable("people")
      .set({ role: args.role, organisation_id: organisationId, updated_at: sql`now()` })
      .where("id", "=", person.id)
      .execute();
    if (person.role !== args.role) {
      await trx
        .deleteFrom("event_staff")
        .where("person_id", "=", person.id)
        .where("role", "!=", args.role === "reception" ? "reception" : "organiser")
        .execute();
    }
    await endSessionsOf(trx, person.id);
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      ...staffEntity(person.id),
      action: person.role !== args.role ? "staff.role_changed" : "staff.union_changed",
      detail: {
        from: { role: person.role, organisationId: person.organisation_id },
        to: { role: args.role, organisationId },
      },
    });
  });
}

/** Disables (or enables again) a staff account; a disabled one's sessions end at once. */
export async function setStaffDisabled(
  db: Database,
  args: { by: SessionUser; personId: string; disabled: boolean },
): Promise<void> {
  requireAdmin(args.by);
  if (String(args.personId) === String(args.by.id)) throw new DomainError("self_change");
  await inTransaction(db, async (trx) => {
    const person = await lockStaff(trx, args.personId);
    if (Boolean(person.disabled_at) === args.disabled) return;
    await trx
      .updateTable("people")
      .set({ disabled_at: args.disabled ? sql`now()` : null, updated_at: sql`now()` })
      .where("id", "=", person.id)
      .execute();
    if (args.disabled) {
      await endSessionsOf(trx, person.id);
      await trx
        .updateTable("password_tokens")
        .set({ used_at: sql`now()` })
        .where("person_id", "=", person.id)
        .where("used_at", "is", null)
        .execute();
    }
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      ...staffEntity(person.id),
      action: args.disabled ? "staff.disabled" : "staff.enabled",
    });
  });
}

/** Turns off someone's second factor (a lost phone, no recovery codes left): they enrol again. */
export async function resetStaffTotp(
  db: Database,
  args: { by: SessionUser; personId: string },
): Promise<void> {
  requireAdmin(args.by);
  if (String(args.personId) === String(args.by.id)) throw new DomainError("self_change");
  await inTransaction(db, async (trx) => {
    const person = await lockStaff(trx, args.personId);
    await clearTotp(trx, person.id);
    await endSessionsOf(trx, person.id);
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      ...staffEntity(person.id),
      action: "staff.totp_reset",
    });
  });
}

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

export type StaffStatus = "active" | "invited" | "invitation_expired" | "disabled" | "ended";

/** Every staff account with its union, its state and its events, for /admin/staff. */
export async function listStaff(db: Database) {
  const rows = await db
    .selectFrom("people")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select((eb) => [
      "people.id",
      "people.email",
      "people.family_name",
      "people.given_name",
      "people.role",
      "people.organisation_id",
      "organisations.name as organisation_name",
      "people.disabled_at",
      "people.valid_until",
      "people.invited_at",
      "people.totp_enabled_at",
      sql<boolean>`people.password_hash is not null`.as("has_password"),
      eb
        .exists(
          eb
            .selectFrom("password_tokens")
            .select("token_hash")
            .whereRef("password_tokens.person_id", "=", "people.id")
            .where("password_tokens.purpose", "=", "invite")
            .where("password_tokens.used_at", "is", null)
            .where("password_tokens.expires_at", ">", sql<Date>`now()`),
        )
        .as("invitation_open"),
      eb
        .selectFrom("event_staff")
        .innerJoin("events", "events.id", "event_staff.event_id")
        .select(
          sql<string[]>`coalesce(array_agg(events.title order by events.starts_at), '{}')`.as("t"),
        )
        .whereRef("event_staff.person_id", "=", "people.id")
        .as("event_titles"),
    ])
    .where("people.role", "!=", "member")
    .orderBy("people.family_name_kana")
    .orderBy("people.email")
    .execute();
  const now = Date.now();
  return rows.map((r) => ({
    ...r,
    event_titles: r.event_titles ?? [],
    status: (r.disabled_at
      ? "disabled"
      : r.valid_until && r.valid_until.getTime() <= now
        ? "ended"
        : r.has_password
          ? "active"
          : r.invitation_open
            ? "invited"
            : "invitation_expired") as StaffStatus,
  }));
}

/** One staff account and the last changes made to it, for /admin/staff/:id; undefined if none. */
export async function getStaffAccount(db: Database, personId: string) {
  const id = Number(personId);
  if (!isRowId(id)) return undefined;
  const person = (await listStaff(db)).find((p) => String(p.id) === String(id));
  if (!person) return undefined;
  const history = await db
    .selectFrom("audit_log")
    .leftJoin("people", "people.id", "audit_log.actor_person_id")
    .select([
      "audit_log.id",
      "audit_log.at",
      "audit_log.action",
      "audit_log.detail",
      sql<string | null>`nullif(trim(people.family_name || ' ' || people.given_name), '')`.as(
        "actor_name",
      ),
    ])
    .where("audit_log.entity", "=", "staff")
    .where("audit_log.entity_id", "=", String(id))
    .orderBy("audit_log.at", "desc")
    .orderBy("audit_log.id", "desc")
    .limit(50)
    .execute();
  return { person, history };
}

/** The 単組 and the events an administrator may choose from when inviting. */
export async function inviteChoices(db: Database) {
  const unions = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("kind", "=", "local_union")
    .where("retired_at", "is", null)
    .orderBy("name_kana")
    .execute();
  const events = await db
    .selectFrom("events")
    .select(["id", "title", "starts_at"])
    .where("ends_at", ">", sql<Date>`now()`)
    .where("status", "!=", "cancelled")
    .orderBy("starts_at")
    .execute();
  return { unions, events };
}

// ---------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------

/** A link's person, while the link is valid (for the set-password page); undefined otherwise. */
export async function getPasswordToken(db: Database, token: string) {
  if (!token || token.length > 200) return undefined;
  return db
    .selectFrom("password_tokens")
    .innerJoin("people", "people.id", "password_tokens.person_id")
    .select([
      "people.id",
      "people.email",
      "people.family_name",
      "people.given_name",
      "password_tokens.purpose",
    ])
    .where("password_tokens.token_hash", "=", hashToken(token))
    .where("password_tokens.used_at", "is", null)
    .where("password_tokens.expires_at", ">", sql<Date>`now()`)
    .where("people.role", "!=", "member")
    .where(activeAccount)
    .executeTakeFirst();
}

function checkPolicy(
  password: string,
  person: { email: string; family_name: string; given_name: string },
) {
  const problem = passwordProblem(password, {
    email: person.email,
    name: `${person.family_name}${person.given_name}`,
  });
  if (problem) throw new DomainError("weak_password", { field: "password", message: problem });
}

/**
 * Sets a password from an emailed (or printed) one-time link. The link works
 * once; a password the policy refuses leaves it unused. Ends every session
 * of the person; returns their email for the sign-in form.
 */
export async function setPasswordWithToken(
  db: Database,
  args: { token: string; password: string },
): Promise<{ email: string }> {
  const person = await getPasswordToken(db, args.token);
  if (!person) throw new DomainError("invalid_password_link");
  checkPolicy(args.password, person);
  const passwordHash = await hashPassword(args.password);
  return inTransaction(db, async (trx) => {
    const used = await trx
      .updateTable("password_tokens")
      .set({ used_at: sql`now()` })
      .where("token_hash", "=", hashToken(args.token))
      .where("used_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .returning(["person_id", "purpose"])
      .executeTakeFirst();
    if (!used) throw new DomainError("invalid_password_link");
    await trx
      .updateTable("people")
      .set({ password_hash: passwordHash, password_changed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", used.person_id)
      .execute();
    await endSessionsOf(trx, used.person_id);
    await audit(trx, {
      actorId: used.person_id,
      eventId: null,
      ...staffEntity(used.person_id),
      action: used.purpose === "reset" ? "staff.password_reset" : "staff.password_set",
      detail: { purpose: used.purpose },
    });
    return { email: person.email };
  });
}

export const changePasswordSchema = z.object({
  current: z
    .string()
    .min(1, "現在のパスワードを入力してください")
    .max(200, "パスワードが長すぎます"),
  password: z
    .string()
    .min(1, "新しいパスワードを入力してください")
    .max(1000, "パスワードが長すぎます"),
});

/**
 * A staff member changes their own password, with the current one. Every
 * other session of theirs ends at once (another browser signed in with the
 * old password too); the one making the change (`sessionToken`) stays.
 */
export async function changeOwnPassword(
  db: Database,
  args: { user: SessionUser; current: string; password: string; sessionToken: string },
): Promise<void> {
  if (!isStaffRole(args.user.role)) throw new DomainError("forbidden");
  await hitRateLimit(db, {
    key: `password-change:${args.user.id}`,
    limit: 10,
    windowSeconds: 15 * 60,
  });
  const row = await db
    .selectFrom("people")
    .select("password_hash")
    .where("id", "=", args.user.id)
    .executeTakeFirstOrThrow();
  if (!row.password_hash || !(await verifyPassword(args.current, row.password_hash)))
    throw new DomainError("wrong_password", { field: "current" });
  checkPolicy(args.password, args.user);
  const passwordHash = await hashPassword(args.password);
  return inTransaction(db, async (trx) => {
    await trx
      .updateTable("people")
      .set({ password_hash: passwordHash, password_changed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", args.user.id)
      .execute();
    await trx
      .deleteFrom("auth_sessions")
      .where("person_id", "=", args.user.id)
      .where("id_hash", "!=", hashToken(args.sessionToken))
      .execute();
    await audit(trx, {
      actorId: args.user.id,
      eventId: null,
      ...staffEntity(args.user.id),
      action: "staff.password_changed",
    });
  });
}

/**
 * A forgotten password: emails a reset link (RESET_MINUTES) to a staff
 * account in force. The same answer whether or not the address is one;
 * rate-limited per address and per client.
 */
export async function requestPasswordReset(
  db: Database,
  args: { email: string; clientKey: string },
): Promise<void> {
  const address = args.email.trim().toLowerCase();
  await hitRateLimit(db, { key: `password-reset:${address}`, limit: 3, windowSeconds: 15 * 60 });
  await hitRateLimit(db, {
    key: `password-reset-client:${args.clientKey}`,
    limit: 20,
    windowSeconds: 15 * 60,
  });
  await inTransaction(db, async (trx) => {
    const person = await trx
      .selectFrom("people")
      .select(["id", "email", "family_name", "given_name"])
      .where(sql`lower(email)`, "=", address)
      .where("role", "!=", "member")
      .where(activeAccount)
      .executeTakeFirst();
    if (!person) return;
    const token = await issuePasswordToken(trx, {
      personId: person.id,
      purpose: "reset",
      minutes: RESET_MINUTES,
    });
    await enqueueEmail(trx, {
      to: person.email,
      message: {
        template: "staff",
        payload: {
          kind: "password_reset",
          to: person.email,
          name: `${person.family_name} ${person.given_name}`.trim(),
          facts: [],
          path: setPasswordPath(token),
          expires: `${RESET_MINUTES}分`,
        },
      },
    });
    await audit(trx, {
      actorId: null,
      eventId: null,
      ...staffEntity(person.id),
      action: "staff.password_reset_requested",
    });
  });
}

/**
 * `npm run admin:create -- someone@example.jp`: makes the address an
 * administrator (creating the account, or re-enabling it) and returns a
 * one-time link to set the password, valid FIRST_ADMIN_HOURS. Run again, it
 * gives a new link and the old one stops working.
 */
export async function createFirstAdmin(
  db: Database,
  args: { email: string },
): Promise<{ path: string; created: boolean }> {
  const parsed = email.safeParse(args.email);
  if (!parsed.success) {
    throw new DomainError("invalid_input", {
      field: "email",
      message: parsed.error.issues[0]?.message,
    });
  }
  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom("people")
      .select(["id", "role"])
      .where(sql`lower(email)`, "=", parsed.data)
      .forUpdate()
      .executeTakeFirst();
    const personId = existing
      ? existing.id
      : (
          await trx
            .insertInto("people")
            .values({ email: parsed.data, role: "admin", invited_at: sql`now()` })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
    if (existing) {
      await trx
        .updateTable("people")
        .set({ role: "admin", disabled_at: null, valid_until: null, updated_at: sql`now()` })
        .where("id", "=", personId)
        .execute();
      if (existing.role !== "admin") await endSessionsOf(trx, personId);
    }
    const token = await issuePasswordToken(trx, {
      personId,
      purpose: "first_admin",
      minutes: FIRST_ADMIN_HOURS * 60,
    });
    await audit(trx, {
      actorId: null,
      eventId: null,
      ...staffEntity(personId),
      action: "staff.admin_created",
      detail: { email: parsed.data, from: existing?.role ?? null, by: "admin:create" },
    });
    return { path: setPasswordPath(token), created: !existing };
  });
}

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

/** A value for a jsonb column, typed as one (a bare boolean parameter would not be). */
const jsonValue = (value: unknown) => sql<unknown>`${JSON.stringify(value)}::text::jsonb`;

/** Whether every staff account must use a second factor (an administrator's setting). */
export async function isTotpRequired(db: Database): Promise<boolean> {
  const row = await db
    .selectFrom("site_settings")
    .select("value")
    .where("key", "=", "require_totp")
    .executeTakeFirst();
  return row?.value === true;
}

export async function setTotpRequired(
  db: Database,
  args: { by: SessionUser; required: boolean },
): Promise<void> {
  requireAdmin(args.by);
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("site_settings")
      .values({ key: "require_totp", value: jsonValue(args.required), updated_by: args.by.id })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          value: jsonValue(args.required),
          updated_by: args.by.id,
          updated_at: sql`now()`,
        }),
      )
      .execute();
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "settings",
      entityId: "require_totp",
      action: "settings.require_totp",
      detail: { value: args.required },
    });
  });
}

// ---------------------------------------------------------------------------
// The second factor (TOTP, RFC 6238) and recovery codes
// ---------------------------------------------------------------------------

const ISSUER = "自治研イベント";

function totpFor(secret: string, label: string) {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** The time step of a valid code (one step either side), or null. */
function totpCounter(secret: string, label: string, code: string): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpFor(secret, label);
  const delta = totp.validate({ token, window: 1 });
  return delta === null ? null : totp.counter() + delta;
}

const recoveryHash = (code: string) =>
  createHash("sha256").update(code.replace(/[\s-]/g, "").toUpperCase()).digest("base64url");

/** Ten codes of 10 characters (about 50 bits each), grouped for reading: ABCDE-FGHJK. */
function newRecoveryCodes(): string[] {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

async function clearTotp(trx: Transaction<DB>, personId: string) {
  await trx
    .updateTable("people")
    .set({ totp_secret: null, totp_enabled_at: null, totp_last_counter: null })
    .where("id", "=", personId)
    .execute();
  await trx.deleteFrom("recovery_codes").where("person_id", "=", personId).execute();
}

/**
 * The second factor as the staff member's own page shows it: enrolled or
 * not, and while not, a new secret with its otpauth:// URI as a QR code.
 * Nothing is written: the secret travels in the form and is kept only once
 * a code from the app proves the person holds it (enableTotp), so looking at
 * the page changes no data.
 */
export async function getTotpState(db: Database, user: SessionUser) {
  const row = await db
    .selectFrom("people")
    .select(["totp_secret", "totp_enabled_at"])
    .where("id", "=", user.id)
    .executeTakeFirstOrThrow();
  const remaining = await db
    .selectFrom("recovery_codes")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("person_id", "=", user.id)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  if (row.totp_enabled_at) {
    return { enabled: true as const, since: row.totp_enabled_at, recoveryLeft: remaining.n };
  }
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const uri = totpFor(secret, user.email).toString();
  const qr = await QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 2, width: 220 });
  return { enabled: false as const, secret, uri, qr };
}

/**
 * Turns the second factor on: the secret the page showed (160 bits, base32)
 * and a first code from the app made with it. Returns the recovery codes,
 * shown once (only their hashes are kept).
 */
export async function enableTotp(
  db: Database,
  args: { user: SessionUser; secret: string; code: string },
): Promise<{ recoveryCodes: string[] }> {
  if (!isStaffRole(args.user.role)) throw new DomainError("forbidden");
  if (!/^[A-Z2-7]{32}$/.test(args.secret)) throw new DomainError("invalid_totp", { field: "code" });
  await hitRateLimit(db, { key: `totp:${args.user.id}`, limit: 10, windowSeconds: 15 * 60 });
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("people")
      .select(["totp_secret", "totp_enabled_at"])
      .where("id", "=", args.user.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.totp_enabled_at) throw new DomainError("invalid_totp", { field: "code" });
    const counter = totpCounter(args.secret, args.user.email, args.code);
    if (counter === null) throw new DomainError("invalid_totp", { field: "code" });
    await trx
      .updateTable("people")
      .set({ totp_secret: args.secret, totp_enabled_at: sql`now()`, totp_last_counter: counter })
      .where("id", "=", args.user.id)
      .execute();
    const codes = newRecoveryCodes();
    await trx.deleteFrom("recovery_codes").where("person_id", "=", args.user.id).execute();
    await trx
      .insertInto("recovery_codes")
      .values(codes.map((c) => ({ person_id: args.user.id, code_hash: recoveryHash(c) })))
      .execute();
    await audit(trx, {
      actorId: args.user.id,
      eventId: null,
      ...staffEntity(args.user.id),
      action: "staff.totp_enabled",
    });
    return { recoveryCodes: codes };
  });
}

/** Turns one's own second factor off, with the password; refused when the site requires it. */
export async function disableOwnTotp(
  db: Database,
  args: { user: SessionUser; password: string },
): Promise<void> {
  if (!isStaffRole(args.user.role)) throw new DomainError("forbidden");
  if (await isTotpRequired(db)) throw new DomainError("totp_required");
  await hitRateLimit(db, {
    key: `password-change:${args.user.id}`,
    limit: 10,
    windowSeconds: 15 * 60,
  });
  const row = await db
    .selectFrom("people")
    .select("password_hash")
    .where("id", "=", args.user.id)
    .executeTakeFirstOrThrow();
  if (!row.password_hash || !(await verifyPassword(args.password, row.password_hash)))
    throw new DomainError("wrong_password", { field: "current" });
  await inTransaction(db, async (trx) => {
    await clearTotp(trx, args.user.id);
    await audit(trx, {
      actorId: args.user.id,
      eventId: null,
      ...staffEntity(args.user.id),
      action: "staff.totp_disabled",
    });
  });
}

/**
 * The second step of a staff sign-in: a code from the app (each time step
 * accepted once) or an unused recovery code (then used up). Replaces the
 * half-signed-in session with a full one, whose token is returned.
 */
export async function completeTotpSignIn(
  db: Database,
  args: { pendingToken: string; user: SessionUser; code: string },
): Promise<string> {
  await hitRateLimit(db, { key: `totp:${args.user.id}`, limit: 10, windowSeconds: 15 * 60 });
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("people")
      .select(["totp_secret", "totp_enabled_at", "totp_last_counter"])
      .where("id", "=", args.user.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (!row.totp_secret || !row.totp_enabled_at)
      throw new DomainError("invalid_totp", { field: "code" });
    const counter = totpCounter(row.totp_secret, args.user.email, args.code);
    if (
      counter !== null &&
      (row.totp_last_counter === null || counter > Number(row.totp_last_counter))
    ) {
      await trx
        .updateTable("people")
        .set({ totp_last_counter: counter })
        .where("id", "=", args.user.id)
        .execute();
    } else {
      const used = await trx
        .updateTable("recovery_codes")
        .set({ used_at: sql`now()` })
        .where("person_id", "=", args.user.id)
        .where("code_hash", "=", recoveryHash(args.code))
        .where("used_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      if (!used) throw new DomainError("invalid_totp", { field: "code" });
      await audit(trx, {
        actorId: args.user.id,
        eventId: null,
        ...staffEntity(args.user.id),
        action: "staff.recovery_code_used",
      });
    }
    await endSessionByToken(trx, args.pendingToken);
    return createSession(trx, args.user.id);
  });
}

/**
 * Enrolment at sign-in when the site requires a second factor: once the
 * first code is right, the half-signed-in ('enrol') session becomes a full
 * one, and the recovery codes are returned to be shown once.
 */
export async function enrolTotpAtSignIn(
  db: Database,
  args: { pendingToken: string; user: SessionUser; secret: string; code: string },
): Promise<{ recoveryCodes: string[] }> {
  const result = await enableTotp(db, { user: args.user, secret: args.secret, code: args.code });
  await promoteSession(db, args.pendingToken);
  return result;
}

// ---------------------------------------------------------------------------
// A staff member's own profile
// ---------------------------------------------------------------------------

/**
 * Saves a staff member's own name, kana, workplace and phone. The 単組 is
 * not theirs to change (an administrator sets a secretary's), so it is never
 * read from the form.
 */
export async function saveStaffProfile(
  db: Database,
  args: {
    personId: string;
    input: {
      family_name: string;
      given_name: string;
      family_name_kana: string;
      given_name_kana: string;
      workplace: string;
      phone: string;
    };
  },
): Promise<void> {
  const { input } = args;
  await db
    .updateTable("people")
    .set({
      family_name: input.family_name,
      given_name: input.given_name,
      family_name_kana: input.family_name_kana,
      given_name_kana: input.given_name_kana,
      workplace: input.workplace,
      phone: input.phone.normalize("NFKC"),
      profile_completed_at: sql`coalesce(profile_completed_at, now())`,
      updated_at: sql`now()`,
    })
    .where("id", "=", args.personId)
    .where("role", "!=", "member")
    .execute();
}

export type { PersonRole };
