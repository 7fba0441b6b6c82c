import { sql } from "kysely";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import {
  browserLike,
  createMember,
  eventIdOf,
  seminarForm,
  signIn,
  signInAs,
} from "../support/factories";

/**
 * Membership is confirmed by the union, not claimed (issue 12), and who may
 * keep unions, rosters, domains and an event's staff. Each refusal is checked
 * for its status and for the data it leaves as it was.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
type Client = ReturnType<typeof browserLike>;
const as: Record<string, Client> = {};
let fukushimaShi: number;
let koriyamaShi: number;

const db = () => database.db;
const unionId = async (code: string) =>
  (
    await db()
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", code)
      .executeTakeFirstOrThrow()
  ).id;
const person = (email: string) =>
  db()
    .selectFrom("people")
    .select([
      "id",
      "organisation_id",
      "membership_status",
      "membership_via",
      "membership_decided_by",
    ])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
const mailsTo = async (email: string) =>
  (
    await db()
      .selectFrom("outbound_emails")
      .select("subject")
      .where("to_address", "=", email)
      .orderBy("id")
      .execute()
  ).map((m) => m.subject);
const count = async (
  table: "union_roster" | "union_mail_domains" | "organisations" | "event_staff",
) =>
  (
    await db()
      .selectFrom(table)
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow()
  ).n;

/** A person who has signed in but not yet completed the profile, with a client. */
async function newcomer(email: string): Promise<{ id: string; client: Client }> {
  const row = await db()
    .insertInto("people")
    .values({ email })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, client: browserLike(app.url, await signIn(db(), row.id)) };
}

const profile = (organisationId: number) => ({
  family_name: "新規",
  given_name: "花子",
  family_name_kana: "シンキ",
  given_name_kana: "ハナコ",
  organisation_id: String(organisationId),
  workplace: "福島市役所",
  phone: "090-1234-5678",
});

beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  fukushimaShi = await unionId("fukushima-shi");
  koriyamaShi = await unionId("koriyama-shi");
  for (const role of ["admin", "organiser", "secretary", "reception"]) {
    as[role] = browserLike(app.url, await signInAs(db(), `${role}@example.jp`));
  }
  // A secretary of another union, given by an administrator.
  const other = await db()
    .insertInto("people")
    .values({
      email: "secretary.koriyama@example.jp",
      family_name: "郡山",
      given_name: "書記",
      role: "secretary",
      organisation_id: koriyamaShi,
      profile_completed_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  as.otherSecretary = browserLike(app.url, await signIn(db(), other.id));
  as.member = browserLike(app.url, await signInAs(db(), "hanako.sato@example.jp"));
  as.anonymous = browserLike(app.url);
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe("who may open the union pages", () => {
  it.each([
    ["admin", 200, 200],
    ["secretary", 403, 200],
    ["otherSecretary", 403, 404],
    ["organiser", 403, 404],
    ["reception", 403, 404],
    ["member", 403, 403],
    ["anonymous", 302, 302],
  ])("%s: /admin/unions %i, /admin/unions/<福島市職労> %i", async (role, list, page) => {
    expect((await as[role]!.get("/admin/unions")).status).toBe(list);
    expect((await as[role]!.get(`/admin/unions/${fukushimaShi}`)).status).toBe(page);
  });

  it("an id that cannot be a union is a 404, not a 500", async () => {
    for (const id of ["0x0c", "abc", "99999999999", "-1"]) {
      expect((await as.admin!.get(`/admin/unions/${id}`)).status).toBe(404);
    }
  });
});

describe("membership is confirmed, not claimed", () => {
  it("a new person who picks a union is pending, refused a members-only event, then confirmed by the secretary and registers", async () => {
    const { id, client } = await newcomer("pending.one@example.jp");
    const saved = await client.post("/profile?next=/me", profile(fukushimaShi));
    expect(saved.status).toBe(302);
    expect(await person("pending.one@example.jp")).toMatchObject({
      organisation_id: fukushimaShi,
      membership_status: "pending",
    });

    const { form, eventId } = await seminarForm(db(), { slug: "online-seminar-next" });
    const page = await (await client.get("/events/online-seminar-next/register")).text();
    expect(page).toContain("組合員であることを確認中です");
    const refused = await client.post("/events/online-seminar-next/register", form);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("組合員であることを確認中です");
    const none = await db()
      .selectFrom("registrations")
      .select("id")
      .where("person_id", "=", id)
      .execute();
    expect(none).toHaveLength(0);

    // Another union's secretary and an organiser cannot decide; nothing changes.
    for (const role of ["otherSecretary", "organiser"]) {
      const r = await as[role]!.post(`/admin/unions/${fukushimaShi}`, {
        intent: "decide",
        person: id,
        decision: "confirm",
      });
      expect(r.status).toBe(404);
    }
    expect((await person("pending.one@example.jp")).membership_status).toBe("pending");

    const queue = await (await as.secretary!.get(`/admin/unions/${fukushimaShi}`)).text();
    expect(queue).toContain("pending.one@example.jp");
    const confirmed = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "decide",
      person: id,
      decision: "confirm",
    });
    expect(confirmed.status).toBe(200);
    const secretary = await person("secretary@example.jp");
    expect(await person("pending.one@example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "secretary",
      membership_decided_by: secretary.id,
    });
    expect(await mailsTo("pending.one@example.jp")).toContain(
      "【自治研イベント】組合員の確認が済みました",
    );
    const audited = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("entity", "=", "membership")
      .where("entity_id", "=", id)
      .execute();
    expect(audited.map((a) => a.action)).toEqual(["claimed", "confirmed_by_secretary"]);

    const registered = await client.post("/events/online-seminar-next/register", form);
    expect(registered.status).toBe(302);
    const rows = await db()
      .selectFrom("registrations")
      .select("status")
      .where("person_id", "=", id)
      .where("event_id", "=", eventId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("a declined person is emailed and stays out of members-only events", async () => {
    const { id, client } = await newcomer("declined.one@example.jp");
    await client.post("/profile?next=/me", profile(fukushimaShi));
    const r = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "decide",
      person: id,
      decision: "decline",
    });
    expect(r.status).toBe(200);
    expect((await person("declined.one@example.jp")).membership_status).toBe("declined");
    expect(await mailsTo("declined.one@example.jp")).toContain(
      "【自治研イベント】所属単組の確認について",
    );
    // A decided person is no longer in the queue: a second decision is a 404.
    const again = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "decide",
      person: id,
      decision: "confirm",
    });
    expect(again.status).toBe(404);
    expect((await person("declined.one@example.jp")).membership_status).toBe("declined");
  });

  it("an address on the union's roster, or on its mail domain, is confirmed at once", async () => {
    const onRoster = await newcomer("jiro.kato@example.jp");
    await onRoster.client.post("/profile?next=/me", profile(fukushimaShi));
    expect(await person("jiro.kato@example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "roster",
    });
    const onDomain = await newcomer("taro@city.koriyama.example.jp");
    await onDomain.client.post("/profile?next=/me", profile(koriyamaShi));
    expect(await person("taro@city.koriyama.example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "domain",
    });
    // The roster of one union says nothing about another.
    const elsewhere = await newcomer("ichiro.takahashi.2@example.jp");
    await elsewhere.client.post("/profile?next=/me", profile(koriyamaShi));
    expect((await person("ichiro.takahashi.2@example.jp")).membership_status).toBe("pending");
  });

  it("staff, or the 県本部, are not members: reception is refused a members-only event", async () => {
    const reception = await person("reception@example.jp");
    expect(reception.membership_status).toBe("none");
    const { form } = await seminarForm(db(), { slug: "online-seminar-next" });
    const r = await as.reception!.post("/events/online-seminar-next/register", form);
    expect(await r.text()).toContain("このイベントは組合員限定です");
    const rows = await db()
      .selectFrom("registrations")
      .select("id")
      .where("person_id", "=", reception.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it("the Zoom link and members' materials wait for the confirmation", async () => {
    // A member registered (by a seat they held) whose union is then changed to one that has not confirmed them.
    const member = await createMember(db(), { union: "fukushima-shi" });
    const client = browserLike(app.url, await signIn(db(), member.id));
    const { form } = await seminarForm(db(), { slug: "online-seminar-next" });
    expect((await client.post("/events/online-seminar-next/register", form)).status).toBe(302);
    expect(await (await client.get("/me")).text()).toContain("zoom.us");
    await client.post("/profile?next=/me", profile(koriyamaShi));
    expect((await person(member.email)).membership_status).toBe("pending");
    const me = await (await client.get("/me")).text();
    expect(me).not.toContain("zoom.us");
    expect(me).toContain("組合員であることを確認中のため");
  });

  it("a secretary's registration for a member of their own union confirms that member", async () => {
    const { id } = await newcomer("proxy.pending@example.jp");
    await db()
      .updateTable("people")
      .set({
        ...profile(fukushimaShi),
        organisation_id: fukushimaShi,
        profile_completed_at: new Date(),
        membership_status: "pending",
      })
      .where("id", "=", id)
      .execute();
    const eventId = await eventIdOf(db(), "online-seminar-next");
    const { form } = await seminarForm(db(), { slug: "online-seminar-next" });
    const r = await as.secretary!.post(`/admin/events/${eventId}/attendees/new`, {
      ...profile(fukushimaShi),
      email: "proxy.pending@example.jp",
      course: form.course!,
      consent_attested: "on",
    });
    expect(r.status).toBeLessThan(400);
    expect(await person("proxy.pending@example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "proxy",
    });
  });

  it("a retired union keeps its people and is no longer offered", async () => {
    const before = await count("organisations");
    const created = await as.admin!.post("/admin/unions", {
      name: "伊達市職員労働組合",
      name_kana: "ダテシショクインロウドウクミアイ",
      code: "date-shi",
    });
    expect(created.status).toBe(200);
    expect(await count("organisations")).toBe(before + 1);
    const date = await unionId("date-shi");
    // The same code again is refused on its field, and nothing is added.
    const dup = await as.admin!.post("/admin/unions", {
      name: "別",
      name_kana: "ベツ",
      code: "date-shi",
    });
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain("既に使われています");
    expect(await count("organisations")).toBe(before + 1);

    const { id, client } = await newcomer("date.member@example.jp");
    await client.post("/profile?next=/me", profile(date));
    expect((await person("date.member@example.jp")).organisation_id).toBe(date);

    expect(
      (await as.admin!.post(`/admin/unions/${date}`, { intent: "retire", retired: "yes" })).status,
    ).toBe(200);
    expect(await (await client.get("/profile")).text()).not.toContain("伊達市職員労働組合");
    // The person keeps their union; a newcomer cannot claim it.
    expect((await person("date.member@example.jp")).organisation_id).toBe(date);
    const late = await newcomer("date.late@example.jp");
    const refused = await late.client.post("/profile?next=/me", profile(date));
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("所属単組を一覧から選択してください");
    expect((await person("date.late@example.jp")).organisation_id).toBeNull();
    expect(id).toBeTruthy();
  });
});

describe("who keeps unions, rosters and domains", () => {
  it("only an administrator adds, renames or retires a union; everyone else leaves it as it was", async () => {
    const before = await count("organisations");
    for (const role of ["secretary", "organiser", "reception", "member"]) {
      const r = await as[role]!.post("/admin/unions", {
        name: "勝手な単組",
        name_kana: "カッテ",
        code: `x-${role}`,
      });
      expect(r.status).toBe(403);
    }
    expect(await count("organisations")).toBe(before);
    const rename = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "update",
      name: "改名",
      name_kana: "カイメイ",
      code: "kaimei",
    });
    expect(rename.status).toBe(403);
    const retire = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "retire",
      retired: "yes",
    });
    expect(retire.status).toBe(403);
    const union = await db()
      .selectFrom("organisations")
      .select(["name", "retired_at"])
      .where("id", "=", fukushimaShi)
      .executeTakeFirstOrThrow();
    expect(union).toEqual({ name: "福島市職員労働組合", retired_at: null });
    const renamed = await as.admin!.post(`/admin/unions/${koriyamaShi}`, {
      intent: "update",
      name: "郡山市職員労働組合(新)",
      name_kana: "コオリヤマシショクインロウドウクミアイ",
      code: "koriyama-shi",
    });
    expect(renamed.status).toBe(200);
    const after = await db()
      .selectFrom("organisations")
      .select("name")
      .where("id", "=", koriyamaShi)
      .executeTakeFirstOrThrow();
    expect(after.name).toBe("郡山市職員労働組合(新)");
  });

  it("a secretary keeps their own union's roster; a CSV with one bad row writes nothing; a roster confirms who waits", async () => {
    const { id, client } = await newcomer("later.on.roster@example.jp");
    await client.post("/profile?next=/me", profile(fukushimaShi));
    expect((await person("later.on.roster@example.jp")).membership_status).toBe("pending");
    const before = await count("union_roster");

    const foreign = await as.otherSecretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "roster-add",
      email: "x@example.jp",
      name: "X",
    });
    expect(foreign.status).toBe(404);
    expect(await count("union_roster")).toBe(before);

    // browserLike posts URL-encoded forms; a file goes as multipart, with its own session.
    const cookie = await signInAs(db(), "secretary@example.jp");
    const postBytes = (bytes: Uint8Array<ArrayBuffer>) => {
      const body = new FormData();
      body.append("intent", "roster-upload");
      body.append("file", new Blob([bytes], { type: "text/csv" }), "roster.csv");
      return fetch(`${app.url}/admin/unions/${fukushimaShi}`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: app.url },
        body,
      });
    };
    const post = (csv: string) => {
      const body = new FormData();
      body.append("intent", "roster-upload");
      body.append("file", new Blob([csv], { type: "text/csv" }), "roster.csv");
      return fetch(`${app.url}/admin/unions/${fukushimaShi}`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: app.url },
        body,
      });
    };
    const bad = await post(
      "氏名,メールアドレス\r\n後で,later.on.roster@example.jp\r\n誤り,not-an-address\r\n",
    );
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("3行目");
    expect(await count("union_roster")).toBe(before);
    expect((await person("later.on.roster@example.jp")).membership_status).toBe("pending");

    // Bytes that are text in neither UTF-8 nor Shift_JIS refuse the file, naming row and column.
    const garbled = new Uint8Array([
      ...new TextEncoder().encode("氏名,メールアドレス\r\n"),
      0x82,
      0xff,
      0x2c,
      0x61,
      0x40,
      0x62,
      0x0d,
      0x0a,
    ]);
    const broken = await postBytes(garbled);
    expect(broken.status).toBe(422);
    const refusal = await broken.text();
    expect(refusal).toContain("2行目の「氏名」の列に");
    expect(await count("union_roster")).toBe(before);

    const good = await post("氏名,メールアドレス\r\n後で,Later.On.Roster@example.jp\r\n");
    expect(good.status).toBe(200);
    expect(await count("union_roster")).toBe(before + 1);
    expect(await person("later.on.roster@example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "roster",
    });
    expect(await mailsTo("later.on.roster@example.jp")).toContain(
      "【自治研イベント】組合員の確認が済みました",
    );
    expect(id).toBeTruthy();

    const removed = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "roster-remove",
      email: "later.on.roster@example.jp",
    });
    expect(removed.status).toBe(200);
    expect(await count("union_roster")).toBe(before);
    // A membership once granted is not ended by a file.
    expect((await person("later.on.roster@example.jp")).membership_status).toBe("confirmed");
  });

  it("only an administrator adds a mail domain, never a free mail one, and it confirms who waits", async () => {
    const { client } = await newcomer("waiting@city.aizu.example.jp");
    const aizu = await unionId("aizuwakamatsu-shi");
    await client.post("/profile?next=/me", profile(aizu));
    const before = await count("union_mail_domains");
    const bySecretary = await as.secretary!.post(`/admin/unions/${fukushimaShi}`, {
      intent: "domain-add",
      domain: "city.fukushima.example.jp",
    });
    expect(bySecretary.status).toBe(403);
    const free = await as.admin!.post(`/admin/unions/${aizu}`, {
      intent: "domain-add",
      domain: "gmail.com",
    });
    expect(free.status).toBe(422);
    expect(await free.text()).toContain("フリーメール");
    expect(await count("union_mail_domains")).toBe(before);

    const ok = await as.admin!.post(`/admin/unions/${aizu}`, {
      intent: "domain-add",
      domain: "@City.Aizu.Example.JP",
    });
    expect(ok.status).toBe(200);
    expect(await count("union_mail_domains")).toBe(before + 1);
    expect(await person("waiting@city.aizu.example.jp")).toMatchObject({
      membership_status: "confirmed",
      membership_via: "domain",
    });
  });
});

describe("who works on an event", () => {
  it("its organiser adds reception by email, who then opens the desk; others cannot; removing takes the desk away", async () => {
    const seminar = await eventIdOf(db(), "online-seminar-next");
    const slug = "online-seminar-next";
    expect((await as.reception!.get(`/checkin/${slug}`)).status).toBe(403);
    const before = await count("event_staff");
    for (const role of ["reception", "secretary", "member"]) {
      const r = await as[role]!.post(`/admin/events/${seminar}/staff`, {
        intent: "add",
        email: "reception@example.jp",
        role: "reception",
      });
      expect([403, 404]).toContain(r.status);
    }
    // An address with no account needs a name, and then gets an invitation.
    const nameless = await as.organiser!.post(`/admin/events/${seminar}/staff`, {
      intent: "add",
      email: "volunteer@example.jp",
      role: "reception",
    });
    expect(nameless.status).toBe(422);
    expect(await nameless.text()).toContain("招待する方の氏名を入力してください");
    expect(await count("event_staff")).toBe(before);
    expect(
      await db()
        .selectFrom("people")
        .select("id")
        .where("email", "=", "volunteer@example.jp")
        .execute(),
    ).toHaveLength(0);
    const invited = await as.organiser!.post(`/admin/events/${seminar}/staff`, {
      intent: "add",
      email: "volunteer@example.jp",
      name: "応援 花子",
      role: "reception",
    });
    expect(invited.status).toBe(200);
    expect(await invited.text()).toContain("招待しました");
    const volunteer = await db()
      .selectFrom("people")
      .innerJoin("events", (j) => j.on("events.id", "=", seminar))
      .select(["people.role", "people.valid_until", "events.ends_at"])
      .where("people.email", "=", "volunteer@example.jp")
      .executeTakeFirstOrThrow();
    // A reception account invited for one event ends with it.
    expect(volunteer.role).toBe("reception");
    expect(volunteer.valid_until).toEqual(volunteer.ends_at);
    expect(await mailsTo("volunteer@example.jp")).toHaveLength(1);
    expect(await count("event_staff")).toBe(before + 1);

    const added = await as.organiser!.post(`/admin/events/${seminar}/staff`, {
      intent: "add",
      email: "Reception@example.jp",
      role: "reception",
    });
    expect(added.status).toBe(200);
    expect(await count("event_staff")).toBe(before + 2);
    const organiser = await person("organiser@example.jp");
    const reception = await person("reception@example.jp");
    const row = await db()
      .selectFrom("event_staff")
      .select(["added_by", "added_at"])
      .where("event_id", "=", seminar)
      .where("person_id", "=", reception.id)
      .executeTakeFirstOrThrow();
    expect(row.added_by).toBe(organiser.id);
    const list = await (await as.organiser!.get(`/admin/events/${seminar}/staff`)).text();
    expect(list).toContain("受付 担当");
    expect((await as.reception!.get(`/checkin/${slug}`)).status).toBe(200);

    const self = await as.organiser!.post(`/admin/events/${seminar}/staff`, {
      intent: "remove",
      person: organiser.id,
      role: "organiser",
    });
    expect(self.status).toBe(403);
    const removed = await as.organiser!.post(`/admin/events/${seminar}/staff`, {
      intent: "remove",
      person: reception.id,
      role: "reception",
    });
    expect(removed.status).toBe(200);
    expect(await count("event_staff")).toBe(before + 1);
    expect((await as.reception!.get(`/checkin/${slug}`)).status).toBe(403);
    const audited = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("entity", "=", "event_staff")
      .where("event_id", "=", seminar)
      .orderBy("id")
      .execute();
    expect(audited.map((a) => a.action)).toEqual(["removed"]);
    const invitations = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("event_id", "=", seminar)
      .where("action", "like", "staff.%")
      .orderBy("id")
      .execute();
    expect(invitations.map((a) => a.action)).toEqual(["staff.invited", "staff.event_added"]);
  });
});
