import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { MembershipStatus, MembershipVia } from "../../db/schema";
import { textField, emailField } from "../utils/forms";
import { audit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import { DomainError } from "./errors.server";
import { enqueueEmail } from "./mailer.server";
import { decodeCsvStrict, parseCsv } from "./csv-import.server";
import { inTransaction } from "./transactions.server";

/**
 * Membership is confirmed, not claimed (ARCHITECTURE.md rule 9). A person who
 * picks a 単組 on their profile is pending until that union confirms them: by
 * its roster (addresses its secretary uploaded), by its mail domains (a city
 * hall's, set by an administrator), or by a secretary's decision. Being staff,
 * or belonging to the 県本部, makes nobody a member. Every members-only rule
 * asks isConfirmedMember, and nothing else.
 */

type Trx = Transaction<DB>;

/** The one members-only check: the person's 単組 has confirmed them. */
export function isConfirmedMember(person: { membership_status: MembershipStatus }): boolean {
  return person.membership_status === "confirmed";
}

/**
 * Why a person may not do what members may: `membership_pending` while their
 * union confirms them, `members_only` when they have claimed no union (or
 * were declined). undefined for a confirmed member.
 */
export function membersOnlyRefusal(person: {
  membership_status: MembershipStatus;
}): "membership_pending" | "members_only" | undefined {
  if (isConfirmedMember(person)) return undefined;
  return person.membership_status === "pending" ? "membership_pending" : "members_only";
}

/** An administrator manages every union; a 単組 secretary only the one an administrator gave them. */
export function canManageUnion(user: SessionUser, unionId: number): boolean {
  if (user.role === "admin") return true;
  return user.role === "secretary" && user.organisation_id === unionId;
}

/** A union the user may manage, or a 404 (ids cannot be probed). */
export async function getManagedUnion(db: Database, args: { user: SessionUser; unionId: unknown }) {
  const id =
    typeof args.unionId === "string" && /^\d{1,9}$/.test(args.unionId) ? Number(args.unionId) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0 || !canManageUnion(args.user, id)) return undefined;
  return db
    .selectFrom("organisations")
    .select(["id", "code", "name", "name_kana", "retired_at"])
    .where("id", "=", id)
    .where("kind", "=", "local_union")
    .executeTakeFirst();
}

const mailDomain = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** How an address is vouched for by a union: its roster, its domains, or not at all. */
async function vouchedBy(
  db: Database,
  unionId: number,
  email: string,
): Promise<MembershipVia | null> {
  const address = email.trim().toLowerCase();
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom("union_roster")
            .select("email")
            .where("organisation_id", "=", unionId)
            .where("email", "=", address),
        )
        .as("roster"),
      eb
        .exists(
          eb
            .selectFrom("union_mail_domains")
            .select("domain")
            .where("organisation_id", "=", unionId)
            .where("domain", "=", mailDomain(address)),
        )
        .as("domain"),
    ])
    .executeTakeFirstOrThrow();
  return row.roster ? "roster" : row.domain ? "domain" : null;
}

/**
 * A person picks (or keeps) their 単組 on the profile form. Keeping the same
 * union keeps the status; a new one is confirmed at once when its roster or
 * domains vouch for the address, and is pending otherwise. A retired union
 * or one that is not a 単組 is refused on the field. Staff never come here:
 * their union is set by an administrator (the profile form does not offer it).
 */
export async function claimUnion(
  trx: Trx,
  args: { personId: string; organisationId: number },
): Promise<MembershipStatus> {
  const union = await trx
    .selectFrom("organisations")
    .select("id")
    .where("id", "=", args.organisationId)
    .where("kind", "=", "local_union")
    .where("retired_at", "is", null)
    .executeTakeFirst();
  if (!union) {
    throw new DomainError("invalid_input", {
      field: "organisation_id",
      message: "所属単組を一覧から選択してください",
    });
  }
  const person = await trx
    .selectFrom("people")
    .select(["id", "email", "organisation_id", "membership_status"])
    .where("id", "=", args.personId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (person.organisation_id === union.id && person.membership_status !== "none") {
    return person.membership_status;
  }
  const via = await vouchedBy(trx, union.id, person.email);
  const status: MembershipStatus = via ? "confirmed" : "pending";
  await trx
    .updateTable("people")
    .set({
      organisation_id: union.id,
      membership_status: status,
      membership_via: via,
      membership_decided_at: via ? sql`now()` : null,
      membership_decided_by: null,
    })
    .where("id", "=", person.id)
    .execute();
  await audit(trx, {
    actorId: person.id,
    eventId: null,
    entity: "membership",
    entityId: person.id,
    action: via ? `confirmed_by_${via}` : "claimed",
    detail: { organisationId: union.id, previousOrganisationId: person.organisation_id },
  });
  return status;
}

/** The people waiting for a union to confirm them, oldest claim first. */
export function listPendingMembers(db: Database, unionId: number) {
  return db
    .selectFrom("people")
    .select([
      "id",
      "email",
      "family_name",
      "given_name",
      "family_name_kana",
      "given_name_kana",
      "workplace",
      "updated_at",
    ])
    .where("organisation_id", "=", unionId)
    .where("membership_status", "=", "pending")
    .orderBy("updated_at")
    .orderBy("id")
    .execute();
}

const DECISION_MAIL = {
  confirm: {
    subject: "【自治研イベント】組合員の確認が済みました",
    body: (union: string) =>
      `${union}から、組合員であることの確認が済みました。\n組合員限定のイベントへの申込や、組合員向け資料のダウンロードができるようになりました。`,
  },
  decline: {
    subject: "【自治研イベント】所属単組の確認について",
    body: (union: string) =>
      `${union}では、このメールアドレスの方を組合員として確認できませんでした。\n所属単組の選択に誤りがある場合は、マイページのプロフィールから選び直してください。お心当たりのない場合は、所属単組の書記局へお問い合わせください。`,
  },
} as const;

async function setMembership(
  trx: Trx,
  args: {
    personId: string;
    unionId: number;
    status: "confirmed" | "declined";
    via: MembershipVia | null;
    by: string | null;
    appUrl: string;
    notify: boolean;
  },
): Promise<void> {
  const person = await trx
    .updateTable("people")
    .set({
      membership_status: args.status,
      membership_via: args.via,
      membership_decided_at: sql`now()`,
      membership_decided_by: args.by,
    })
    .where("id", "=", args.personId)
    .where("organisation_id", "=", args.unionId)
    .returning(["id", "email", "family_name", "given_name"])
    .executeTakeFirstOrThrow();
  await audit(trx, {
    actorId: args.by,
    eventId: null,
    entity: "membership",
    entityId: person.id,
    action: args.status === "confirmed" ? `confirmed_by_${args.via}` : "declined",
    detail: { organisationId: args.unionId },
  });
  if (!args.notify) return;
  const union = await trx
    .selectFrom("organisations")
    .select("name")
    .where("id", "=", args.unionId)
    .executeTakeFirstOrThrow();
  const mail = DECISION_MAIL[args.status === "confirmed" ? "confirm" : "decline"];
  await enqueueEmail(trx, {
    to: person.email,
    message: {
      template: "notice",
      payload: {
        name: `${person.family_name} ${person.given_name}`.trim(),
        subject: mail.subject,
        body: mail.body(union.name),
        eventTitle: union.name,
        manageUrl: `${args.appUrl}/me`,
      },
    },
  });
}

/**
 * A secretary (or an administrator) confirms or declines one pending person
 * of their union; the person is emailed either way. Anyone else, or a person
 * who is not pending in that union, gets `not_found` and nothing changes.
 */
export async function decideMembership(
  db: Database,
  args: {
    by: SessionUser;
    unionId: number;
    personId: string;
    decision: "confirm" | "decline";
    appUrl: string;
  },
): Promise<void> {
  if (!canManageUnion(args.by, args.unionId) || !/^\d{1,18}$/.test(args.personId)) {
    throw new DomainError("not_found");
  }
  await inTransaction(db, async (trx) => {
    const pending = await trx
      .selectFrom("people")
      .select("id")
      .where("id", "=", args.personId)
      .where("organisation_id", "=", args.unionId)
      .where("membership_status", "=", "pending")
      .forUpdate()
      .executeTakeFirst();
    if (!pending) throw new DomainError("not_found");
    await setMembership(trx, {
      personId: pending.id,
      unionId: args.unionId,
      status: args.decision === "confirm" ? "confirmed" : "declined",
      via: args.decision === "confirm" ? "secretary" : null,
      by: args.by.id,
      appUrl: args.appUrl,
      notify: true,
    });
  });
}

/**
 * A registration made for a colleague by their union's secretary (or by an
 * administrator) vouches for them: a person of that union who is not yet
 * confirmed becomes confirmed, in the registration's transaction.
 */
export async function confirmByProxy(
  trx: Trx,
  args: { personId: string; unionId: number; by: string },
): Promise<void> {
  const person = await trx
    .selectFrom("people")
    .select(["id", "membership_status"])
    .where("id", "=", args.personId)
    .where("organisation_id", "=", args.unionId)
    .forUpdate()
    .executeTakeFirst();
  if (!person || person.membership_status === "confirmed") return;
  await setMembership(trx, {
    personId: person.id,
    unionId: args.unionId,
    status: "confirmed",
    via: "proxy",
    by: args.by,
    appUrl: "",
    notify: false,
  });
}

/** Confirms, and emails, the pending people of a union whom its roster or domains now vouch for. */
async function confirmVouchedPending(
  trx: Trx,
  args: { unionId: number; by: string; appUrl: string },
): Promise<number> {
  const vouched = await trx
    .selectFrom("people")
    .select(["people.id", "people.email"])
    .where("people.organisation_id", "=", args.unionId)
    .where("people.membership_status", "=", "pending")
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom("union_roster")
            .select("union_roster.email")
            .where("union_roster.organisation_id", "=", args.unionId)
            .whereRef("union_roster.email", "=", sql`lower(people.email)`),
        ),
        eb.exists(
          eb
            .selectFrom("union_mail_domains")
            .select("union_mail_domains.domain")
            .where("union_mail_domains.organisation_id", "=", args.unionId)
            .whereRef(
              "union_mail_domains.domain",
              "=",
              sql`lower(split_part(people.email, '@', 2))`,
            ),
        ),
      ]),
    )
    .orderBy("people.id")
    .forUpdate()
    .execute();
  for (const person of vouched) {
    await setMembership(trx, {
      personId: person.id,
      unionId: args.unionId,
      status: "confirmed",
      via: (await vouchedBy(trx, args.unionId, person.email)) ?? "roster",
      by: args.by,
      appUrl: args.appUrl,
      notify: true,
    });
  }
  return vouched.length;
}

// ---------------------------------------------------------------------------
// The roster: a CSV of names and emails, uploaded or edited by the union
// ---------------------------------------------------------------------------

const rosterEmail = emailField().transform((v) => v.toLowerCase());

export const rosterEntrySchema = z.object({
  email: rosterEmail,
  name: textField("氏名", 80).default(""),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

export const ROSTER_CSV_TEMPLATE = "氏名,メールアドレス\r\n";
const ROSTER_MAX_ROWS = 10_000;

/**
 * Reads a roster CSV (UTF-8 or Shift_JIS) whole: a header with 氏名 and
 * メールアドレス, then one person a row. Any bad row refuses the whole file,
 * naming each row; nothing is written here.
 */
export function parseRosterCsv(
  bytes: Uint8Array,
): { ok: true; entries: RosterEntry[] } | { ok: false; errors: string[] } {
  // Bytes that are not valid text refuse the file, naming the row and column (issue 13).
  const decoded = decodeCsvStrict(bytes);
  if ("error" in decoded) return { ok: false, errors: [decoded.error] };
  const [header, ...body] = parseCsv(decoded.text);
  if (!header)
    return {
      ok: false,
      errors: ["ファイルが空です。1行目に「氏名,メールアドレス」の見出しを入れてください。"],
    };
  const names = header.map((h) => h.trim());
  const emailAt = names.indexOf("メールアドレス");
  const nameAt = names.indexOf("氏名");
  if (emailAt < 0) {
    return {
      ok: false,
      errors: ["見出し行に「メールアドレス」の列がありません。テンプレートをご利用ください。"],
    };
  }
  if (body.length === 0) return { ok: false, errors: ["名簿の行がありません。"] };
  if (body.length > ROSTER_MAX_ROWS) {
    return {
      ok: false,
      errors: [`一度に取り込めるのは${ROSTER_MAX_ROWS}行までです。ファイルを分けてください。`],
    };
  }
  const errors: string[] = [];
  const entries = new Map<string, RosterEntry>();
  for (const [index, cells] of body.entries()) {
    const parsed = rosterEntrySchema.safeParse({
      email: cells[emailAt] ?? "",
      name: nameAt >= 0 ? (cells[nameAt] ?? "") : "",
    });
    if (!parsed.success) {
      errors.push(`${index + 2}行目: ${parsed.error.issues.map((i) => i.message).join("、")}`);
    } else {
      entries.set(parsed.data.email, parsed.data);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, entries: [...entries.values()] };
}

/** The union's roster, in address order, with whether each address has signed up. */
export function listRoster(db: Database, unionId: number) {
  return db
    .selectFrom("union_roster")
    .leftJoin("people", (join) =>
      join.on(sql`lower(people.email)`, "=", sql.ref("union_roster.email")),
    )
    .select([
      "union_roster.email",
      "union_roster.name",
      "union_roster.added_at",
      "people.membership_status",
      "people.organisation_id",
    ])
    .where("union_roster.organisation_id", "=", unionId)
    .orderBy("union_roster.email")
    .execute();
}

/**
 * Adds addresses to a union's roster (an existing address keeps its place and
 * takes the new name), then confirms the pending people it now vouches for.
 */
export async function addToRoster(
  db: Database,
  args: { by: SessionUser; unionId: number; entries: RosterEntry[]; appUrl: string },
): Promise<{ added: number; confirmed: number }> {
  if (!canManageUnion(args.by, args.unionId)) throw new DomainError("not_found");
  if (args.entries.length === 0) return { added: 0, confirmed: 0 };
  return inTransaction(db, async (trx) => {
    let added = 0;
    // In chunks, so a large roster stays within PostgreSQL's parameter limit.
    for (let i = 0; i < args.entries.length; i += 1000) {
      const rows = await trx
        .insertInto("union_roster")
        .values(
          args.entries.slice(i, i + 1000).map((e) => ({
            organisation_id: args.unionId,
            email: e.email,
            name: e.name,
            added_by: args.by.id,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["organisation_id", "email"])
            .doUpdateSet((eb) => ({ name: eb.ref("excluded.name") })),
        )
        .returning(sql<boolean>`xmax = 0`.as("inserted"))
        .execute();
      added += rows.filter((r) => r.inserted).length;
    }
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "union_roster",
      entityId: args.unionId,
      action: "added",
      detail: { rows: args.entries.length, added },
    });
    const confirmed = await confirmVouchedPending(trx, {
      unionId: args.unionId,
      by: args.by.id,
      appUrl: args.appUrl,
    });
    return { added, confirmed };
  });
}

/**
 * Takes an address off the roster. Who the roster already confirmed stays
 * confirmed: a membership, once granted, is ended by a person, not a file.
 */
export async function removeFromRoster(
  db: Database,
  args: { by: SessionUser; unionId: number; email: string },
): Promise<void> {
  if (!canManageUnion(args.by, args.unionId)) throw new DomainError("not_found");
  return inTransaction(db, async (trx) => {
    const removed = await trx
      .deleteFrom("union_roster")
      .where("organisation_id", "=", args.unionId)
      .where("email", "=", args.email.trim().toLowerCase())
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) {
      throw new DomainError("not_found", {
        message: "その名簿の行は見つかりません。画面を再読み込みしてください。",
      });
    }
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "union_roster",
      entityId: args.unionId,
      action: "removed",
      detail: { email: args.email.trim().toLowerCase() },
    });
  });
}

// ---------------------------------------------------------------------------
// Mail domains: set by an administrator only, since a domain vouches for everyone on it
// ---------------------------------------------------------------------------

/** Well-known free mail domains: they prove nothing about an employer. */
const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.co.jp",
  "ymail.ne.jp",
  "yahoo.com",
  "outlook.com",
  "outlook.jp",
  "hotmail.com",
  "hotmail.co.jp",
  "live.jp",
  "icloud.com",
  "me.com",
  "mac.com",
  "docomo.ne.jp",
  "ezweb.ne.jp",
  "au.com",
  "softbank.ne.jp",
  "i.softbank.jp",
  "nifty.com",
  "excite.co.jp",
  "aol.com",
  "proton.me",
  "protonmail.com",
]);

export const mailDomainSchema = z.object({
  domain: z
    .string({ message: "ドメインを入力してください" })
    .trim()
    .toLowerCase()
    .transform((v) => v.replace(/^@/, ""))
    .pipe(
      z
        .string()
        .min(1, "ドメインを入力してください")
        .max(253, "ドメインが長すぎます")
        .regex(
          /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
          "ドメインは「city.koriyama.lg.jp」のように、@より後ろの部分を入力してください",
        )
        .refine(
          (d) => !PUBLIC_MAIL_DOMAINS.has(d),
          "フリーメールのドメインは登録できません。職場のメールドメインを入力してください",
        ),
    ),
});

export function listMailDomains(db: Database, unionId: number) {
  return db
    .selectFrom("union_mail_domains")
    .select(["domain", "added_at"])
    .where("organisation_id", "=", unionId)
    .orderBy("domain")
    .execute();
}

export async function addMailDomain(
  db: Database,
  args: { by: SessionUser; unionId: number; domain: string; appUrl: string },
): Promise<{ confirmed: number }> {
  if (args.by.role !== "admin") throw new DomainError("forbidden");
  return inTransaction(db, async (trx) => {
    await trx
      .insertInto("union_mail_domains")
      .values({ organisation_id: args.unionId, domain: args.domain, added_by: args.by.id })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "union_mail_domain",
      entityId: args.unionId,
      action: "added",
      detail: { domain: args.domain },
    });
    return {
      confirmed: await confirmVouchedPending(trx, {
        unionId: args.unionId,
        by: args.by.id,
        appUrl: args.appUrl,
      }),
    };
  });
}

export async function removeMailDomain(
  db: Database,
  args: { by: SessionUser; unionId: number; domain: string },
): Promise<void> {
  if (args.by.role !== "admin") throw new DomainError("forbidden");
  await inTransaction(db, async (trx) => {
    const removed = await trx
      .deleteFrom("union_mail_domains")
      .where("organisation_id", "=", args.unionId)
      .where("domain", "=", args.domain.trim().toLowerCase())
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new DomainError("not_found");
    await audit(trx, {
      actorId: args.by.id,
      eventId: null,
      entity: "union_mail_domain",
      entityId: args.unionId,
      action: "removed",
      detail: { domain: args.domain.trim().toLowerCase() },
    });
  });
}
