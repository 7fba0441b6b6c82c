import { type QueryCreator, sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import { formatDateTime } from "../utils/format";
import { textField } from "../utils/forms";
import { REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { newToken } from "./auth.server";
import { audit } from "./audit.server";
import { DomainError } from "./errors.server";
import { csvRecord } from "./spreadsheets.server";
import { inTransaction } from "./transactions.server";
import { RSVP_LABELS } from "../utils/working-groups";

/**
 * Personal data under the APPI (docs/decisions/019-personal-data.md):
 * the privacy notice (個人情報の取扱い) and its versions; consent on each
 * registration, with a separate explicit consent for dietary and
 * accessibility needs (要配慮個人情報); a member's own data (/me/data) and
 * the deletion of their account; retention, purged by a scheduled job; and
 * the audit of every read of personal data in bulk.
 */

type Trx = Transaction<DB>;

// ---------------------------------------------------------------------------
// The notice
// ---------------------------------------------------------------------------

export type PrivacyNotice = { version: number; body: string; published_at: Date };

/** The notice in force: the highest version. */
export async function getCurrentNotice(db: Database): Promise<PrivacyNotice> {
  return db
    .selectFrom("privacy_notices")
    .select(["version", "body", "published_at"])
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirstOrThrow();
}

/** Every version, newest first, with its date. */
export function listNotices(db: Database) {
  return db
    .selectFrom("privacy_notices")
    .select(["version", "body", "published_at"])
    .orderBy("version", "desc")
    .execute();
}

/** One version, or undefined. */
export function getNotice(db: Database, version: number) {
  if (!Number.isSafeInteger(version) || version < 1 || version > 2_147_483_647) {
    return Promise.resolve(undefined);
  }
  return db
    .selectFrom("privacy_notices")
    .select(["version", "body", "published_at"])
    .where("version", "=", version)
    .executeTakeFirst();
}

export const noticeSchema = z.object({
  body: textField("個人情報の取扱いの本文", 20_000).min(
    20,
    "個人情報の取扱いの本文を20文字以上で入力してください",
  ),
});

/**
 * Publishes a new version of the notice (administrators only). Earlier
 * versions are kept: each consent names the version it was given to.
 * Registrations from now on need consent to the new version.
 */
export async function publishNotice(
  db: Database,
  args: { actorId: string; body: string },
): Promise<number> {
  return inTransaction(db, async (trx) => {
    // One publisher at a time: the table lock makes the next version number safe.
    await sql`lock table privacy_notices in share row exclusive mode`.execute(trx);
    const { version } = await trx
      .insertInto("privacy_notices")
      .values({
        version: sql<number>`(select coalesce(max(version), 0) + 1 from privacy_notices)`,
        body: args.body,
        published_by: args.actorId,
      })
      .returning("version")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId: args.actorId,
      eventId: null,
      entity: "privacy_notice",
      entityId: version,
      action: "publish",
      detail: { characters: args.body.length },
    });
    return version;
  });
}

/** What the registration form shows: the notice in force and the event's own purposes. */
export async function getConsentContext(db: Database, eventId: number) {
  const notice = await getCurrentNotice(db);
  const event = await db
    .selectFrom("events")
    .select("privacy_purposes")
    .where("id", "=", eventId)
    .executeTakeFirst();
  return { notice, purposes: event?.privacy_purposes ?? "" };
}

// ---------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------

/**
 * A registration's consent as the form (or the staff member) gave it:
 * the notice version that was shown, and whether the separate consent for
 * needs was given. `attestedBy` is the staff member who confirms that the
 * person consented (proxy registration and CSV import).
 */
export type RegistrationConsent = {
  noticeVersion: number | null;
  needs: boolean;
  attestedBy?: string | null;
};

/**
 * What a staff member confirms when registering someone else (one by one or
 * by CSV): that the person consented to the notice in force, and, where needs
 * are given, to their use. Recorded as consent_attested_by on the registration.
 */
export type StaffAttestation = { consent: boolean; needs: boolean };

/** The attestation fields of a staff form (see components/consent-fieldset.tsx). */
export function readAttestation(formData: FormData): StaffAttestation {
  return {
    consent: formData.get("consent_attested") === "on",
    needs: formData.get("needs_consent_attested") === "on",
  };
}

/** The consent fields of a submitted form (see components/consent-fieldset.tsx). */
export function readConsent(formData: FormData): RegistrationConsent {
  const version = Number(formData.get("privacy_version"));
  const given = formData.get("privacy_consent") === "on";
  return {
    noticeVersion: given && Number.isSafeInteger(version) && version > 0 ? version : null,
    needs: formData.get("needs_consent") === "on",
  };
}

/** The version of the privacy notice in force, as a subquery (a registration's reads ask it). */
export function noticeInForce(db: QueryCreator<DB>) {
  return db.selectFrom("privacy_notices").select(sql<number>`max(version)`.as("version"));
}

/**
 * The consent columns of a registration, or a refusal that writes nothing:
 * no consent to the notice (consent_required), consent to a version that is
 * no longer in force (consent_outdated: `inForce`, read by the registration's
 * reads with noticeInForce), or needs filled in without their own consent
 * (needs_consent_required). Needs without consent are refused, never stored
 * and never silently dropped.
 */
export function consentColumns(
  consent: RegistrationConsent,
  needs: { dietaryNeeds: string; accessibilityNeeds: string },
  inForce: number | null,
) {
  if (consent.noticeVersion === null) {
    throw new DomainError("consent_required", { field: "privacy_consent" });
  }
  if (consent.noticeVersion !== inForce) {
    throw new DomainError("consent_outdated", { field: "privacy_consent" });
  }
  const hasNeeds = needs.dietaryNeeds.trim() !== "" || needs.accessibilityNeeds.trim() !== "";
  if (hasNeeds && !consent.needs) {
    throw new DomainError("needs_consent_required", { field: "needs_consent" });
  }
  return {
    consent_version: consent.noticeVersion,
    consented_at: sql<Date>`now()`,
    needs_consented_at: hasNeeds ? sql<Date>`now()` : null,
    consent_attested_by: consent.attestedBy ?? null,
  };
}

// ---------------------------------------------------------------------------
// Who downloaded what
// ---------------------------------------------------------------------------

/**
 * Records a read of personal data in bulk (a file export, a CSV import, an
 * API list, a member's own download): who, when (the row's time), which
 * event, which filters, how many rows. Every such row has entity "export",
 * which is what the audit log's 「ダウンロード・取り込み」 filter shows.
 */
export async function auditPersonalDataRead(
  db: Database,
  entry: {
    actorId: string | null;
    eventId: number | null;
    action: "export" | "import" | "api_list" | "self_download";
    rows: number;
    filter?: Record<string, unknown>;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await audit(db, {
    actorId: entry.actorId,
    eventId: entry.eventId,
    entity: "export",
    entityId: entry.eventId ?? entry.actorId ?? 0,
    action: entry.action,
    detail: { ...entry.detail, filter: entry.filter ?? {}, rows: entry.rows },
  });
}

// ---------------------------------------------------------------------------
// A member's own data
// ---------------------------------------------------------------------------

/** Everything the site holds about one person. Every query filters by them. */
export async function collectMyData(db: Database, personId: string) {
  const profile = await db
    .selectFrom("people")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select([
      "people.email",
      "people.family_name",
      "people.given_name",
      "people.family_name_kana",
      "people.given_name_kana",
      "organisations.name as union_name",
      "people.workplace",
      "people.phone",
      "people.birth_date",
      "people.membership_status",
      "people.created_at",
      "people.profile_completed_at",
    ])
    .where("people.id", "=", personId)
    .executeTakeFirstOrThrow();
  // A union's roster names addresses; the one with this person's address is held about them too.
  const rosters = await db
    .selectFrom("union_roster")
    .innerJoin("organisations", "organisations.id", "union_roster.organisation_id")
    .select(["organisations.name as union_name", "union_roster.name", "union_roster.added_at"])
    .where("union_roster.email", "=", profile.email.toLowerCase())
    .execute();
  const registrations = await db
    .selectFrom("registrations")
    .innerJoin("events", "events.id", "registrations.event_id")
    .leftJoin("courses", "courses.id", "registrations.course_id")
    .select((eb) => [
      "registrations.id",
      "events.title as event_title",
      "events.starts_at",
      "registrations.status",
      sql<
        string | null
      >`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
        "course",
      ),
      "registrations.answers",
      "registrations.dietary_needs",
      "registrations.accessibility_needs",
      "registrations.ticket_code",
      "registrations.created_at",
      "registrations.cancelled_at",
      "registrations.consent_version",
      "registrations.consented_at",
      "registrations.needs_consented_at",
      "registrations.personal_data_removed_at",
      eb
        .selectFrom("event_questions")
        .select(
          sql<Record<string, string>>`coalesce(jsonb_object_agg(id::text, label), '{}'::jsonb)`.as(
            "q",
          ),
        )
        .whereRef("event_questions.event_id", "=", "events.id")
        .as("question_labels"),
    ])
    .where("registrations.person_id", "=", personId)
    .orderBy("events.starts_at", "desc")
    .execute();
  const checkins = await db
    .selectFrom("checkins")
    .innerJoin("registrations", "registrations.id", "checkins.registration_id")
    .innerJoin("checkin_lists", "checkin_lists.id", "checkins.checkin_list_id")
    .innerJoin("events", "events.id", "registrations.event_id")
    .select([
      "events.title as event_title",
      "checkin_lists.name as list",
      "checkins.checked_in_at",
      "checkins.desk",
    ])
    .where("registrations.person_id", "=", personId)
    .orderBy("checkins.checked_in_at", "desc")
    .execute();
  const rsvps = await db
    .selectFrom("meeting_rsvps")
    .innerJoin("group_meetings", "group_meetings.id", "meeting_rsvps.meeting_id")
    .select([
      "group_meetings.title",
      "group_meetings.starts_at",
      "meeting_rsvps.answer",
      "meeting_rsvps.updated_at",
    ])
    .where("meeting_rsvps.person_id", "=", personId)
    .orderBy("group_meetings.starts_at", "desc")
    .execute();
  const attendance = await db
    .selectFrom("meeting_attendance")
    .innerJoin("group_meetings", "group_meetings.id", "meeting_attendance.meeting_id")
    .select(["group_meetings.title", "group_meetings.starts_at", "meeting_attendance.attended"])
    .where("meeting_attendance.person_id", "=", personId)
    .orderBy("group_meetings.starts_at", "desc")
    .execute();
  const groups = await db
    .selectFrom("working_group_members")
    .innerJoin("working_groups", "working_groups.id", "working_group_members.group_id")
    .select([
      "working_groups.name",
      "working_group_members.role",
      "working_group_members.joined_at",
    ])
    .where("working_group_members.person_id", "=", personId)
    .execute();
  const reports = await db
    .selectFrom("reports")
    .innerJoin("events", "events.id", "reports.event_id")
    .select([
      "reports.title",
      "reports.authors",
      "events.title as event_title",
      "reports.status",
      "reports.award",
      "reports.created_at",
    ])
    .where("reports.submitted_by", "=", personId)
    .orderBy("reports.created_at", "desc")
    .execute();
  const applications = await db
    .selectFrom("recruitment_applications")
    .innerJoin("recruitment_rounds", "recruitment_rounds.id", "recruitment_applications.round_id")
    .select([
      "recruitment_rounds.title",
      "recruitment_applications.motivation",
      "recruitment_applications.created_at",
    ])
    .where("recruitment_applications.person_id", "=", personId)
    .execute();
  const signIns = await db
    .selectFrom("sign_ins")
    .select(["at", "method"])
    .where("person_id", "=", personId)
    .orderBy("at", "desc")
    .limit(500)
    .execute();
  return {
    generatedAt: new Date(),
    profile: {
      ...profile,
      membership_label: MEMBERSHIP_LABELS[profile.membership_status] ?? profile.membership_status,
    },
    registrations: registrations.map((r) => ({
      id: r.id,
      event: r.event_title,
      startsAt: r.starts_at,
      status: r.status,
      course: r.course,
      answers: Object.entries(r.answers).map(([id, value]) => ({
        question: r.question_labels?.[id] ?? `設問${id}`,
        answer: Array.isArray(value) ? value.join("、") : value,
      })),
      dietaryNeeds: r.dietary_needs,
      accessibilityNeeds: r.accessibility_needs,
      ticketCode: r.ticket_code,
      registeredAt: r.created_at,
      cancelledAt: r.cancelled_at,
      personalDataRemovedAt: r.personal_data_removed_at,
    })),
    consents: registrations
      .filter((r) => r.consented_at)
      .map((r) => ({
        event: r.event_title,
        noticeVersion: r.consent_version,
        consentedAt: r.consented_at,
        needsConsentedAt: r.needs_consented_at,
      })),
    checkins,
    rsvps,
    attendance,
    groups,
    reports,
    applications,
    rosters,
    signIns,
  };
}

export type MyData = Awaited<ReturnType<typeof collectMyData>>;

const SIGN_IN_LABELS: Record<string, string> = {
  link: "ログインリンク",
  password: "パスワード",
  session: "ログイン",
};
const MEMBERSHIP_LABELS: Record<string, string> = {
  none: "—",
  pending: "単組の確認待ち",
  confirmed: "確認済み",
  declined: "確認できませんでした",
};

const when = (value: Date | string | null | undefined) => (value ? formatDateTime(value) : "");

/**
 * The same data as one CSV for Excel (UTF-8 with a BOM): one line per fact,
 * as 区分, 対象, 項目, 値, through the export's one CSV writer (formula cells
 * neutralised).
 */
export function myDataCsv(data: MyData): string {
  const lines: string[][] = [["区分", "対象", "項目", "値"]];
  const p = data.profile;
  const profile: [string, string][] = [
    ["メールアドレス", p.email],
    ["氏名", `${p.family_name} ${p.given_name}`.trim()],
    ["フリガナ", `${p.family_name_kana} ${p.given_name_kana}`.trim()],
    ["所属単組", p.union_name ?? ""],
    ["職場", p.workplace],
    ["電話番号", p.phone],
    ["生年月日", p.birth_date ?? ""],
    ["組合員の確認", p.membership_label],
    ["登録日時", when(p.created_at)],
  ];
  for (const [item, value] of profile) lines.push(["プロフィール", "", item, value]);
  for (const r of data.registrations) {
    const target = `${r.event}(${formatDateTime(r.startsAt)})`;
    lines.push(["申込", target, "状態", REGISTRATION_STATUS_LABELS[r.status]]);
    if (r.course) lines.push(["申込", target, "コース・分科会", r.course]);
    for (const a of r.answers) lines.push(["申込", target, a.question, a.answer]);
    lines.push(["申込", target, "食事の配慮", r.dietaryNeeds]);
    lines.push(["申込", target, "配慮が必要なこと", r.accessibilityNeeds]);
    lines.push(["申込", target, "受付番号", r.ticketCode]);
    lines.push(["申込", target, "申込日時", when(r.registeredAt)]);
    if (r.personalDataRemovedAt)
      lines.push(["申込", target, "回答・配慮事項の削除日時", when(r.personalDataRemovedAt)]);
  }
  for (const c of data.consents) {
    lines.push(["同意", c.event, `個人情報の取扱い(第${c.noticeVersion}版)`, when(c.consentedAt)]);
    if (c.needsConsentedAt)
      lines.push(["同意", c.event, "配慮事項の利用", when(c.needsConsentedAt)]);
  }
  for (const c of data.checkins) lines.push(["受付", c.event_title, c.list, when(c.checked_in_at)]);
  for (const r of data.rsvps)
    lines.push([
      "出欠回答",
      r.title,
      formatDateTime(r.starts_at),
      RSVP_LABELS[r.answer] ?? r.answer,
    ]);
  for (const a of data.attendance)
    lines.push(["出席記録", a.title, formatDateTime(a.starts_at), a.attended ? "出席" : "欠席"]);
  for (const g of data.groups)
    lines.push(["専門部会", g.name, g.role === "leader" ? "部会長" : "部会員", when(g.joined_at)]);
  for (const r of data.reports) lines.push(["レポート", r.event_title, r.title, r.authors]);
  for (const a of data.applications)
    lines.push(["専門部会への応募", a.title, "応募理由", a.motivation]);
  for (const r of data.rosters) lines.push(["単組の名簿", r.union_name, r.name, when(r.added_at)]);
  for (const s of data.signIns)
    lines.push(["ログイン", "", SIGN_IN_LABELS[s.method] ?? s.method, when(s.at)]);
  return `\uFEFF${lines.map(csvRecord).join("")}`;
}

/** A member's own download, as a file response; audited like every bulk read of personal data. */
export async function myDataFile(
  db: Database,
  args: { personId: string; format: "json" | "csv" },
): Promise<Response> {
  const data = await collectMyData(db, args.personId);
  await auditPersonalDataRead(db, {
    actorId: args.personId,
    eventId: null,
    action: "self_download",
    rows: data.registrations.length,
    detail: { format: args.format },
  });
  const stamp = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const headers = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": `attachment; filename="my-data-${stamp}.${args.format}"`,
  };
  if (args.format === "json") {
    return new Response(JSON.stringify(data, null, 2), {
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
    });
  }
  return new Response(myDataCsv(data), {
    headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" },
  });
}

// ---------------------------------------------------------------------------
// Deleting an account, and emptying one
// ---------------------------------------------------------------------------

/**
 * Empties a person's row and what hangs on it, keeping the rows that
 * organisers' statistics count: the registrations (status, course,
 * sessions, check-ins) and the person's 単組. Name, contact details, birth
 * date, answers and needs are removed; sessions, tokens, RSVPs, roster
 * places, presets and sign-in history are deleted.
 */
export async function emptyPerson(trx: Trx, personId: string, email: string): Promise<number> {
  await trx
    .updateTable("people")
    .set({
      email: `deleted-${personId}@deleted.invalid`,
      family_name: "(削除済み)",
      given_name: "",
      family_name_kana: "",
      given_name_kana: "",
      workplace: "",
      phone: "",
      birth_date: null,
      password_hash: null,
      deleted_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where("id", "=", personId)
    .execute();
  const { numUpdatedRows } = await trx
    .updateTable("registrations")
    .set({
      answers: {},
      dietary_needs: "",
      accessibility_needs: "",
      // an old QR code no longer leads to anyone
      ticket_secret: sql`${"deleted:"} || id::text || ${`:${newToken()}`}`,
      personal_data_removed_at: sql`coalesce(personal_data_removed_at, now())`,
      updated_at: sql`now()`,
    })
    .where("person_id", "=", personId)
    .executeTakeFirst();
  await trx.deleteFrom("auth_sessions").where("person_id", "=", personId).execute();
  await trx.deleteFrom("api_tokens").where("person_id", "=", personId).execute();
  await trx.deleteFrom("login_tokens").where(sql`lower(email)`, "=", email.toLowerCase()).execute();
  await trx.deleteFrom("meeting_rsvp_links").where("person_id", "=", personId).execute();
  await trx.deleteFrom("meeting_rsvps").where("person_id", "=", personId).execute();
  await trx.deleteFrom("working_group_members").where("person_id", "=", personId).execute();
  await trx.deleteFrom("recruitment_applications").where("person_id", "=", personId).execute();
  await trx.deleteFrom("export_presets").where("person_id", "=", personId).execute();
  await trx.deleteFrom("sign_ins").where("person_id", "=", personId).execute();
  // Emails already sent hold the name and address; those still queued (the
  // cancellations, the confirmation below) are sent first.
  await trx
    .deleteFrom("outbound_emails")
    .where(sql`lower(to_address)`, "=", email.toLowerCase())
    .where("sent_at", "is not", null)
    .execute();
  return Number(numUpdatedRows);
}

// ---------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------

/** The retention job on the worker's queue: daily at 18:30 UTC, 03:30 in Tokyo (crontab times are UTC here). */
export const PURGE_CRONTAB = "30 18 * * * purge_personal_data";

export async function getRetentionSettings(db: Database) {
  return db
    .selectFrom("privacy_settings")
    .select(["answers_months", "inactive_months", "updated_at"])
    .where("id", "=", 1)
    .executeTakeFirstOrThrow();
}

const months = (label: string, max: number) =>
  z.coerce
    .number({ message: `${label}を数字で入力してください` })
    .int(`${label}は整数で入力してください`)
    .min(1, `${label}は1か月以上にしてください`)
    .max(max, `${label}は${max}か月以内にしてください`);

export const retentionSchema = z.object({
  answers_months: months("回答・配慮事項の保存期間", 120),
  inactive_months: months("利用のないアカウントの保存期間", 240),
});

/** Sets the retention periods (administrators only); audited. */
export async function saveRetentionSettings(
  db: Database,
  args: { actorId: string; answersMonths: number; inactiveMonths: number },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("privacy_settings")
      .set({
        answers_months: args.answersMonths,
        inactive_months: args.inactiveMonths,
        updated_at: sql`now()`,
        updated_by: args.actorId,
      })
      .where("id", "=", 1)
      .execute();
    await audit(trx, {
      actorId: args.actorId,
      eventId: null,
      entity: "retention",
      entityId: 1,
      action: "settings",
      detail: { answers_months: args.answersMonths, inactive_months: args.inactiveMonths },
    });
  });
}

/** The cut-off before which something is due: `now` minus `n` months. */
const before = (now: Date, n: number) =>
  sql<Date>`${now}::timestamptz - make_interval(months => ${n})`;

/** Registrations whose event ended more than N months ago and still hold answers or needs. */
function dueRegistrations(db: Database, now: Date, answersMonths: number) {
  return db
    .selectFrom("registrations")
    .innerJoin("events", "events.id", "registrations.event_id")
    .where("registrations.personal_data_removed_at", "is", null)
    .where("events.ends_at", "<", before(now, answersMonths))
    .where((eb) =>
      eb.or([
        eb("registrations.answers", "!=", sql<Record<string, string>>`'{}'::jsonb`),
        eb("registrations.dietary_needs", "!=", ""),
        eb("registrations.accessibility_needs", "!=", ""),
      ]),
    );
}

/**
 * Members with no activity for M months: no sign-in, no registration and no
 * account creation since, nothing upcoming, and on no 専門部会 roster (a
 * roster is kept by the staff, and is activity). Staff accounts are never due.
 */
function dueAccounts(db: Database, now: Date, inactiveMonths: number) {
  const cutoff = before(now, inactiveMonths);
  return db
    .selectFrom("people")
    .where("people.role", "=", "member")
    .where("people.deleted_at", "is", null)
    .where("people.created_at", "<", cutoff)
    .where((eb) =>
      eb.not(
        eb.or([
          eb.exists(
            eb
              .selectFrom("sign_ins")
              .select("sign_ins.id")
              .whereRef("sign_ins.person_id", "=", "people.id")
              .where("sign_ins.at", ">=", cutoff),
          ),
          eb.exists(
            eb
              .selectFrom("registrations")
              .innerJoin("events", "events.id", "registrations.event_id")
              .select("registrations.id")
              .whereRef("registrations.person_id", "=", "people.id")
              .where((r) =>
                r.or([
                  r("registrations.updated_at", ">=", cutoff),
                  r("events.ends_at", ">=", cutoff),
                ]),
              ),
          ),
          eb.exists(
            eb
              .selectFrom("working_group_members")
              .select("working_group_members.group_id")
              .whereRef("working_group_members.person_id", "=", "people.id"),
          ),
        ]),
      ),
    );
}

/** Sent emails older than the answers' period: they hold names, addresses and events. */
function dueEmails(db: Database, now: Date, answersMonths: number) {
  return db.selectFrom("outbound_emails").where("sent_at", "<", before(now, answersMonths));
}

export type RetentionCounts = { registrations: number; accounts: number; emails: number };

/** What the next run will remove, as counts, without removing anything. */
export async function previewRetention(
  db: Database,
  args: { now?: Date } = {},
): Promise<RetentionCounts> {
  const now = args.now ?? new Date();
  const settings = await getRetentionSettings(db);
  const count = sql<number>`count(*)::int`.as("n");
  const [registrations, accounts, emails] = [
    await dueRegistrations(db, now, settings.answers_months)
      .select(count)
      .executeTakeFirstOrThrow(),
    await dueAccounts(db, now, settings.inactive_months).select(count).executeTakeFirstOrThrow(),
    await dueEmails(db, now, settings.answers_months).select(count).executeTakeFirstOrThrow(),
  ];
  return { registrations: registrations.n, accounts: accounts.n, emails: emails.n };
}

/**
 * The retention job (run daily by the worker, or by an administrator):
 * removes the answers and needs of registrations whose event ended more than
 * N months ago, empties accounts inactive for M months (emptyPerson: the
 * counts stay), and deletes sent emails older than N months. One
 * transaction; one audit row per run with what it removed, even when nothing.
 * Two runs at once are serialised by an advisory lock.
 */
export async function runRetention(
  db: Database,
  args: { now?: Date; actorId?: string | null } = {},
): Promise<RetentionCounts> {
  const now = args.now ?? new Date();
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('retention'))`.execute(trx);
    const settings = await getRetentionSettings(trx);
    const registrations = await trx
      .updateTable("registrations")
      .set({
        answers: {},
        dietary_needs: "",
        accessibility_needs: "",
        personal_data_removed_at: sql`now()`,
      })
      .where(
        "id",
        "in",
        dueRegistrations(trx, now, settings.answers_months).select("registrations.id"),
      )
      .executeTakeFirst();
    const people = await dueAccounts(trx, now, settings.inactive_months)
      .select(["people.id", "people.email"])
      .orderBy("people.id")
      .forUpdate()
      .execute();
    for (const person of people) await emptyPerson(trx, person.id, person.email);
    const emails = await trx
      .deleteFrom("outbound_emails")
      .where("id", "in", dueEmails(trx, now, settings.answers_months).select("id"))
      .executeTakeFirst();
    const counts = {
      registrations: Number(registrations.numUpdatedRows),
      accounts: people.length,
      emails: Number(emails.numDeletedRows),
    };
    await audit(trx, {
      actorId: args.actorId ?? null,
      eventId: null,
      entity: "retention",
      entityId: 1,
      action: "purge",
      detail: {
        ...counts,
        answers_months: settings.answers_months,
        inactive_months: settings.inactive_months,
      },
    });
    return counts;
  });
}

/** The admin page: the notice's versions, the retention settings and what the next run removes. */
export async function getPrivacyAdmin(db: Database) {
  return {
    notices: await listNotices(db),
    settings: await getRetentionSettings(db),
    preview: await previewRetention(db),
  };
}
