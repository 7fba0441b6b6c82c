import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { MembershipStatus } from "../../db/schema";
import { kanaField, phoneField, rowId, textField } from "../utils/forms";
import { DomainError } from "./errors.server";
import { audit } from "./audit.server";
import { claimUnion } from "./membership.server";
import { inTransaction } from "./transactions.server";

/** A person's name as one string, 「佐藤 花子」, for a query that joins `people`. */
export const personName = sql<string>`trim(people.family_name || ' ' || people.given_name)`;

/** The profile a member completes at first sign-in; family name first. */
export const profileSchema = z.object({
  family_name: textField("姓", 40, { required: true }),
  given_name: textField("名", 40, { required: true }),
  family_name_kana: kanaField("セイ"),
  given_name_kana: kanaField("メイ"),
  organisation_id: rowId("所属単組を選択してください"),
  workplace: textField("職場", 100, { required: true }),
  phone: phoneField(),
});

export type ProfileInput = z.infer<typeof profileSchema>;

/** The 単組 a member may pick: every union that is not retired, in 五十音 order. */
export function listUnions(db: Database) {
  return db
    .selectFrom("organisations")
    .select(["id", "name", "name_kana"])
    .where("kind", "=", "local_union")
    .where("retired_at", "is", null)
    .orderBy("name_kana")
    .execute();
}

/**
 * Saves the profile. A member's 単組 is a claim that the union confirms
 * (claimUnion); staff never change their union here, since an administrator
 * sets it. Returns the membership status, or undefined when the 単組 is not
 * one that can be picked (nothing is saved then).
 */
export async function saveProfile(
  db: Database,
  args: { personId: string; input: ProfileInput },
): Promise<MembershipStatus | undefined> {
  try {
    return await inTransaction(db, async (trx) => {
      const { organisation_id, ...profile } = args.input;
      const person = await trx
        .updateTable("people")
        .set({
          ...profile,
          profile_completed_at: sql`coalesce(profile_completed_at, now())`,
          updated_at: sql`now()`,
        })
        .where("id", "=", args.personId)
        .returning(["role", "membership_status"])
        .executeTakeFirstOrThrow();
      if (person.role !== "member") return person.membership_status;
      return claimUnion(trx, { personId: args.personId, organisationId: organisation_id });
    });
  } catch (error) {
    if (error instanceof DomainError && error.field === "organisation_id") return undefined;
    throw error;
  }
}

/**
 * Who a new person is, as the two ways a member comes into being give it:
 * - signing in for the first time: the email alone; they fill in their
 *   profile next, and claim their 単組 there (saveProfile);
 * - registered by staff on their behalf: the profile the staff member typed,
 *   and a membership of that 単組 granted by the staff member, who vouches for
 *   it (docs/decisions/013-membership.md).
 * Staff accounts are created by invitation (staff.server.ts), with a role.
 */
export type NewPerson =
  | { email: string }
  | { email: string; profile: ProfileInput; vouchedBy: { personId: string; eventId: number } };

/**
 * Creates a member: the one place a member's row is inserted. The email is
 * stored in lower case. A membership vouched for by staff is confirmed at
 * once, and audited (`membership`, `confirmed_by_proxy`). Refuses nothing:
 * the caller has checked that no one has the address (the unique index on
 * lower(email) stops a second row).
 */
export async function createPerson(
  trx: Transaction<DB>,
  person: NewPerson,
): Promise<{ id: string; profile_completed_at: Date | null }> {
  const email = person.email.toLowerCase();
  if (!("profile" in person)) {
    return trx
      .insertInto("people")
      .values({ email })
      .returning(["id", "profile_completed_at"])
      .executeTakeFirstOrThrow();
  }
  const { profile, vouchedBy } = person;
  const row = await trx
    .insertInto("people")
    .values({
      email,
      family_name: profile.family_name,
      given_name: profile.given_name,
      family_name_kana: profile.family_name_kana,
      given_name_kana: profile.given_name_kana,
      organisation_id: profile.organisation_id,
      workplace: profile.workplace,
      phone: profile.phone.normalize("NFKC"),
      profile_completed_at: sql`now()`,
      membership_status: "confirmed",
      membership_via: "proxy",
      membership_decided_at: sql`now()`,
      membership_decided_by: vouchedBy.personId,
    })
    .returning(["id", "profile_completed_at"])
    .executeTakeFirstOrThrow();
  await audit(trx, {
    actorId: vouchedBy.personId,
    eventId: vouchedBy.eventId,
    entity: "membership",
    entityId: row.id,
    action: "confirmed_by_proxy",
    detail: { organisationId: profile.organisation_id },
  });
  return row;
}
