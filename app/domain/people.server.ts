import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index";
import type { MembershipStatus } from "../../db/schema";
import { kanaField, phoneField, rowId, textField } from "../utils/forms";
import { DomainError } from "./errors.server";
import { claimUnion } from "./membership.server";
import { inTransaction } from "./transactions.server";

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
