import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import { emailField, rowId, textField } from "../utils/forms";
import { DomainError } from "./errors.server";
import { enqueueEmail } from "./mailer.server";
import type { EventAccess } from "./permissions.server";
import { createPerson, profileSchema } from "./people.server";
import { type CsvEncoding, decodeCsvStrict, parseCsv } from "./csv-import.server";
export { CSV_ENCODINGS, type CsvEncoding } from "./csv-import.server";
import { confirmByProxy } from "./membership.server";
import { auditPersonalDataRead, getCurrentNotice, type StaffAttestation } from "./privacy.server";
import { getRegistrationForm, type RegisterResult, registerWith } from "./registrations.server";
import { inTransaction } from "./transactions.server";

/**
 * Registering colleagues on their behalf: one by one from a form, or many
 * from a CSV file (UTF-8 or Shift_JIS). A 単組 secretary registers only their
 * own union's members, within the seats the organiser gave the union. A CSV
 * is checked whole first; it is written in one transaction, or not at all.
 */
export const colleagueSchema = profileSchema.extend({
  email: emailField(),
  course: rowId().optional().catch(undefined),
  session: z.array(rowId()).default([]),
  dietary_needs: textField("食事の配慮", 500).default(""),
  accessibility_needs: textField("配慮事項", 500).default(""),
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

/**
 * What a proxy registration did. `referred`: the address belongs to someone
 * outside the secretary's union, who is not registered but told by email. A
 * secretary is answered the same for every outcome (`PROXY_ACCEPTED`), so the
 * form and the CSV import never tell them whether an address is known to
 * another union (ARCHITECTURE.md rule 6).
 */
export type ProxyResult = RegisterResult | { id: null; status: "referred"; waitlistPosition: null };

/** The one answer a 単組 secretary gets for a colleague accepted by the form. */
export const PROXY_ACCEPTED = (name: string) =>
  `${name}さんの代理申込を受け付けました。申込の結果は、ご本人にメールでお知らせします。`;

/** Finds the colleague by email, or creates them with a completed profile; "outside" for someone a secretary may not register. */
async function findOrCreatePerson(
  trx: Trx,
  access: EventAccess,
  c: Colleague,
): Promise<string | { outside: { email: string; name: string } }> {
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
    .select(["id", "organisation_id", "family_name", "given_name"])
    .where(sql`lower(email)`, "=", email)
    .executeTakeFirst();
  if (existing) {
    if (access.unionId !== null && existing.organisation_id !== access.unionId) {
      return { outside: { email, name: `${existing.family_name} ${existing.given_name}`.trim() } };
    }
    // Staff who register a colleague as a member of a union vouch for that
    // membership: the union's secretary, an administrator, or the event's
    // organiser (docs/decisions/013-membership.md). Granted by them, and audited.
    if (existing.organisation_id === c.organisation_id) {
      await confirmByProxy(trx, {
        personId: existing.id,
        unionId: c.organisation_id,
        by: access.user.id,
      });
    }
    return existing.id;
  }
  const row = await createPerson(trx, {
    email,
    profile: c,
    vouchedBy: { personId: access.user.id, eventId: access.eventId },
  });
  return row.id;
}

/** Staff-facing refusals: the staff member attests the person's consent (docs/decisions/019-personal-data.md). */
const NOT_ATTESTED =
  "代理申込には、本人が「個人情報の取扱い」(最新版)に同意していることの確認が必要です。確認欄にチェックを入れてください。";
const NEEDS_NOT_ATTESTED =
  "食事の配慮・配慮事項を登録するには、その利用について本人の明示的な同意を得ていることの確認が必要です。確認欄にチェックを入れるか、記入を消してください。";

async function registerColleague(
  trx: Trx,
  args: {
    access: EventAccess;
    slug: string;
    colleague: Colleague;
    appUrl: string;
    attestation: StaffAttestation;
  },
): Promise<ProxyResult> {
  if (!args.attestation.consent) {
    throw new DomainError("consent_required", { field: "consent_attested", message: NOT_ATTESTED });
  }
  const hasNeeds = args.colleague.dietary_needs !== "" || args.colleague.accessibility_needs !== "";
  if (hasNeeds && !args.attestation.needs) {
    throw new DomainError("needs_consent_required", {
      field: "needs_consent_attested",
      message: NEEDS_NOT_ATTESTED,
    });
  }
  const personId = await findOrCreatePerson(trx, args.access, args.colleague);
  if (typeof personId !== "string") {
    await referOutsider(trx, { ...args, person: personId.outside });
    return { id: null, status: "referred", waitlistPosition: null };
  }
  const notice = await getCurrentNotice(trx);
  return registerWith(trx, {
    slug: args.slug,
    personId,
    actorId: args.access.user.id,
    enforceQuota: args.access.unionId !== null,
    appUrl: args.appUrl,
    consent: {
      noticeVersion: notice.version,
      needs: args.attestation.needs,
      attestedBy: args.access.user.id,
    },
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

/**
 * Tells someone outside the secretary's union, by email, that a proxy
 * registration for them was not made; the secretary's answer does not change.
 */
async function referOutsider(
  trx: Trx,
  args: {
    access: EventAccess;
    slug: string;
    person: { email: string; name: string };
    appUrl: string;
  },
) {
  const event = await trx
    .selectFrom("events")
    .select("title")
    .where("id", "=", args.access.eventId)
    .executeTakeFirstOrThrow();
  await enqueueEmail(trx, {
    to: args.person.email,
    message: {
      template: "notice",
      payload: {
        name: args.person.name || args.person.email,
        subject: `代理申込についてのお知らせ(${event.title})`,
        body: `「${event.title}」に、あなたの代理申込がありましたが、申込先の単組とあなたの所属単組が異なるため、申込は行っていません。\n参加を希望される場合は、ご自身でお申し込みいただくか、所属単組の担当者にご相談ください。\n${args.appUrl}/events/${args.slug}`,
        eventTitle: event.title,
        manageUrl: `${args.appUrl}/me`,
      },
    },
  });
}

/** Registers one colleague; the same rules as a member's own registration. */
export async function registerOnBehalf(
  db: Database,
  args: {
    access: EventAccess;
    colleague: Colleague;
    appUrl: string;
    attestation: StaffAttestation;
  },
): Promise<ProxyResult> {
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
  args: { access: EventAccess; bytes: Uint8Array; encoding?: CsvEncoding },
): Promise<{ fileError?: string; rows: ImportRow[]; colleagues: Colleague[] }> {
  const decoded = decodeCsvStrict(args.bytes, args.encoding);
  if ("error" in decoded) return { fileError: decoded.error, rows: [], colleagues: [] };
  const table = parseCsv(decoded.text);
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
        // A secretary learns nothing of people outside their union.
        .$if(args.access.unionId !== null, (q) =>
          q.where("people.organisation_id", "=", args.access.unionId),
        )
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
  args: {
    access: EventAccess;
    bytes: Uint8Array;
    encoding?: CsvEncoding;
    appUrl: string;
    attestation: StaffAttestation;
  },
): Promise<{ imported: number; waitlisted: number } | { rows: ImportRow[]; fileError?: string }> {
  const preview = await previewImport(db, args);
  if (preview.fileError || preview.rows.some((r) => r.errors.length > 0)) return preview;
  if (!args.attestation.consent) return { rows: preview.rows, fileError: NOT_ATTESTED };
  const withNeeds = preview.rows.filter(
    (r) => r.values.dietary_needs || r.values.accessibility_needs,
  );
  if (!args.attestation.needs && withNeeds.length > 0) {
    return {
      rows: preview.rows,
      fileError: `${NEEDS_NOT_ATTESTED}(配慮事項のある行: ${withNeeds.map((r) => r.line).join("、")}行目)何も登録していません。`,
    };
  }
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
          attestation: args.attestation,
        });
        if (result.status === "waitlisted") waitlisted++;
      }
      await auditPersonalDataRead(trx, {
        actorId: args.access.user.id,
        eventId: args.access.eventId,
        action: "import",
        rows: preview.colleagues.length,
        filter: { union_id: args.access.unionId },
        detail: { consent_attested: true, needs_consent_attested: args.attestation.needs },
      });
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
