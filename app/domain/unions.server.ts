import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index";
import { textField } from "../utils/forms";
import { audit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import { DomainError } from "./errors.server";
import { inTransaction } from "./transactions.server";

/**
 * The 単組 themselves, kept by an administrator: added, renamed, given a
 * code, retired. A retired union keeps its members, registrations and
 * history, and is no longer offered at sign-up. Who belongs to a union is
 * membership.server.ts; who is its secretary is an account's role and union,
 * set on the staff page.
 */

const KATAKANA = /^[ァ-ヶー・ 　]+$/u;

export const unionSchema = z.object({
  name: textField("単組名", 80).min(1, "単組名を入力してください(例: 福島市職員労働組合)"),
  name_kana: textField("単組名のフリガナ", 120)
    .min(1, "単組名のフリガナを入力してください")
    .regex(
      KATAKANA,
      "単組名のフリガナはカタカナで入力してください(例: フクシマシショクインロウドウクミアイ)",
    ),
  code: z
    .string({ message: "コードを入力してください" })
    .trim()
    .toLowerCase()
    .pipe(
      z
        .string()
        .min(2, "コードは2文字以上で入力してください")
        .max(40, "コードは40文字以内で入力してください")
        .regex(
          /^[a-z0-9][a-z0-9-]*$/,
          "コードは半角英小文字・数字・ハイフンで入力してください(例: fukushima-shi)",
        ),
    ),
});
export type UnionInput = z.infer<typeof unionSchema>;

function requireAdmin(user: SessionUser) {
  if (user.role !== "admin") throw new DomainError("forbidden");
}

/** Every 単組, retired last, with its confirmed and pending members and its secretaries. */
export function listUnionsForAdmin(db: Database) {
  return db
    .selectFrom("organisations as o")
    .select((eb) => [
      "o.id",
      "o.code",
      "o.name",
      "o.name_kana",
      "o.retired_at",
      eb
        .selectFrom("people")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("people.organisation_id", "=", "o.id")
        .where("people.membership_status", "=", "confirmed")
        .as("confirmed"),
      eb
        .selectFrom("people")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("people.organisation_id", "=", "o.id")
        .where("people.membership_status", "=", "pending")
        .as("pending"),
      eb
        .selectFrom("people")
        .select(
          sql<string>`coalesce(string_agg(trim(family_name || ' ' || given_name), '、' order by id), '')`.as(
            "names",
          ),
        )
        .whereRef("people.organisation_id", "=", "o.id")
        .where("people.role", "=", "secretary")
        .as("secretaries"),
    ])
    .where("o.kind", "=", "local_union")
    .orderBy(sql`o.retired_at is not null`)
    .orderBy("o.name_kana")
    .execute();
}

/** The secretaries an administrator gave a union (their accounts are on the staff page). */
export function listSecretaries(db: Database, unionId: number) {
  return db
    .selectFrom("people")
    .select(["id", "email", "family_name", "given_name"])
    .where("organisation_id", "=", unionId)
    .where("role", "=", "secretary")
    .orderBy("family_name_kana")
    .execute();
}

const codeTaken = () =>
  new DomainError("invalid_input", {
    field: "code",
    message: "このコードは既に使われています。別のコードを入力してください",
  });

async function withUniqueCode<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw codeTaken();
    throw error;
  }
}

/** Adds a 単組 under the 県本部. Administrators only; a code in use is refused on its field. */
export async function createUnion(
  db: Database,
  args: { by: SessionUser; input: UnionInput },
): Promise<number> {
  requireAdmin(args.by);
  return withUniqueCode(() =>
    inTransaction(db, async (trx) => {
      const parent = await trx
        .selectFrom("organisations")
        .select("id")
        .where("kind", "=", "prefectural_hq")
        .orderBy("id")
        .executeTakeFirst();
      const { id } = await trx
        .insertInto("organisations")
        .values({ ...args.input, kind: "local_union", parent_id: parent?.id ?? null })
        .returning("id")
        .executeTakeFirstOrThrow();
      await audit(trx, {
        actorId: args.by.id,
        eventId: null,
        entity: "union",
        entityId: id,
        action: "created",
        detail: { ...args.input },
      });
      return id;
    }),
  );
}

/** Renames a 単組 or changes its code. Administrators only. */
export async function updateUnion(
  db: Database,
  args: { by: SessionUser; unionId: number; input: UnionInput },
): Promise<void> {
  requireAdmin(args.by);
  await withUniqueCode(() =>
    inTransaction(db, async (trx) => {
      const before = await trx
        .selectFrom("organisations")
        .select(["name", "name_kana", "code"])
        .where("id", "=", args.unionId)
        .where("kind", "=", "local_union")
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw new DomainError("not_found");
      await trx
        .updateTable("organisations")
        .set(args.input)
        .where("id", "=", args.unionId)
        .execute();
      await audit(trx, {
        actorId: args.by.id,
        eventId: null,
        entity: "union",
        entityId: args.unionId,
        action: "updated",
        detail: { before, after: args.input },
      });
    }),
  );
}

/**
 * Retires a 単組 (or brings it back). Its people and history stay; it is no
 * longer offered on the profile form, so nobody new can claim it.
 */
export async function setUnionRetired(
  db: Database,
  args: { by: SessionUser; unionId: number; retired: boolean },
): Promise<void> {
  requireAdmin(args.by);
  await inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable("organisations")
      .set({ retired_at: args.retired ? sql`coalesce(retired_at, now())` : null })
      .where("id", "=", args.unionId)
      .where("kind", "=", "local_union")
      .returning("id")
      .executeTakeFirst();
    if (!row) throw new DomainError("not_found");
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "union",
      entityId: args.unionId,
      action: args.retired ? "retired" : "restored",
    });
  });
}
