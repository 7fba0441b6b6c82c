import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { createApiToken } from "../../app/domain/api.server";
import { getEventDashboard } from "../../app/domain/dashboard.server";
import { previewRetention, runRetention } from "../../app/domain/privacy.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn, signInAs } from "../support/factories";

/**
 * Issue 17: personal data under the APPI. Consent with its version, needs
 * only with their own consent, a member's own data, deletion, retention, and
 * the audit of every bulk read. Everything through HTTP where a person would
 * go through HTTP.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
let hq: number;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  const org = await database.db
    .selectFrom("organisations")
    .select("id")
    .where("kind", "=", "prefectural_hq")
    .executeTakeFirstOrThrow();
  hq = org.id;
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

const DAY = 24 * 60 * 60 * 1000;

/** An event of our own, open for registration now, with the given dates and capacity. */
async function makeEvent(options: {
  startsInDays: number;
  capacity?: number | null;
  purposes?: string;
}) {
  const { db } = database;
  const slug = `privacy-${randomBytes(4).toString("hex")}`;
  const starts = new Date(Date.now() + options.startsInDays * DAY);
  const event = await db
    .insertInto("events")
    .values({
      slug,
      kind: "study_session",
      title: `個人情報テスト ${slug}`,
      organiser_organisation_id: hq,
      starts_at: starts,
      ends_at: new Date(starts.getTime() + 2 * 60 * 60 * 1000),
      status: "published",
      capacity: options.capacity ?? null,
      privacy_purposes: options.purposes ?? "",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("registration_windows")
    .values({
      event_id: event.id,
      opens_at: new Date(Date.now() - 400 * DAY),
      closes_at: new Date(Date.now() + 30 * DAY),
    })
    .execute();
  return { id: event.id, slug };
}

/** A registration written directly, for an event in the past (the form refuses those). */
async function pastRegistration(
  eventId: number,
  personId: string,
  extra: { dietary?: string } = {},
) {
  const row = await database.db
    .insertInto("registrations")
    .values({
      event_id: eventId,
      person_id: personId,
      status: "confirmed",
      ticket_secret: randomBytes(32).toString("base64url"),
      ticket_code: randomBytes(6).toString("hex"),
      answers: { "1": "回答" },
      dietary_needs: extra.dietary ?? "そばアレルギー",
      accessibility_needs: "",
      consent_version: 1,
      consented_at: new Date(),
      needs_consented_at: new Date(),
      confirmed_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await database.db
    .updateTable("events")
    .set({ taken: sql`taken + 1` })
    .where("id", "=", eventId)
    .execute();
  return row.id;
}

async function member(options: { union?: string } = {}) {
  const m = await createMember(database.db, options);
  const cookie = await signIn(database.db, m.id);
  return { ...m, cookie, client: browserLike(app.url, cookie) };
}

async function registrationOf(eventId: number, personId: string) {
  return database.db
    .selectFrom("registrations")
    .selectAll()
    .where("event_id", "=", eventId)
    .where("person_id", "=", personId)
    .executeTakeFirst();
}

async function auditRows(entity: string, action?: string) {
  return database.db
    .selectFrom("audit_log")
    .selectAll()
    .where("entity", "=", entity)
    .$if(action !== undefined, (q) => q.where("action", "=", action as string))
    .orderBy("id", "desc")
    .execute();
}

describe("consent at registration", () => {
  it("is required, and stored with the notice's version and time", async () => {
    const event = await makeEvent({ startsInDays: 20, purposes: "名簿を開催県本部と共有します" });
    const m = await member();
    const page = await (await m.client.get(`/events/${event.slug}/register`)).text();
    expect(page).toContain("個人情報の取扱い");
    expect(page).toContain("名簿を開催県本部と共有します");
    expect(page).toContain('name="privacy_version" value="1"');

    const refused = await m.client.post(`/events/${event.slug}/register`, { waitlist: "on" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain(
      "「個人情報の取扱い」に同意いただけない場合は、申し込めません",
    );
    expect(await registrationOf(event.id, m.id)).toBeUndefined();

    const before = Date.now();
    const ok = await m.client.post(`/events/${event.slug}/register`, {
      waitlist: "on",
      privacy_consent: "on",
      privacy_version: "1",
    });
    expect(ok.status).toBe(302);
    const reg = await registrationOf(event.id, m.id);
    expect(reg?.consent_version).toBe(1);
    expect(reg?.consented_at?.getTime()).toBeGreaterThanOrEqual(before - 5000);
    expect(reg?.needs_consented_at).toBeNull();

    // shown to organisers on the attendee's page
    const admin = browserLike(app.url, await signInAs(database.db, "admin@example.jp"));
    const detail = await (await admin.get(`/admin/events/${event.id}/attendees/${reg?.id}`)).text();
    expect(detail).toContain("第1版に");
  });

  it("to a notice that has since been replaced is refused; the new version is then required", async () => {
    const admin = browserLike(app.url, await signInAs(database.db, "admin@example.jp"));
    const tooShort = await admin.post("/admin/privacy", { intent: "publish", body: "短い" });
    expect(tooShort.status).toBe(422);
    expect(
      (await database.db.selectFrom("privacy_notices").select("version").execute()).length,
    ).toBe(1);
    const organiser = browserLike(app.url, await signInAs(database.db, "organiser@example.jp"));
    expect(
      (await organiser.post("/admin/privacy", { intent: "publish", body: "x".repeat(40) })).status,
    ).toBe(403);

    const published = await admin.post("/admin/privacy", {
      intent: "publish",
      body: "個人情報の取扱い 第2版。利用目的に、当日の写真の記録を加えました。ご確認ください。",
    });
    expect(published.status).toBe(200);
    expect(await published.text()).toContain("第2版として公開しました");
    const privacy = await (await fetch(`${app.url}/privacy`)).text();
    expect(privacy).toContain("第2版");
    expect(privacy).toContain("当日の写真の記録");
    expect(await (await fetch(`${app.url}/privacy?version=1`)).text()).toContain("以前の版");
    expect(await auditRows("privacy_notice", "publish")).toHaveLength(1);

    const event = await makeEvent({ startsInDays: 21 });
    const m = await member();
    const stale = await m.client.post(`/events/${event.slug}/register`, {
      privacy_consent: "on",
      privacy_version: "1",
    });
    expect(await stale.text()).toContain("「個人情報の取扱い」が更新されました");
    expect(await registrationOf(event.id, m.id)).toBeUndefined();
    const ok = await m.client.post(`/events/${event.slug}/register`, {
      privacy_consent: "on",
      privacy_version: "2",
    });
    expect(ok.status).toBe(302);
    expect((await registrationOf(event.id, m.id))?.consent_version).toBe(2);

    // back to version 1 for the other tests' CONSENT_FIELDS
    await database.db
      .updateTable("registrations")
      .set({ consent_version: 1 })
      .where("consent_version", "=", 2)
      .execute();
    await database.db.deleteFrom("privacy_notices").where("version", "=", 2).execute();
  });
});

describe("needs (要配慮個人情報)", () => {
  it("are refused without their own consent, and nothing is stored", async () => {
    const event = await makeEvent({ startsInDays: 22 });
    const m = await member();
    const refused = await m.client.post(`/events/${event.slug}/register`, {
      privacy_consent: "on",
      privacy_version: "1",
      dietary_needs: "卵アレルギー",
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("その利用への同意が必要です");
    expect(await registrationOf(event.id, m.id)).toBeUndefined();
    expect(
      await database.db
        .selectFrom("registrations")
        .select("id")
        .where("dietary_needs", "=", "卵アレルギー")
        .where("event_id", "=", event.id)
        .execute(),
    ).toHaveLength(0);

    const ok = await m.client.post(`/events/${event.slug}/register`, {
      ...CONSENT_FIELDS,
      dietary_needs: "卵アレルギー",
    });
    expect(ok.status).toBe(302);
    const reg = await registrationOf(event.id, m.id);
    expect(reg?.dietary_needs).toBe("卵アレルギー");
    expect(reg?.needs_consented_at).not.toBeNull();
  });

  it("by staff on someone's behalf need the staff member's attestation, recorded on the registration", async () => {
    const event = await makeEvent({ startsInDays: 23 });
    const union = await database.db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "fukushima-shi")
      .executeTakeFirstOrThrow();
    const admin = browserLike(app.url, await signInAs(database.db, "admin@example.jp"));
    const adminId = (
      await database.db
        .selectFrom("people")
        .select("id")
        .where("email", "=", "admin@example.jp")
        .executeTakeFirstOrThrow()
    ).id;
    const colleague = {
      family_name: "代理",
      given_name: "花子",
      family_name_kana: "ダイリ",
      given_name_kana: "ハナコ",
      organisation_id: String(union.id),
      workplace: "福島市役所",
      phone: "090-1111-2222",
      email: `proxy-${randomBytes(3).toString("hex")}@example.jp`,
      dietary_needs: "えびアレルギー",
    };
    const count = async () =>
      (
        await database.db
          .selectFrom("registrations")
          .select("id")
          .where("event_id", "=", event.id)
          .execute()
      ).length;
    const noAttest = await admin.post(`/admin/events/${event.id}/attendees/new`, colleague);
    expect(await noAttest.text()).toContain(
      "本人が「個人情報の取扱い」(最新版)に同意していることの確認が必要です",
    );
    const noNeeds = await admin.post(`/admin/events/${event.id}/attendees/new`, {
      ...colleague,
      consent_attested: "on",
    });
    expect(await noNeeds.text()).toContain(
      "その利用について本人の明示的な同意を得ていることの確認が必要です",
    );
    expect(await count()).toBe(0);
    const ok = await admin.post(`/admin/events/${event.id}/attendees/new`, {
      ...colleague,
      consent_attested: "on",
      needs_consent_attested: "on",
    });
    expect(await ok.text()).toContain("申し込みました");
    const reg = await database.db
      .selectFrom("registrations")
      .selectAll()
      .where("event_id", "=", event.id)
      .executeTakeFirstOrThrow();
    expect(reg.consent_version).toBe(1);
    expect(reg.consent_attested_by).toBe(adminId);
    expect(reg.dietary_needs).toBe("えびアレルギー");

    // CSV import: the same, for the whole file, and audited
    const csv = `姓,名,セイ,メイ,メールアドレス,単組,職場,電話番号,食事の配慮\r\n一括,一郎,イッカツ,イチロウ,bulk-${randomBytes(3).toString("hex")}@example.jp,福島市職員労働組合,福島市役所,090-2222-3333,小麦\r\n`;
    const unionName = (
      await database.db
        .selectFrom("organisations")
        .select("name")
        .where("id", "=", union.id)
        .executeTakeFirstOrThrow()
    ).name;
    const content = Buffer.from(csv.replace("福島市職員労働組合", unionName)).toString("base64");
    const importPath = `/admin/events/${event.id}/attendees/import`;
    const refusedImport = await admin.post(importPath, {
      intent: "import",
      content,
      consent_attested: "on",
    });
    expect(await refusedImport.text()).toContain("配慮事項のある行: 2行目");
    expect(await count()).toBe(1);
    const imported = await admin.post(importPath, {
      intent: "import",
      content,
      consent_attested: "on",
      needs_consent_attested: "on",
    });
    expect(await imported.text()).toContain("1名を登録しました");
    expect(await count()).toBe(2);
    const row = (await auditRows("export", "import"))[0];
    expect(row?.event_id).toBe(event.id);
    expect(row?.detail).toMatchObject({ rows: 1 });
  });
});

describe("a member's own data", () => {
  it("downloads exactly their data and nobody else's, as JSON and CSV, and the download is audited", async () => {
    const event = await makeEvent({ startsInDays: 24 });
    const a = await member();
    const b = await member();
    await a.client.post(`/events/${event.slug}/register`, {
      ...CONSENT_FIELDS,
      dietary_needs: "Aのアレルギー",
    });
    await b.client.post(`/events/${event.slug}/register`, {
      ...CONSENT_FIELDS,
      accessibility_needs: "Bの車いす",
    });

    const page = await (await a.client.get("/me/data")).text();
    expect(page).toContain("Aのアレルギー");
    expect(page).not.toContain("Bの車いす");

    const json = await a.client.get("/me/data.json");
    expect(json.headers.get("content-disposition")).toContain("attachment");
    const data = (await json.json()) as {
      profile: { email: string };
      registrations: { dietaryNeeds: string; accessibilityNeeds: string }[];
      consents: { noticeVersion: number }[];
      signIns: unknown[];
    };
    expect(data.profile.email).toBe(a.email);
    expect(data.registrations).toHaveLength(1);
    expect(data.registrations[0]?.dietaryNeeds).toBe("Aのアレルギー");
    expect(data.consents[0]?.noticeVersion).toBe(1);
    expect(data.signIns.length).toBeGreaterThanOrEqual(1);
    const text = JSON.stringify(data);
    expect(text).not.toContain(b.email);
    expect(text).not.toContain("Bの車いす");

    const bytes = Buffer.from(await (await a.client.get("/me/data.csv")).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString("utf8");
    expect(csv.startsWith(`"区分","対象","項目","値"`)).toBe(true);
    expect(csv).toContain(a.email);
    expect(csv).toContain("Aのアレルギー");
    expect(csv).not.toContain(b.email);
    expect(csv).not.toContain("Bの車いす");

    const audited = (await auditRows("export", "self_download")).filter(
      (r) => r.actor_person_id === a.id,
    );
    expect(audited).toHaveLength(2);
    // signed out: the sign-in page, never someone's data
    const anonymous = await browserLike(app.url).get("/me/data.json");
    expect(anonymous.status).toBe(302);
  });
});

describe("deleting an account", () => {
  it("needs the explicit confirmation, then cancels, releases and promotes upcoming registrations and anonymises past ones", async () => {
    const { db } = database;
    const upcoming = await makeEvent({ startsInDays: 30, capacity: 1 });
    const past = await makeEvent({ startsInDays: -60 });
    const a = await member();
    const waiting = await member();
    expect(
      (
        await a.client.post(`/events/${upcoming.slug}/register`, {
          ...CONSENT_FIELDS,
          dietary_needs: "乳",
        })
      ).status,
    ).toBe(302);
    expect(
      (
        await waiting.client.post(`/events/${upcoming.slug}/register`, {
          ...CONSENT_FIELDS,
          waitlist: "on",
        })
      ).status,
    ).toBe(302);
    expect((await registrationOf(upcoming.id, waiting.id))?.status).toBe("waitlisted");
    const pastId = await pastRegistration(past.id, a.id);
    await db.insertInto("sign_ins").values({ person_id: a.id, method: "link" }).execute();
    const statsBefore = await getEventDashboard(db, { eventId: past.id, unionId: null });

    const unconfirmed = await a.client.post("/me/data", {});
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain("取り消せないことを理解しました");
    expect((await registrationOf(upcoming.id, a.id))?.status).toBe("confirmed");
    expect(
      (
        await db
          .selectFrom("people")
          .select("deleted_at")
          .where("id", "=", a.id)
          .executeTakeFirstOrThrow()
      ).deleted_at,
    ).toBeNull();

    const page = await (await a.client.get("/me/data")).text();
    expect(page).toContain("削除すると、元に戻せません");

    const deleted = await a.client.post("/me/data", { confirm: "on" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/me/data/deleted");

    // upcoming: cancelled, its seat given to the first in line
    expect((await registrationOf(upcoming.id, a.id))?.status).toBe("cancelled");
    expect((await registrationOf(upcoming.id, waiting.id))?.status).toBe("confirmed");
    const seats = await db
      .selectFrom("events")
      .select("taken")
      .where("id", "=", upcoming.id)
      .executeTakeFirstOrThrow();
    expect(seats.taken).toBe(1);
    // past: kept for the counts, without anything personal
    const pastRow = await db
      .selectFrom("registrations")
      .selectAll()
      .where("id", "=", pastId)
      .executeTakeFirstOrThrow();
    expect(pastRow.status).toBe("confirmed");
    expect(pastRow.answers).toEqual({});
    expect(pastRow.dietary_needs).toBe("");
    expect(pastRow.personal_data_removed_at).not.toBeNull();
    const person = await db
      .selectFrom("people")
      .selectAll()
      .where("id", "=", a.id)
      .executeTakeFirstOrThrow();
    expect(person.email).not.toBe(a.email);
    expect(person.phone).toBe("");
    expect(person.workplace).toBe("");
    expect(person.birth_date).toBeNull();
    expect(person.deleted_at).not.toBeNull();
    expect(
      await db.selectFrom("sign_ins").select("id").where("person_id", "=", a.id).execute(),
    ).toHaveLength(0);
    // sessions end
    expect(
      await db
        .selectFrom("auth_sessions")
        .select("id_hash")
        .where("person_id", "=", a.id)
        .execute(),
    ).toHaveLength(0);
    expect((await a.client.get("/me")).headers.get("location")).toMatch(/^\/login/);
    // a confirmation to the address they had
    const mail = await db
      .selectFrom("outbound_emails")
      .select(["subject"])
      .where("to_address", "=", a.email)
      .execute();
    expect(mail.map((m) => m.subject)).toContain("アカウントを削除しました");
    // organisers' figures are the same
    expect(await getEventDashboard(db, { eventId: past.id, unionId: null })).toEqual(statsBefore);
    expect(await auditRows("person", "delete_account")).toHaveLength(1);
  });
});

describe("retention", () => {
  it("the job removes what is due and nothing else, keeps the counts, shows it in advance and is audited", async () => {
    const { db } = database;
    await db
      .updateTable("privacy_settings")
      .set({ answers_months: 6, inactive_months: 24 })
      .execute();
    // Everything else in the database is due or not by the demo's dates; measure by difference.
    const baseline = await previewRetention(db);
    const old = await makeEvent({ startsInDays: -240 }); // ended ~8 months ago: due
    const recent = await makeEvent({ startsInDays: -90 }); // ~3 months ago: kept
    const m1 = await member();
    const m2 = await member();
    const due = await pastRegistration(old.id, m1.id);
    const kept = await pastRegistration(recent.id, m2.id);
    // an inactive member: created 3 years ago, no sign-in, nothing since
    const sleeper = await createMember(db);
    await db
      .updateTable("people")
      .set({ created_at: new Date(Date.now() - 3 * 365 * DAY) })
      .where("id", "=", sleeper.id)
      .execute();
    // an active one of the same age: signed in last month
    const active = await createMember(db);
    await db
      .updateTable("people")
      .set({ created_at: new Date(Date.now() - 3 * 365 * DAY) })
      .where("id", "=", active.id)
      .execute();
    await db
      .insertInto("sign_ins")
      .values({ person_id: active.id, method: "link", at: new Date(Date.now() - 30 * DAY) })
      .execute();
    const statsBefore = await getEventDashboard(db, { eventId: old.id, unionId: null });

    const preview = await previewRetention(db);
    expect(preview.registrations - baseline.registrations).toBe(1);
    expect(preview.accounts - baseline.accounts).toBe(1);
    // the admin page shows the same counts before anything runs
    const admin = browserLike(app.url, await signInAs(db, "admin@example.jp"));
    const page = await (await admin.get("/admin/privacy")).text();
    expect(page).toContain(`data-count="registrations">${preview.registrations}<`);
    expect(page).toContain(`data-count="accounts">${preview.accounts}<`);
    expect(
      (await browserLike(app.url, await signInAs(db, "secretary@example.jp")).get("/admin/privacy"))
        .status,
    ).toBe(403);

    const counts = await runRetention(db);
    expect(counts).toEqual(preview);
    const dueRow = await db
      .selectFrom("registrations")
      .selectAll()
      .where("id", "=", due)
      .executeTakeFirstOrThrow();
    expect(dueRow.answers).toEqual({});
    expect(dueRow.dietary_needs).toBe("");
    expect(dueRow.personal_data_removed_at).not.toBeNull();
    const keptRow = await db
      .selectFrom("registrations")
      .selectAll()
      .where("id", "=", kept)
      .executeTakeFirstOrThrow();
    expect(keptRow.dietary_needs).toBe("そばアレルギー");
    expect(keptRow.answers).toEqual({ "1": "回答" });
    expect(
      (
        await db
          .selectFrom("people")
          .select("deleted_at")
          .where("id", "=", sleeper.id)
          .executeTakeFirstOrThrow()
      ).deleted_at,
    ).not.toBeNull();
    expect(
      await db
        .selectFrom("people")
        .select(["deleted_at", "email"])
        .where("id", "=", active.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ deleted_at: null, email: active.email });
    expect(
      (
        await db
          .selectFrom("people")
          .select("deleted_at")
          .where("id", "=", m2.id)
          .executeTakeFirstOrThrow()
      ).deleted_at,
    ).toBeNull();
    expect(await getEventDashboard(db, { eventId: old.id, unionId: null })).toEqual(statsBefore);

    const audit = (await auditRows("retention", "purge"))[0];
    expect(audit?.detail).toMatchObject({
      registrations: counts.registrations,
      accounts: counts.accounts,
      answers_months: 6,
    });
    // the next run has nothing left to do
    expect(await previewRetention(db)).toEqual({ registrations: 0, accounts: 0, emails: 0 });

    // settings: bad input refused in Japanese, nothing changed
    const bad = await admin.post("/admin/privacy", {
      intent: "retention",
      answers_months: "0",
      inactive_months: "abc",
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("回答・配慮事項の保存期間は1か月以上にしてください");
    expect(
      (await db.selectFrom("privacy_settings").select("answers_months").executeTakeFirstOrThrow())
        .answers_months,
    ).toBe(6);
  });
});

describe("who downloaded what", () => {
  it("every export path writes an audit row with who, event, filters and rows, and the log filters to them", async () => {
    const { db } = database;
    const event = await db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", "kenshukai-20")
      .executeTakeFirstOrThrow();
    const organiser = browserLike(app.url, await signInAs(db, "admin@example.jp"));
    const adminId = (
      await db
        .selectFrom("people")
        .select("id")
        .where("email", "=", "admin@example.jp")
        .executeTakeFirstOrThrow()
    ).id;
    const before = (await auditRows("export")).length;

    const exportPage = await (await organiser.get(`/admin/events/${event.id}/export`)).text();
    expect(exportPage).toContain("個人情報の利用目的の確認");

    const csv = await organiser.get(`/admin/events/${event.id}/export.csv?status=confirmed`);
    const csvText = await csv.text();
    // needs only when the export asks for them
    expect(csvText).not.toContain("食事の配慮");
    const withNeeds = await (
      await organiser.get(`/admin/events/${event.id}/export.csv?columns=name&columns=dietary`)
    ).text();
    expect(withNeeds).toContain("食事の配慮");
    await (await organiser.get(`/admin/events/${event.id}/export.xlsx`)).arrayBuffer();
    const pdf = await organiser.get(`/admin/events/${event.id}/export.pdf?kind=roster`);
    await pdf.arrayBuffer();

    const token = await createToken(adminId);
    const api = await fetch(`${app.url}/api/v1/events/${event.id}/registrations?status=confirmed`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const apiBody = (await api.json()) as { registrations: unknown[] };

    const group = await db.selectFrom("working_groups").select("id").executeTakeFirstOrThrow();
    await (await organiser.get(`/admin/groups/${group.id}/attendance.csv`)).arrayBuffer();

    // each stream records itself once its body is done
    const rows = await waitFor(async () => {
      const all = await auditRows("export");
      return all.length - before >= (pdf.status === 200 ? 6 : 5)
        ? all.slice(0, all.length - before)
        : undefined;
    });
    const fileExports = rows.filter((r) => r.action === "export" && r.event_id === event.id);
    expect(fileExports.map((r) => (r.detail as { format: string }).format).sort()).toEqual(
      (pdf.status === 200 ? ["csv", "csv", "pdf", "xlsx"] : ["csv", "csv", "xlsx"]).sort(),
    );
    const filtered = fileExports.find(
      (r) => (r.detail as { filter: { status?: string } }).filter.status === "confirmed",
    );
    expect(filtered?.actor_person_id).toBe(adminId);
    expect(filtered?.detail).toMatchObject({ rows: expect.any(Number), completed: true });
    const apiRow = rows.find((r) => r.action === "api_list");
    expect(apiRow?.detail).toMatchObject({
      rows: apiBody.registrations.length,
      filter: { status: "confirmed", page: 1 },
    });
    expect(rows.find((r) => r.action === "export" && r.event_id === null)?.detail).toMatchObject({
      filter: { group_id: group.id },
    });

    // a 単組 secretary's export: their union only, and the audit row says so
    const secretary = await db
      .selectFrom("people")
      .innerJoin("organisations", "organisations.id", "people.organisation_id")
      .select([
        "people.id",
        "organisations.id as union_id",
        "organisations.name",
        "organisations.code",
      ])
      .where("people.email", "=", "secretary@example.jp")
      .executeTakeFirstOrThrow();
    const shared = await makeEvent({ startsInDays: 25 });
    const ours = await member({ union: secretary.code });
    const other = await member({
      union: secretary.code === "koriyama-shi" ? "fukushima-shi" : "koriyama-shi",
    });
    for (const m of [ours, other])
      await m.client.post(`/events/${shared.slug}/register`, { ...CONSENT_FIELDS });
    const secretaryClient = browserLike(app.url, await signIn(db, secretary.id));
    const theirs = await (
      await secretaryClient.get(
        `/admin/events/${shared.id}/export.csv?columns=name&columns=union&columns=email`,
      )
    ).text();
    expect(theirs).toContain(ours.email);
    expect(theirs).not.toContain(other.email);
    const lines = theirs.trim().split("\r\n").slice(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain(secretary.name);
    const secretaryRow = await waitFor(async () =>
      (await auditRows("export", "export")).find((r) => r.actor_person_id === secretary.id),
    );
    expect(secretaryRow.detail).toMatchObject({ union_id: secretary.union_id, rows: lines.length });

    // the event's audit log, filtered to downloads
    const log = await (await organiser.get(`/admin/events/${event.id}/audit?kind=export`)).text();
    expect(log).toContain("ファイルのダウンロード");
    expect(log).toContain("APIでの一覧取得");
  });

  it("reception's offline roster holds no needs; the scan of one person shows theirs", async () => {
    const { db } = database;
    const event = await makeEvent({ startsInDays: 0.01 });
    const m = await member();
    await m.client.post(`/events/${event.slug}/register`, {
      ...CONSENT_FIELDS,
      dietary_needs: "ピーナッツ",
    });
    const reception = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "reception@example.jp")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("event_staff")
      .values({ event_id: event.id, person_id: reception.id, role: "reception" })
      .execute();
    const desk = browserLike(app.url, await signIn(db, reception.id));
    const roster = await (await desk.get(`/checkin/${event.slug}/roster`)).text();
    expect(roster).toContain("シケン");
    expect(roster).not.toContain("ピーナッツ");
  });
});

function createToken(personId: string): Promise<string> {
  return createApiToken(database.db, { personId, name: "privacy-test" });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("waitFor: condition not met");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
