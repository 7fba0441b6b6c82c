import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index";
import { textField, rowId } from "../utils/forms";

const KATAKANA = /^[ァ-ヶー・ 　]+$/u;

const text = (label: string, max: number) =>
  textField(label, max).min(1, `${label}を入力してください`);

const kana = (label: string) =>
  text(label, 40).regex(KATAKANA, `${label}はカタカナで入力してください(例: サトウ)`);

/** The profile a member completes at first sign-in; family name first. */
export const profileSchema = z.object({
  family_name: text("姓", 40),
  given_name: text("名", 40),
  family_name_kana: kana("セイ"),
  given_name_kana: kana("メイ"),
  organisation_id: rowId("所属単組を選択してください"),
  workplace: text("職場", 100),
  phone: z
    .string()
    .trim()
    .min(1, "電話番号を入力してください")
    .regex(
      /^[0-9０-９+\-‐ー() ]{10,20}$/,
      "電話番号は数字とハイフンで入力してください(例: 090-1234-5678)",
    ),
});

export type ProfileInput = z.infer<typeof profileSchema>;

/** The 単組 a member may belong to, in 五十音 order. */
export function listUnions(db: Database) {
  return db
    .selectFrom("organisations")
    .select(["id", "name", "name_kana"])
    .where("kind", "=", "local_union")
    .orderBy("name_kana")
    .execute();
}

/** Saves the profile; the 単組 must be a real local union. Returns false if it is not. */
export async function saveProfile(
  db: Database,
  args: { personId: string; input: ProfileInput },
): Promise<boolean> {
  const union = await db
    .selectFrom("organisations")
    .select("id")
    .where("id", "=", args.input.organisation_id)
    .where("kind", "=", "local_union")
    .executeTakeFirst();
  if (!union) return false;
  await db
    .updateTable("people")
    .set({
      ...args.input,
      phone: args.input.phone.normalize("NFKC"),
      profile_completed_at: sql`coalesce(profile_completed_at, now())`,
      updated_at: sql`now()`,
    })
    .where("id", "=", args.personId)
    .execute();
  return true;
}
