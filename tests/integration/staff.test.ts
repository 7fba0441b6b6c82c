import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import type { Database } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { DomainError } from "../../app/domain/errors.server";
import { hashPassword, passwordProblem } from "../../app/domain/passwords.server";
import type { SessionUser } from "../../app/domain/auth.server";
import { inviteStaff } from "../../app/domain/staff.server";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, createMember, eventIdOf, signIn } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let app: Awaited<ReturnType<typeof startTestApp>>;
const PASSWORD = "くじらの歌は夜明けに聞こえる";
let passwordHash: string;
let unionId: number;
let otherUnionId: number;

type Role = "admin" | "organiser" | "secretary" | "reception" | "member" | "anonymous";
const ROLES: Role[] = ["admin", "organiser", "secretary", "reception", "member", "anonymous"];

/** A staff account of `role` with PASSWORD, made for one test. */
async function createStaff(
  role: Exclude<Role, "member" | "anonymous">,
  options: { password?: boolean; union?: number } = {},
) {
  const email = `${role}-${randomBytes(4).toString("hex")}@example.jp`;
  const row = await db
    .insertInto("people")
    .values({
      email,
      family_name: "試験",
      given_name: role,
      role,
      organisation_id: role === "secretary" ? (options.union ?? unionId) : null,
      password_hash: options.password === false ? null : passwordHash,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, email };
}

/** An HTTP client signed in as a fresh person of `role` (none for anonymous). */
async function clientAs(role: Role) {
  if (role === "anonymous") return { client: browserLike(app.url), id: null };
  const person = role === "member" ? await createMember(db) : await createStaff(role);
  return { client: browserLike(app.url, await signIn(db, person.id)), id: person.id };
}

async function sessionUser(id: string): Promise<SessionUser> {
  return db
    .selectFrom("people")
    .select([
      "id",
      "email",
      "family_name",
      "given_name",
      "family_name_kana",
      "given_name_kana",
      "organisation_id",
      "workplace",
      "phone",
      "birth_date",
      "role",
      "profile_completed_at",
      "membership_status",
    ])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

/** Everything a staff action could change, to compare before and after a refusal. */
async function snapshot() {
  const people = await db
    .selectFrom("people")
    .select([
      "id",
      "email",
      "role",
      "organisation_id",
      "disabled_at",
      "password_hash",
      "totp_enabled_at",
      "valid_until",
      "invited_at",
    ])
    .orderBy("id")
    .execute();
  const count = async (
    table: "password_tokens" | "outbound_emails" | "audit_log" | "recovery_codes",
  ) =>
    (
      await db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as("n"))
        .executeTakeFirstOrThrow()
    ).n;
  const unusedTokens = await db
    .selectFrom("password_tokens")
    .select("token_hash")
    .where("used_at", "is", null)
    .orderBy("token_hash")
    .execute();
  return {
    people,
    eventStaff: await db
      .selectFrom("event_staff")
      .selectAll()
      .orderBy(["event_id", "person_id"])
      .execute(),
    settings: await db.selectFrom("site_settings").select(["key", "value"]).execute(),
    tokens: await count("password_tokens"),
    unusedTokens,
    emails: await count("outbound_emails"),
    audit: await count("audit_log"),
    recovery: await count("recovery_codes"),
  };
}

/** The newest email to `to`, as /dev/mail.json shows it, and its set-password path. */
async function mailTo(to: string) {
  const response = await fetch(`${app.url}/dev/mail.json?to=${encodeURIComponent(to)}`);
  const { messages } = (await response.json()) as {
    messages: { subject: string; text: string; links: string[] }[];
  };
  const latest = messages[0];
  const link = latest?.links.find((l) => l.includes("/admin/set-password?token="));
  return { latest, count: messages.length, path: link?.replace(/^https?:\/\/[^/]+/, "") };
}

/** The new TOTP secret a page offers (a hidden field beside its QR). */
function secretOn(html: string): string {
  const secret = html.match(/name="secret" value="([A-Z2-7]{32})"/)?.[1];
  if (!secret) throw new Error("no TOTP secret on the page");
  return secret;
}

function totpCode(secret: string, offsetSteps = 0) {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await loadDemoData(db);
  app = await startTestApp(db);
  passwordHash = await hashPassword(PASSWORD);
  const unions = await db
    .selectFrom("organisations")
    .select("id")
    .where("kind", "=", "local_union")
    .orderBy("id")
    .limit(2)
    .execute();
  unionId = unions[0]!.id;
  otherUnionId = unions[1]!.id;
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("who may do what with staff accounts", () => {
  type Case = {
    name: string;
    allowed: Role[];
    /** makes the case's target (before the snapshot); returns the path to act on */
    prepare?: () => Promise<string>;
    /** the request, as a browser on this site sends it */
    run: (client: ReturnType<typeof browserLike>, target: string) => Promise<Response>;
    /** after a success: the change is there */
    done?: (target: string) => Promise<void>;
  };
  const staffPages: Role[] = ["admin", "organiser", "secretary", "reception"];
  const target =
    (role: Parameters<typeof createStaff>[0], options?: Parameters<typeof createStaff>[1]) =>
    async () =>
      String((await createStaff(role, options)).id);
  const personRow = (id: string) =>
    db.selectFrom("people").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const cases: Case[] = [
    { name: "GET /admin/staff", allowed: ["admin"], run: (c) => c.get("/admin/staff") },
    {
      name: "GET /admin/staff/:id",
      allowed: ["admin"],
      prepare: target("organiser"),
      run: (c, id) => c.get(`/admin/staff/${id}`),
    },
    {
      name: "invite an organiser",
      allowed: ["admin"],
      prepare: async () => `invited-${randomBytes(4).toString("hex")}@example.jp`,
      run: (c, email) =>
        c.post("/admin/staff", { intent: "invite", email, name: "招待 花子", role: "organiser" }),
      done: async (email) => {
        const row = await db
          .selectFrom("people")
          .select(["role", "invited_at"])
          .where("email", "=", email)
          .executeTakeFirstOrThrow();
        expect(row.role).toBe("organiser");
        expect((await mailTo(email)).path).toBeTruthy();
      },
    },
    {
      name: "invite a secretary of a union",
      allowed: ["admin"],
      prepare: async () => `sec-${randomBytes(4).toString("hex")}@example.jp`,
      run: (c, email) =>
        c.post("/admin/staff", {
          intent: "invite",
          email,
          name: "書記 次郎",
          role: "secretary",
          organisation_id: String(unionId),
        }),
      done: async (email) => {
        const row = await db
          .selectFrom("people")
          .select(["role", "organisation_id"])
          .where("email", "=", email)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ role: "secretary", organisation_id: unionId });
      },
    },
    {
      name: "require a second factor",
      allowed: ["admin"],
      run: (c) => c.post("/admin/staff", { intent: "require-totp", required: "on" }),
      done: async () => {
        expect(
          (await db.selectFrom("site_settings").select("value").executeTakeFirst())?.value,
        ).toBe(true);
        await db.deleteFrom("site_settings").execute();
      },
    },
    {
      name: "change a role",
      allowed: ["admin"],
      prepare: target("organiser"),
      run: (c, id) => c.post(`/admin/staff/${id}`, { intent: "role", role: "reception" }),
      done: async (id) => expect((await personRow(id)).role).toBe("reception"),
    },
    {
      name: "change a secretary's union",
      allowed: ["admin"],
      prepare: target("secretary"),
      run: (c, id) =>
        c.post(`/admin/staff/${id}`, {
          intent: "role",
          role: "secretary",
          organisation_id: String(otherUnionId),
        }),
      done: async (id) => expect((await personRow(id)).organisation_id).toBe(otherUnionId),
    },
    {
      name: "disable an account",
      allowed: ["admin"],
      prepare: target("reception"),
      run: (c, id) => c.post(`/admin/staff/${id}`, { intent: "disable" }),
      done: async (id) => expect((await personRow(id)).disabled_at).not.toBeNull(),
    },
    {
      name: "enable an account",
      allowed: ["admin"],
      prepare: async () => {
        const id = String((await createStaff("reception")).id);
        await db
          .updateTable("people")
          .set({ disabled_at: new Date() })
          .where("id", "=", id)
          .execute();
        return id;
      },
      run: (c, id) => c.post(`/admin/staff/${id}`, { intent: "enable" }),
      done: async (id) => expect((await personRow(id)).disabled_at).toBeNull(),
    },
    {
      name: "re-send an invitation",
      allowed: ["admin"],
      prepare: target("organiser", { password: false }),
      run: (c, id) => c.post(`/admin/staff/${id}`, { intent: "resend" }),
    },
    {
      name: "reset someone's second factor",
      allowed: ["admin"],
      prepare: async () => {
        const id = String((await createStaff("organiser")).id);
        await db
          .updateTable("people")
          .set({ totp_secret: "JBSWY3DPEHPK3PXP", totp_enabled_at: new Date() })
          .where("id", "=", id)
          .execute();
        return id;
      },
      run: (c, id) => c.post(`/admin/staff/${id}`, { intent: "reset-totp" }),
      done: async (id) => expect((await personRow(id)).totp_enabled_at).toBeNull(),
    },
    { name: "GET /admin/account", allowed: staffPages, run: (c) => c.get("/admin/account") },
    {
      name: "change one's own password",
      allowed: staffPages,
      run: (c) =>
        c.post("/admin/account", {
          intent: "password",
          current: PASSWORD,
          password: "あたらしい合言葉は森のなか",
        }),
    },
    {
      name: "set up one's own second factor",
      allowed: [],
      run: (c) =>
        c.post("/admin/account", {
          intent: "enable-totp",
          secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
          code: "123456",
        }),
    },
  ];

  for (const action of cases) {
    for (const role of ROLES) {
      const allowed = action.allowed.includes(role);
      it(`${action.name}: ${role} ${allowed ? "may" : "may not"}`, async () => {
        const { client } = await clientAs(role);
        const targetId = (await action.prepare?.()) ?? "";
        const before = await snapshot();
        const response = await action.run(client, targetId);
        if (allowed) {
          expect(response.status, await response.clone().text()).toBe(200);
          await action.done?.(targetId);
          return;
        }
        if (role === "anonymous") {
          expect(response.status).toBe(302);
          expect(response.headers.get("location")).toMatch(/^\/admin\/login\?next=/);
        } else if (staffPages.includes(role) && action.allowed.length === 0) {
          // a wrong code from the app: refused for everyone, as bad input
          expect(response.status).toBe(422);
        } else {
          expect(response.status).toBe(403);
        }
        expect(await snapshot()).toEqual(before);
      });
    }
  }
});

describe("nobody changes their own role, union or state", () => {
  it("an administrator's change of their own role, union or state is refused and changes nothing", async () => {
    const { client, id } = await clientAs("admin");
    const before = await snapshot();
    for (const fields of <Record<string, string>[]>[
      { intent: "role", role: "organiser" },
      { intent: "role", role: "secretary", organisation_id: String(unionId) },
      { intent: "disable" },
    ]) {
      const response = await client.post(`/admin/staff/${id}`, fields);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain(
        "ご自身の役割・所属単組・アカウントの状態は変更できません",
      );
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a secretary cannot change their union on /profile, which no longer offers one", async () => {
    const secretary = await createStaff("secretary");
    const client = browserLike(app.url, await signIn(db, secretary.id));
    const page = await (await client.get("/profile")).text();
    expect(page).not.toContain('name="organisation_id"');
    const response = await client.post("/profile", {
      family_name: "書記",
      given_name: "長",
      family_name_kana: "ショキ",
      given_name_kana: "チョウ",
      organisation_id: String(otherUnionId),
      workplace: "市役所",
      phone: "090-1111-2222",
    });
    expect(response.status).toBe(302);
    const row = await db
      .selectFrom("people")
      .select(["organisation_id", "family_name", "role"])
      .where("id", "=", secretary.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ organisation_id: unionId, family_name: "書記", role: "secretary" });
  });

  it("a member's form cannot make them staff: the role is never read from it", async () => {
    const member = await createMember(db);
    const client = browserLike(app.url, await signIn(db, member.id));
    await client.post("/profile", {
      family_name: "組合",
      given_name: "員",
      family_name_kana: "クミアイ",
      given_name_kana: "イン",
      organisation_id: String(unionId),
      workplace: "市役所",
      phone: "090-1111-2222",
      role: "admin",
    });
    expect(
      (
        await db
          .selectFrom("people")
          .select("role")
          .where("id", "=", member.id)
          .executeTakeFirstOrThrow()
      ).role,
    ).toBe("member");
  });
});

describe("invitations and passwords", () => {
  it("an invited organiser sets a password from the emailed link once, then signs in; a weak password leaves the link usable", async () => {
    const { client } = await clientAs("admin");
    const email = `new-organiser-${randomBytes(3).toString("hex")}@example.jp`;
    const eventId = await eventIdOf(db, "online-seminar-next");
    const invite = await client.post("/admin/staff", {
      intent: "invite",
      email,
      name: "新井 主催",
      role: "organiser",
      event_id: String(eventId),
    });
    expect(invite.status).toBe(200);
    const person = await db
      .selectFrom("people")
      .select(["id", "role", "family_name", "given_name", "password_hash"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({
      role: "organiser",
      family_name: "新井",
      given_name: "主催",
      password_hash: null,
    });
    expect(
      await db.selectFrom("event_staff").selectAll().where("person_id", "=", person.id).execute(),
    ).toMatchObject([{ event_id: eventId, person_id: person.id, role: "organiser" }]);
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "actor_person_id", "event_id"])
      .where("entity", "=", "staff")
      .where("entity_id", "=", String(person.id))
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({ action: "staff.invited", event_id: eventId }),
    ]);

    const mail = await mailTo(email);
    expect(mail.latest?.subject).toContain("スタッフへの招待");
    expect(mail.latest?.text).toContain("72時間");
    const path = mail.path!;
    expect((await browserLike(app.url).get(path)).status).toBe(200);

    const anonymous = browserLike(app.url);
    const weak = await anonymous.post(path, { password: "password1234", confirm: "password1234" });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain("よく使われているパスワード");
    const mismatch = await anonymous.post(path, { password: PASSWORD, confirm: "違う" });
    expect(mismatch.status).toBe(422);
    expect(
      (
        await db
          .selectFrom("people")
          .select("password_hash")
          .where("id", "=", person.id)
          .executeTakeFirstOrThrow()
      ).password_hash,
    ).toBeNull();

    const set = await anonymous.post(path, { password: PASSWORD, confirm: PASSWORD });
    expect(set.status, (await set.clone().text()).match(/role="alert"[^>]*>([^<]*)/)?.[1]).toBe(
      302,
    );
    expect(set.headers.get("location")).toMatch(/^\/admin\/login\?password=set/);
    const again = await anonymous.post(path, { password: PASSWORD, confirm: PASSWORD });
    expect(again.status).toBe(400);

    const login = await anonymous.post("/admin/login", { email, password: PASSWORD });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/admin");
  });

  it("re-sending an invitation makes the old link stop working", async () => {
    const { client } = await clientAs("admin");
    const target = await createStaff("reception", { password: false });
    await client.post(`/admin/staff/${target.id}`, { intent: "resend" });
    const first = (await mailTo(target.email)).path!;
    await client.post(`/admin/staff/${target.id}`, { intent: "resend" });
    const second = (await mailTo(target.email)).path!;
    expect(second).not.toBe(first);
    const anonymous = browserLike(app.url);
    expect((await anonymous.post(first, { password: PASSWORD, confirm: PASSWORD })).status).toBe(
      400,
    );
    expect((await anonymous.post(second, { password: PASSWORD, confirm: PASSWORD })).status).toBe(
      302,
    );
    // once the password is set, there is no invitation to re-send
    const refused = await client.post(`/admin/staff/${target.id}`, { intent: "resend" });
    expect(refused.status).toBe(409);
  });

  it("an invitation link expires", async () => {
    const { client } = await clientAs("admin");
    const target = await createStaff("organiser", { password: false });
    await client.post(`/admin/staff/${target.id}`, { intent: "resend" });
    const path = (await mailTo(target.email)).path!;
    await db
      .updateTable("password_tokens")
      .set({ expires_at: sql`now() - interval '1 minute'` })
      .where("person_id", "=", target.id)
      .execute();
    const response = await browserLike(app.url).post(path, {
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("無効か、期限切れか、使用済みです");
  });

  it("refuses bad invitations with the field named, and changes nothing", async () => {
    const { client } = await clientAs("admin");
    const existing = await createStaff("organiser");
    const before = await snapshot();
    const tries: [Record<string, string>, number, string][] = [
      [
        { email: "not-an-address", name: "誰か", role: "organiser" },
        422,
        "メールアドレスの形式が正しくありません",
      ],
      [{ email: "x@example.jp", name: "", role: "organiser" }, 422, "氏名を入力してください"],
      [{ email: "x@example.jp", name: "誰か", role: "member" }, 422, "役割を選択してください"],
      [
        { email: "x@example.jp", name: "誰か", role: "secretary" },
        422,
        "所属単組を一覧から選択してください",
      ],
      [
        { email: "x@example.jp", name: "誰か", role: "organiser", event_id: "999999" },
        422,
        "担当イベントを一覧から選択してください",
      ],
      [
        { email: existing.email, name: "誰か", role: "reception" },
        409,
        "既にスタッフとして登録されています",
      ],
    ];
    for (const [fields, status, message] of tries) {
      const response = await client.post("/admin/staff", { intent: "invite", ...fields });
      expect(response.status, JSON.stringify(fields)).toBe(status);
      expect(await response.text()).toContain(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("an organiser may invite co-organisers and reception to an event they run, and nothing else", async () => {
    const organiser = await createStaff("organiser");
    const eventId = await eventIdOf(db, "online-seminar-next");
    const otherEvent = await eventIdOf(db, "zenkoku-40-shimane");
    await db
      .insertInto("event_staff")
      .values({ event_id: eventId, person_id: organiser.id, role: "organiser" })
      .execute();
    const by = await sessionUser(organiser.id);
    const email = `desk-${randomBytes(3).toString("hex")}@example.jp`;
    const { invited } = await inviteStaff(db, {
      by,
      email,
      name: "受付 一郎",
      role: "reception",
      eventId,
    });
    expect(invited).toBe(true);
    const desk = await db
      .selectFrom("people")
      .crossJoin("events")
      .select(["people.role", "people.valid_until", "events.ends_at"])
      .where("people.email", "=", email)
      .where("events.id", "=", eventId)
      .executeTakeFirstOrThrow();
    expect(desk.role).toBe("reception");
    expect(desk.valid_until?.toISOString()).toBe(desk.ends_at.toISOString());

    const before = await snapshot();
    const refusals: Parameters<typeof inviteStaff>[1][] = [
      { by, email: "a@example.jp", name: "a", role: "reception", eventId: otherEvent },
      { by, email: "a@example.jp", name: "a", role: "admin", eventId },
      { by, email: "a@example.jp", name: "a", role: "secretary", organisationId: unionId, eventId },
      { by, email: "a@example.jp", name: "a", role: "organiser" },
      {
        by: await sessionUser((await createStaff("secretary")).id),
        email: "a@example.jp",
        name: "a",
        role: "reception",
        eventId,
      },
      {
        by: await sessionUser((await createStaff("reception")).id),
        email: "a@example.jp",
        name: "a",
        role: "reception",
        eventId,
      },
    ];
    const afterTargets = await snapshot();
    for (const args of refusals) {
      const error = await inviteStaff(db, args).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("forbidden");
    }
    expect((await snapshot()).emails).toBe(before.emails);
    expect(await snapshot()).toEqual(afterTargets);
  });
});

describe("sessions end when they should", () => {
  it("disabling, a role change and a password change end that person's sessions at once", async () => {
    const { client: admin } = await clientAs("admin");
    for (const change of ["disable", "role", "password"] as const) {
      const person = await createStaff("organiser");
      const elsewhere = browserLike(app.url, await signIn(db, person.id));
      expect((await elsewhere.get("/admin")).status).toBe(200);
      if (change === "disable")
        await admin.post(`/admin/staff/${person.id}`, { intent: "disable" });
      if (change === "role")
        await admin.post(`/admin/staff/${person.id}`, { intent: "role", role: "reception" });
      if (change === "password") {
        const self = browserLike(app.url, await signIn(db, person.id));
        const changed = await self.post("/admin/account", {
          intent: "password",
          current: PASSWORD,
          password: "新しい合言葉は三日月の夜に",
        });
        expect(changed.status).toBe(200);
        expect((await self.get("/admin")).status).toBe(200);
      }
      const after = await elsewhere.get("/admin");
      expect(after.status, change).toBe(302);
      expect(after.headers.get("location")).toMatch(/^\/admin\/login/);
    }
  });

  it("a disabled account cannot sign in, nor use a sign-in link", async () => {
    const person = await createStaff("organiser");
    await db
      .updateTable("people")
      .set({ disabled_at: new Date() })
      .where("id", "=", person.id)
      .execute();
    const response = await browserLike(app.url).post("/admin/login", {
      email: person.email,
      password: PASSWORD,
    });
    expect(await response.text()).toContain("メールアドレスまたはパスワードが正しくありません");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("staff sessions end after 12 hours without a request; members keep theirs", async () => {
    const staff = await createStaff("organiser");
    const member = await createMember(db);
    const staffClient = browserLike(app.url, await signIn(db, staff.id));
    const memberClient = browserLike(app.url, await signIn(db, member.id));
    await db
      .updateTable("auth_sessions")
      .set({ last_seen_at: sql`now() - interval '11 hours 50 minutes'` })
      .where("person_id", "in", [staff.id, member.id])
      .execute();
    expect((await staffClient.get("/admin")).status).toBe(200); // and renewed
    await db
      .updateTable("auth_sessions")
      .set({ last_seen_at: sql`now() - interval '13 hours'` })
      .where("person_id", "in", [staff.id, member.id])
      .execute();
    expect((await staffClient.get("/admin")).status).toBe(302);
    expect((await memberClient.get("/me")).status).toBe(200);
  });

  it("a reception account for one event stops working when the event ends", async () => {
    const eventId = await eventIdOf(db, "kenshukai-20");
    const { client: admin } = await clientAs("admin");
    const email = `desk-${randomBytes(3).toString("hex")}@example.jp`;
    await admin.post("/admin/staff", {
      intent: "invite",
      email,
      name: "受付 二郎",
      role: "reception",
      event_id: String(eventId),
    });
    const person = await db
      .selectFrom("people")
      .select(["id", "valid_until"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(person.valid_until).not.toBeNull();
    await db
      .updateTable("people")
      .set({ password_hash: passwordHash })
      .where("id", "=", person.id)
      .execute();
    const desk = browserLike(app.url, await signIn(db, person.id));
    expect((await desk.get("/admin")).status).toBe(200);
    await db
      .updateTable("people")
      .set({ valid_until: sql`now() - interval '1 second'` })
      .where("id", "=", person.id)
      .execute();
    expect((await desk.get("/admin")).status).toBe(302);
    const login = await browserLike(app.url).post("/admin/login", { email, password: PASSWORD });
    expect(login.headers.get("set-cookie")).toBeNull();
  });

  it("staff sign in with their password, never with a member's emailed link", async () => {
    const staff = await createStaff("admin");
    const client = browserLike(app.url);
    await client.post("/login", { email: staff.email });
    const link = (await (
      await fetch(`${app.url}/dev/mail.json?to=${encodeURIComponent(staff.email)}`)
    ).json()) as {
      messages: { links: string[] }[];
    };
    const verify = link.messages[0]!.links.find((l) => l.includes("/login/verify"))!.replace(
      /^https?:\/\/[^/]+/,
      "",
    );
    const response = await client.post(verify, {
      token: new URL(verify, app.url).searchParams.get("token")!,
    });
    expect(response.headers.get("set-cookie") ?? "").not.toMatch(/sid=[^;]+/);
    expect(await response.text()).toContain("スタッフ用ログイン");
  });
});

describe("forgotten passwords", () => {
  it("gives the same answer for any address, emails only staff, and is rate-limited", async () => {
    const staff = await createStaff("secretary");
    const client = browserLike(app.url);
    const known = await client.post("/admin/forgot-password", { email: staff.email });
    const unknown = await client.post("/admin/forgot-password", {
      email: "nobody-here@example.jp",
    });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const text = (html: string) => html.match(/<p class="notice notice--ok"[^>]*>([^<]*)</)?.[1];
    expect(text(await known.text())).toBe(text(await unknown.text()));
    expect((await mailTo("nobody-here@example.jp")).count).toBe(0);
    const mail = await mailTo(staff.email);
    expect(mail.latest?.subject).toContain("パスワードの再設定");
    const path = mail.path!;
    expect(
      (await client.post(path, { password: PASSWORD + "!", confirm: PASSWORD + "!" })).status,
    ).toBe(302);
    const login = await client.post("/admin/login", {
      email: staff.email,
      password: PASSWORD + "!",
    });
    expect(login.status).toBe(302);

    let last: Response | undefined;
    for (let i = 0; i < 4; i++)
      last = await client.post("/admin/forgot-password", { email: staff.email });
    expect(last!.status).toBe(429);
    expect(await last!.text()).toContain("短時間に多くの操作がありました");
  });
});

describe("the password policy (NIST SP 800-63B)", () => {
  it.each([
    ["short", "12文字以上"],
    ["password1234", "よく使われている"],
    ["PASSWORD1234!", "よく使われている"],
    ["jichiken-demo-2026", "よく使われている"],
    ["jichiken2026!!", "よく使われている"],
    ["aaaaaaaaaaaaaa", "よく使われている"],
    ["123456789012", "よく使われている"],
    ["qwertyuiop123", "よく使われている"],
    ["abcabcabcabc", "よく使われている"],
    ["自治研自治研自治研自治研", "よく使われている"],
  ])("refuses %s", (password, message) => {
    expect(passwordProblem(password)).toContain(message);
  });

  it.each([
    "correct horse battery staple",
    "くじらの歌は夜明けに聞こえる",
    "tsukimi-dango-3-kushi",
  ])("accepts %s, with no composition rules", (password) => {
    expect(passwordProblem(password)).toBeUndefined();
  });

  it("refuses a password made of the address", () => {
    expect(passwordProblem("hanako.sato2026", { email: "hanako.sato@example.jp" })).toContain(
      "メールアドレス",
    );
  });
});

describe("the second factor", () => {
  it("is set up on the staff's own page from a QR, then asked at sign-in; recovery codes work once", async () => {
    const person = await createStaff("organiser");
    const client = browserLike(app.url, await signIn(db, person.id));
    const before = await snapshot();
    const page = await (await client.get("/admin/account")).text();
    expect(page).toContain("data:image/png;base64,");
    const secret = secretOn(page);
    expect(page).toContain(secret.slice(0, 4)); // the key to type, beside the QR
    expect(await snapshot()).toEqual(before); // looking at the page writes nothing

    const wrong = await client.post("/admin/account", {
      intent: "enable-totp",
      secret,
      code: "000000",
    });
    expect(wrong.status).toBe(422);
    const weak = "A".repeat(32);
    const forged = await client.post("/admin/account", {
      intent: "enable-totp",
      secret: "AAAA",
      code: totpCode(weak),
    });
    expect(forged.status).toBe(422);
    expect(await snapshot()).toEqual(before);
    const enabled = await client.post("/admin/account", {
      intent: "enable-totp",
      secret,
      code: totpCode(secret),
    });
    expect(enabled.status).toBe(200);
    const codes = [
      ...(await enabled.text()).matchAll(/<code>([A-Z2-9]{5}-[A-Z2-9]{5})<\/code>/g),
    ].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    const stored = await db
      .selectFrom("recovery_codes")
      .select("code_hash")
      .where("person_id", "=", person.id)
      .execute();
    expect(stored).toHaveLength(10);
    expect(stored.map((s) => s.code_hash)).not.toContain(codes[0]);

    // Sign-in: the password gives only a half session until the code.
    const browser = browserLike(app.url);
    const first = await browser.post("/admin/login", { email: person.email, password: PASSWORD });
    expect(first.headers.get("location")).toBe("/admin/login/totp?next=%2Fadmin");
    const half = browserLike(app.url, first.headers.get("set-cookie")!.split(";")[0]);
    expect((await half.get("/admin")).status).toBe(302);
    expect((await half.post("/admin/login/totp", { code: "123456" })).status).toBe(422);
    const code = totpCode(secret, 1);
    const second = await half.post("/admin/login/totp", { code });
    expect(second.status).toBe(302);
    const full = browserLike(app.url, second.headers.get("set-cookie")!.split(";")[0]);
    expect((await full.get("/admin")).status).toBe(200);

    // The same code, and a used recovery code, are refused the next time.
    const again = await browser.post("/admin/login", { email: person.email, password: PASSWORD });
    const half2 = browserLike(app.url, again.headers.get("set-cookie")!.split(";")[0]);
    expect((await half2.post("/admin/login/totp", { code })).status).toBe(422);
    expect((await half2.post("/admin/login/totp", { code: codes[0]!.toLowerCase() })).status).toBe(
      302,
    );
    const third = await browser.post("/admin/login", { email: person.email, password: PASSWORD });
    const half3 = browserLike(app.url, third.headers.get("set-cookie")!.split(";")[0]);
    expect((await half3.post("/admin/login/totp", { code: codes[0]! })).status).toBe(422);
    const actions = await db
      .selectFrom("audit_log")
      .select("action")
      .where("entity", "=", "staff")
      .where("entity_id", "=", String(person.id))
      .orderBy("id")
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      "staff.totp_enabled",
      "staff.recovery_code_used",
    ]);
  });

  it("when an administrator requires it, staff without one are sent to set it up after their password", async () => {
    const { client: admin } = await clientAs("admin");
    const person = await createStaff("reception");
    await admin.post("/admin/staff", { intent: "require-totp", required: "on" });
    try {
      const browser = browserLike(app.url);
      const login = await browser.post("/admin/login", { email: person.email, password: PASSWORD });
      expect(login.headers.get("location")).toBe("/admin/login/enrol?next=%2Fadmin");
      const half = browserLike(app.url, login.headers.get("set-cookie")!.split(";")[0]);
      expect((await half.get("/admin")).status).toBe(302);
      const enrolPage = await half.get("/admin/login/enrol");
      expect(enrolPage.status).toBe(200);
      const secret = secretOn(await enrolPage.text());
      const done = await half.post("/admin/login/enrol", { secret, code: totpCode(secret) });
      expect(done.status).toBe(200);
      expect(await done.clone().text()).toContain("復旧コード");
      const full = half;
      expect((await full.get("/admin")).status).toBe(200);
      // and it cannot be turned off while required
      const off = await full.post("/admin/account", { intent: "disable-totp", current: PASSWORD });
      expect(off.status).toBe(409);
    } finally {
      await admin.post("/admin/staff", { intent: "require-totp", required: "off" });
    }
  });
});
