import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index";
import { textField, emailField } from "../utils/forms";
import { audit } from "./audit.server";
import { DomainError } from "./errors.server";
import type { EventAccess } from "./permissions.server";
import { inviteStaff } from "./staff.server";
import { inTransaction } from "./transactions.server";

/**
 * Who works on one event: its organisers (co-organisers included) and its
 * reception staff, as event_staff rows that getEventAccess reads. An event's
 * organisers (and administrators) add and remove them by email; each row
 * keeps who added it and since when.
 */

export const EVENT_STAFF_ROLES = ["organiser", "reception"] as const;
export type EventStaffRole = (typeof EVENT_STAFF_ROLES)[number];

const ROLE_NAMES: Record<EventStaffRole, string> = {
  organiser: "主催担当",
  reception: "受付",
};

export const addEventStaffSchema = z.object({
  email: emailField().transform((v) => v.toLowerCase()),
  name: textField("氏名", 80).default(""),
  role: z.enum(EVENT_STAFF_ROLES, { message: "役割を選択してください" }),
});

export const removeEventStaffSchema = z.object({
  person: z.string().regex(/^\d{1,18}$/, "担当者を選び直してください"),
  role: z.enum(EVENT_STAFF_ROLES, { message: "役割を選び直してください" }),
});

/** The event's staff, organisers first, each with who added them and when. */
export function listEventStaff(db: Database, eventId: number) {
  return db
    .selectFrom("event_staff")
    .innerJoin("people", "people.id", "event_staff.person_id")
    .leftJoin("people as adder", "adder.id", "event_staff.added_by")
    .select([
      "event_staff.person_id",
      "event_staff.role",
      "event_staff.added_at",
      "people.email",
      "people.family_name",
      "people.given_name",
      sql<string | null>`nullif(trim(adder.family_name || ' ' || adder.given_name), '')`.as(
        "added_by_name",
      ),
    ])
    .where("event_staff.event_id", "=", eventId)
    .orderBy(sql`event_staff.role = 'reception'`)
    .orderBy("event_staff.added_at")
    .orderBy("people.family_name_kana")
    .execute();
}

function requireManager(access: EventAccess) {
  if (!access.canManage) throw new DomainError("forbidden");
}

/**
 * Gives a person a part in the event. A staff account of that role is simply
 * added; anyone else is invited by email through inviteStaff (the same path
 * as /admin/staff, so the account, its end with the event for reception, the
 * email and the audit entry come from one place). Adding someone already
 * there changes nothing.
 */
export async function addEventStaff(
  db: Database,
  args: { access: EventAccess; email: string; name: string; role: EventStaffRole },
): Promise<{ added: boolean; invited: boolean; name: string }> {
  requireManager(args.access);
  const existing = await db
    .selectFrom("people")
    .select((eb) => [
      "people.id",
      "people.role",
      sql<string>`trim(people.family_name || ' ' || people.given_name)`.as("name"),
      eb
        .exists(
          eb
            .selectFrom("event_staff")
            .select("event_staff.person_id")
            .whereRef("event_staff.person_id", "=", "people.id")
            .where("event_staff.event_id", "=", args.access.eventId)
            .where("event_staff.role", "=", args.role),
        )
        .as("on_event"),
    ])
    .where(sql`lower(email)`, "=", args.email)
    .executeTakeFirst();
  if (existing?.on_event) return { added: false, invited: false, name: existing.name };
  const name = existing?.role === args.role && existing.name ? existing.name : args.name.trim();
  if (!name) {
    throw new DomainError("invalid_input", {
      field: "name",
      message: `このメールアドレスの${ROLE_NAMES[args.role]}アカウントはまだありません。招待する方の氏名を入力してください`,
    });
  }
  const { invited } = await inviteStaff(db, {
    by: args.access.user,
    email: args.email,
    name,
    role: args.role,
    eventId: args.access.eventId,
  });
  return { added: true, invited, name };
}

/** Takes a person's part in the event away. Nobody removes themselves (an administrator can). */
export async function removeEventStaff(
  db: Database,
  args: { access: EventAccess; personId: string; role: EventStaffRole },
): Promise<void> {
  requireManager(args.access);
  if (args.personId === args.access.user.id) {
    throw new DomainError("forbidden", {
      message: "自分自身は外せません。ほかの主催担当か管理者に依頼してください。",
    });
  }
  await inTransaction(db, async (trx) => {
    const removed = await trx
      .deleteFrom("event_staff")
      .where("event_id", "=", args.access.eventId)
      .where("person_id", "=", args.personId)
      .where("role", "=", args.role)
      .returning("person_id")
      .executeTakeFirst();
    if (!removed) throw new DomainError("not_found");
    await audit(trx, {
      actorId: args.access.user.id,
      eventId: args.access.eventId,
      entity: "event_staff",
      entityId: args.personId,
      action: "removed",
      detail: { role: args.role },
    });
  });
}
