import { z } from "zod";
import type { Database } from "../../db/index";
import { audit } from "./audit.server";
import { DomainError } from "./errors.server";
import { enqueueEmail } from "./mailer.server";
import { emptyPerson } from "./privacy.server";
import { cancelRegistration } from "./registrations.server";
import { inTransaction } from "./transactions.server";

export const deleteAccountSchema = z.object({
  confirm: z.literal("on", {
    message: "「取り消せないことを理解しました」にチェックを入れてください",
  }),
});

/**
 * Deletes a member's own account. Sessions end first, so nothing new can be
 * registered meanwhile; each upcoming registration is cancelled through the
 * one cancellation path (seats released, the waitlist promoted, emails sent),
 * past the cancellation deadline too; then the person is emptied
 * (emptyPerson) and a confirmation email goes to the address they had.
 * Audited. Cannot be undone.
 */
export async function deleteAccount(
  db: Database,
  args: { personId: string; appUrl: string; now?: Date },
): Promise<{ cancelled: number; anonymised: number }> {
  const now = args.now ?? new Date();
  const person = await db
    .selectFrom("people")
    .select(["id", "email", "family_name", "given_name", "role", "deleted_at"])
    .where("id", "=", args.personId)
    .executeTakeFirst();
  if (!person || person.deleted_at) throw new DomainError("not_found");
  if (person.role !== "member")
    throw new DomainError("forbidden", {
      message: "スタッフのアカウントは、管理者に削除を依頼してください。",
    });
  await db.deleteFrom("auth_sessions").where("person_id", "=", person.id).execute();
  await db.deleteFrom("api_tokens").where("person_id", "=", person.id).execute();
  const upcoming = await db
    .selectFrom("registrations")
    .innerJoin("events", "events.id", "registrations.event_id")
    .select("registrations.id")
    .where("registrations.person_id", "=", person.id)
    .where("registrations.status", "!=", "cancelled")
    .where("events.ends_at", ">", now)
    .orderBy("registrations.id")
    .execute();
  let cancelled = 0;
  for (const r of upcoming) {
    try {
      await cancelRegistration(db, {
        registrationId: r.id,
        personId: person.id,
        actorId: person.id,
        appUrl: args.appUrl,
        override: true,
        now,
      });
      cancelled++;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "already_cancelled")) throw error;
    }
  }
  const anonymised = await inTransaction(db, async (trx) => {
    await trx.selectFrom("people").select("id").where("id", "=", person.id).forUpdate().execute();
    await enqueueEmail(trx, {
      to: person.email,
      message: {
        template: "notice",
        payload: {
          name: `${person.family_name} ${person.given_name}`.trim() || person.email,
          subject: "アカウントを削除しました",
          eventTitle: "自治研イベント",
          body: [
            "ご依頼により、自治研イベントのアカウントを削除しました。",
            `今後開催のイベントへの申込${cancelled}件をキャンセルしました。`,
            "過去の申込は、氏名・連絡先・回答・配慮事項を削除し、参加人数の統計としてのみ残しています。",
            "この削除は取り消せません。再びご利用の場合は、あらためてログインして登録してください。",
            "お心当たりのない場合は、自治労福島県本部までご連絡ください。",
          ].join("\n"),
          manageUrl: args.appUrl,
        },
      },
    });
    const count = await emptyPerson(trx, person.id, person.email);
    await audit(trx, {
      actorId: person.id,
      eventId: null,
      entity: "person",
      entityId: person.id,
      action: "delete_account",
      detail: { cancelled, anonymised: count },
    });
    return count;
  });
  return { cancelled, anonymised };
}
