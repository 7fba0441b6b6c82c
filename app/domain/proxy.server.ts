import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import { NO_CONTROL_CHARS } from "../utils/forms";
import { DomainError } from "./errors.server";
import type { EventAccess } from "./permissions.server";
import { profileSchema } from "./people.server";
import { audit } from "./audit.server";
import { decodeCsv, parseCsv } from "./csv-import.server";
import { confirmByProxy } from "./membership.server";
import { getRegistrationForm, type RegisterResult, registerWith } from "./registrations.server";
import { inTransaction } from "./transactions.server";

/**
 * Registering colleagues on their behalf: one by one from a form, or many
 * from a CSV file (UTF-8 or Shift_JIS). A 単組 secretary registers only their
 * own union's members, within the seats the organiser gave the union. A CSV
 * is checked whole first; it is written in one transaction, or not at all.
 */
export const colleagueSchema = profileSchema.extend({
  email: z
    .string({ message: "メールアドレスを入力してください" })
    .trim()
    .min(1, "メールアドレスを入力してください")
    .max(254, "メールアドレスが長すぎます")
    .email("メールアドレスの形式が正しくありません"),
  course: z.coerce.number().int().positive().optional().catch(undefined),
  session: z.array(z.coerce.number().int().positive()).default([]),
  dietary_needs: z
    .string()
    .trim()
    .max(500, "食事の配慮は500文字以内で入力してください")
    .regex(NO_CONTROL_CHARS, "食事の配慮に使えない文字が含まれています")
    .default(""),
  accessibility_needs: z
    .string()
    .trim()
    .max(500, "配慮事項は500文字以内で入力してください")
    .regex(NO_CONTROL_CHARS, "配慮事項に使えない文字が含まれています")
    .default(""),
});
export type Colleague = z.infer<typeof colleagueSchema>;

type Trx = Transaction<DB>;

async function eventSlug(db: Database, eventId: number): Promise<string> {
  const row = await db
    .selectFrom("events")
    .select("slug")
    .where("id", "=", eventId)
    .executeTakeFirstOrThrow();
  return row.slug;
}

/** Finds the colleague by email, or creates them with a completed profile. */
async function findOrCreatePerson(trx: Trx, access: EventAccess, c: Colleague): Promise<string> {
  if (access.unionId !== null && c.organisation_id !== access.unionId) {
    throw new DomainError("forbidden", {
      field: "organisation_id",
      message: "所属単組の組合員のみ代理で申し込めます。",
    });
  }
  const union = await trx
    .selectFrom("organisations")
    .select("id")
    .where("id", "=", c.organisation_id)
    .where("kind", "=", "local_union")
    .where("retired_at", "is", null)
    .executeTakeFirst();
  if (!union)
    throw new DomainError("invalid_input", {
      field: "organisation_id",
      message: "所属単組を一覧から選択してください。",
    });
  const email = c.email.toLowerCase();
  const existing = await trx
    .selectFrom("people")
    .select(["id", "organisation_id"])
    .where(sql`lower(email)`, "=", email)
    .executeTakeFirst();
  if (existing) {
    if (access.unionId !== null && existing.organisation_id !== access.unionId) {
      throw new DomainError("forbidden", {
        field: "email",
        message: "このメールアドレスは他の単組の組合員として登録されています。",
      });
    }
    // Staff who register a colleague as a member of a union vouch for that
    // membership: the union's secretary, an administrator, or the event's
    // organiser (docs/decisions/013-membership.md). Granted by them, and audited.
    if (existing.organisation_id === c.organisation_id) {
      await confirmByProxy(trx, { personId: existing.id, unionId: c.organisation_id, by: access.user.id });
    }
    return existing.id;
  }
  const row = await trx
    .insertInto("people")
    .values({
      email,
      family_name: c.family_name,
      given_name: c.given_name,
      family_name_kana: c.family_name_kana,
      given_name_kana: c.given_name_kana,
      organisation_id: c.organisation_id,
      workplace: c.workplace,
      phone: c.phone.normalize("NFKC"),
      profile_completed_at: sql`now()`,
      membership_status: "confirmed",
      membership_via: "proxy",
      membership_decided_at: sql`now()`,
      membership_decided_by: access.user.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await audit(trx, {
    actorId: access.user.id,
    eventId: access.eventId,
    entity: "membership",
    entityId: row.id,
    action: "confirmed_by_proxy",
    detail: { organisationId: c.organisation_id },
  });
  return row.id;
}

async function registerColleague(
  trx: Trx,
  args: { access: EventAccess; slug: string; colleague: Colleague; appUrl: string },
): Promise<RegisterResult> {
  const personId = await findOrCreatePerson(trx, args.access, args.colleague);
  return registerWith(trx, {
    slug: args.slug,
    personId,
    actorId: args.access.user.id,
    enforceQuota: args.access.unionId !== null,
    appUrl: args.appUrl,
    input: {
      courseId: args.colleague.course ?? null,
      optionalSessionIds: args.colleague.session,
      answers: {},
      dietaryNeeds: args.colleague.dietary_needs,
      accessibilityNeeds: args.colleague.accessibility_needs,
      joinWaitlist: true,
    },
  });
}

/** Registers one colleague; the same rules as a member's own registration. */
export async function registerOnBehalf(
  db: Database,
  args: { access: EventAccess; colleague: Colleague; appUrl: string },
): Promise<RegisterResult> {
  const slug = await eventSlug(db, args.access.eventId);
  return inTransaction(db, (trx) => registerColleague(trx, { ...args, slug }), {
    unique: "already_registered",
  });
}

// ---------------------------------------------------------------------------
// CSV import
// ---------------------------------------------------------------------------

/** The columns a CSV may have, by their Japanese header. */
const COLUMNS = {
  姓: "family_name",
  名: "given_name",
  セイ: "family_name_kana",
  メイ: "given_name_kana",
  メールアドレス: "email",
  単組: "organisation",
  職場: "workplace",
  電話番号: "phone",
  コース: "course",
  食事の配慮: "dietary_needs",
  配慮事項: "accessibility_needs",
} as const;
const REQUIRED_HEADERS = ["姓", "名", "セイ", "メイ", "メールアドレス", "単組", "職場", "電話番号"];
export const CSV_TEMPLATE = `${Object.keys(COLUMNS).join(",")}\r\n`;
const MAX_ROWS = 2000;

export type ImportRow = { line: number; values: Record<string, string>; errors: string[] };

/**
 * Checks every row of a CSV for an event, without writing anything: the
 * header, each field (the same zod schema as the form), the 単組 and course
 * names, duplicates in the file and registrations that already exist.
 */
export async function previewImport(
  db: Database,
  args: { access: EventAccess; bytes: Uint8Array },
): Promise<{ fileError?: string; rows: ImportRow[]; colleagues: Colleague[] }> {
  const table = parseCsv(decodeCsv(args.bytes));
  const [header, ...body] = table;
  if (!header)
    return {
      fileError: "ファイルが空です。1行目に見出し、2行目から申込者を入力してください。",
      rows: [],
      colleagues: [],
    };
  const names = header.map((h) => h.trim());
  const missing = REQUIRED_HEADERS.filter((h) => !names.includes(h));
  if (missing.length > 0) {
    return {
      fileError: `見出し行に次の列がありません: ${missing.join("、")}。テンプレートをご利用ください。`,
      rows: [],
      colleagues: [],
    };
  }
  if (body.length === 0) return { fileError: "申込者の行がありません。", rows: [], colleagues: [] };
  if (body.length > MAX_ROWS)
    return {
      fileError: `一度に取り込めるのは${MAX_ROWS}行までです。ファイルを分けてください。`,
      rows: [],
      colleagues: [],
    };

  const slug = await eventSlug(db, args.access.eventId);
  const form = await getRegistrationForm(db, slug);
  const unions = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("kind", "=", "local_union")
    .execute();
  const rows: ImportRow[] = [];
  const colleagues: Colleague[] = [];
  const seen = new Set<string>();
  for (const [index, cells] of body.entries()) {
    const values: Record<string, string> = {};
    names.forEach((name, i) => {
      const key = COLUMNS[name as keyof typeof COLUMNS];
      if (key) values[key] = (cells[i] ?? "").trim();
    });
    const errors: string[] = [];
    const union = unions.find((u) => u.name === values.organisation);
    if (!union)
      errors.push(
        `単組「${values.organisation ?? ""}」が見つかりません。一覧の正式名称で入力してください。`,
      );
    else if (args.access.unionId !== null && union.id !== args.access.unionId) {
      errors.push("所属単組以外の組合員は取り込めません。");
    }
    let course: number | undefined;
    if (form && form.courses.length > 0) {
      const match = form.courses.find((c) =>
        [c.code, c.title, `${c.code} ${c.title}`].includes(values.course ?? ""),
      );
      if (!match)
        errors.push(
          `コース「${values.course ?? ""}」が見つかりません。コース名(例: ${form.courses[0]?.code})で入力してください。`,
        );
      course = match?.id;
    }
    const parsed = colleagueSchema.safeParse({
      ...values,
      organisation_id: union?.id ?? 0,
      course,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.path[0] !== "organisation_id") errors.push(issue.message);
      }
    } else {
      const email = parsed.data.email.toLowerCase();
      if (seen.has(email)) errors.push("同じメールアドレスがファイル内で重複しています。");
      seen.add(email);
      const already = await db
        .selectFrom("registrations")
        .innerJoin("people", "people.id", "registrations.person_id")
        .select("registrations.id")
        .where("registrations.event_id", "=", args.access.eventId)
        .where("registrations.status", "!=", "cancelled")
        .where(sql`lower(people.email)`, "=", email)
        .executeTakeFirst();
      if (already) errors.push("このメールアドレスの方は既に申込済みです。");
      if (errors.length === 0) colleagues.push(parsed.data);
    }
    rows.push({ line: index + 2, values, errors });
  }
  return { rows, colleagues };
}

/**
 * Imports a CSV that previewImport found valid, in ONE transaction: if any
 * row fails now (a seat rule, a quota), nothing is written and the row is
 * named.
 */
export async function importRegistrations(
  db: Database,
  args: { access: EventAccess; bytes: Uint8Array; appUrl: string },
): Promise<{ imported: number; waitlisted: number } | { rows: ImportRow[]; fileError?: string }> {
  const preview = await previewImport(db, args);
  if (preview.fileError || preview.rows.some((r) => r.errors.length > 0)) return preview;
  const slug = await eventSlug(db, args.access.eventId);
  let waitlisted = 0;
  let current = 0;
  try {
    await inTransaction(db, async (trx) => {
      for (const [i, colleague] of preview.colleagues.entries()) {
        current = i;
        const result = await registerColleague(trx, {
          access: args.access,
          slug,
          colleague,
          appUrl: args.appUrl,
        });
        if (result.status === "waitlisted") waitlisted++;
      }
    });
  } catch (error) {
    if (error instanceof DomainError) {
      const rows = preview.rows.map((r, i) =>
        i === current ? { ...r, errors: [error.message] } : r,
      );
      return {
        rows,
        fileError: `${preview.rows[current]?.line ?? "?"}行目で取り込めませんでした。何も登録していません。`,
      };
    }
    throw error;
  }
  return { imported: preview.colleagues.length, waitlisted };
}
