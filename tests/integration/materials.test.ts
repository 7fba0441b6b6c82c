import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { createMember, eventIdOf, signIn, signInAs } from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
let uploads: string;
const cookies: Record<string, string> = {};
const material: Record<string, number> = {};
let kenshukai: number;
let group1: number;

const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.from("資料の本文 secret-bytes\n%%EOF\n"),
]);

beforeAll(async () => {
  uploads = await mkdtemp(path.join(os.tmpdir(), "jichiken-uploads-"));
  process.env.UPLOAD_DIR = uploads;
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  const { db } = database;
  kenshukai = await eventIdOf(db, "kenshukai-20");
  group1 = (
    await db
      .selectFrom("working_groups")
      .select("id")
      .where("number", "=", 1)
      .executeTakeFirstOrThrow()
  ).id;

  const emails = {
    admin: "admin@example.jp",
    organiser: "organiser@example.jp",
    secretary: "secretary@example.jp",
    reception: "reception@example.jp",
    roster1: "hanako.sato@example.jp",
    roster3: "misaki.watanabe@example.jp",
  };
  for (const [who, email] of Object.entries(emails)) {
    cookies[who] = await signInAs(db, email);
  }
  const member = await createMember(db);
  cookies.member = await signIn(db, member.id);
  // Signed in with a 単組 picked, but not yet confirmed by it.
  const pending = await createMember(db, { membership: "pending" });
  cookies.pending = await signIn(db, pending.id);
  for (const [who, status] of [
    ["registrant", "confirmed"],
    ["waitlisted", "waitlisted"],
  ] as const) {
    const person = await createMember(db);
    await db
      .insertInto("registrations")
      .values({
        event_id: kenshukai,
        person_id: person.id,
        status,
        ticket_secret: `secret-${who}-${person.id}`,
        ticket_code: `CODE-${who}-${person.id}`,
        answers: {},
      })
      .execute();
    cookies[who] = await signIn(db, person.id);
  }

  for (const [key, target, visibility] of [
    ["public", `event:${kenshukai}`, "public"],
    ["members", `event:${kenshukai}`, "members"],
    ["registrants", `event:${kenshukai}`, "registrants"],
    ["roster", `group:${group1}`, "roster"],
  ] as const) {
    const response = await upload(
      cookies.organiser!,
      "/materials/new",
      {
        title: `資料-${key}`,
        target,
        kind: "file",
        visibility,
      },
      { name: `${key}.pdf`, bytes: PDF },
    );
    expect(response.status, await response.clone().text()).toBe(302);
    const row = await db
      .selectFrom("materials")
      .select("id")
      .where("title", "=", `資料-${key}`)
      .executeTakeFirstOrThrow();
    material[key] = row.id;
  }
});
afterAll(async () => {
  await app.close();
  await database.drop();
  await rm(uploads, { recursive: true, force: true });
});

function upload(
  cookie: string,
  pathname: string,
  fields: Record<string, string>,
  file?: { name: string; bytes: Buffer; type?: string },
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file)
    form.append(
      "file",
      new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "application/pdf" }),
      file.name,
    );
  return fetch(app.url + pathname, {
    method: "POST",
    headers: { Cookie: cookie, Origin: app.url },
    body: form,
    redirect: "manual",
  });
}

function open(who: string | null, id: number) {
  return fetch(`${app.url}/materials/${id}`, {
    headers: who ? { Cookie: cookies[who]! } : {},
    redirect: "manual",
  });
}

async function counts() {
  const rows = await database.db
    .selectFrom("materials")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return { rows: Number(rows.n), files: (await readdir(uploads)).length };
}

describe("who may open each kind of material", () => {
  const ok = 200;
  // anonymous → 403; signed in without the right → 404; neither gets a byte.
  const table: [string | null, Record<string, number>][] = [
    [null, { public: ok, members: 403, registrants: 403, roster: 403 }],
    ["member", { public: ok, members: ok, registrants: 404, roster: 404 }],
    ["pending", { public: ok, members: 404, registrants: 404, roster: 404 }],
    ["registrant", { public: ok, members: ok, registrants: ok, roster: 404 }],
    ["waitlisted", { public: ok, members: ok, registrants: 404, roster: 404 }],
    ["roster1", { public: ok, members: ok, registrants: 404, roster: ok }],
    ["roster3", { public: ok, members: ok, registrants: 404, roster: 404 }],
    // Staff are not members by being staff (issue 12): members' materials stay closed.
    ["reception", { public: ok, members: 404, registrants: 404, roster: 404 }],
    ["secretary", { public: ok, members: 404, registrants: 404, roster: 404 }],
    ["organiser", { public: ok, members: ok, registrants: ok, roster: ok }],
    ["admin", { public: ok, members: ok, registrants: ok, roster: ok }],
  ];
  for (const [who, expected] of table) {
    it(`${who ?? "anonymous"}: ${Object.entries(expected)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`, async () => {
      for (const [key, status] of Object.entries(expected)) {
        const response = await open(who, material[key]!);
        const body = Buffer.from(await response.arrayBuffer());
        expect({ key, status: response.status }).toEqual({ key, status });
        if (status === ok) {
          expect(body.equals(PDF)).toBe(true);
          expect(response.headers.get("content-type")).toBe("application/pdf");
          expect(response.headers.get("content-disposition")).toContain("attachment");
          expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        } else {
          expect(body.includes("%PDF")).toBe(false);
          expect(body.includes("secret-bytes")).toBe(false);
        }
      }
    });
  }

  it("lists only what the visitor may see, and tells a stranger that signing in shows more", async () => {
    const anonymous = await (await fetch(`${app.url}/materials`)).text();
    expect(anonymous).toContain("資料-public");
    expect(anonymous).not.toContain("資料-members");
    expect(anonymous).not.toContain("資料-roster");
    expect(anonymous).toMatch(/組合員・参加者限定の資料が\d+件あります/);
    const member = await (
      await fetch(`${app.url}/materials`, { headers: { Cookie: cookies.member! } })
    ).text();
    expect(member).toContain("資料-members");
    expect(member).not.toContain("資料-registrants");
    expect(member).not.toContain("資料-roster");
    const roster = await (
      await fetch(`${app.url}/groups/${group1}`, { headers: { Cookie: cookies.roster1! } })
    ).text();
    expect(roster).toContain("資料-roster");
    expect(roster).toContain("第1専門部会 中間報告資料");
    const other = await (
      await fetch(`${app.url}/groups/${group1}`, { headers: { Cookie: cookies.roster3! } })
    ).text();
    expect(other).not.toContain("資料-roster");
  });

  it("a demo link material opens its link only for those who may see it: the 財政分析 video for members, the 全体集会資料 for registrants", async () => {
    const { db } = database;
    const video = await db
      .selectFrom("materials")
      .select(["id", "url"])
      .where("title", "like", "当局の「財政が厳しいから%")
      .executeTakeFirstOrThrow();
    expect((await open(null, video.id)).status).toBe(403);
    const forMember = await open("member", video.id);
    expect(forMember.status).toBe(302);
    expect(forMember.headers.get("location")).toBe(video.url);
    const plenary = await db
      .selectFrom("materials")
      .select(["id"])
      .where("title", "like", "第39回%全体集会資料%")
      .executeTakeFirstOrThrow();
    const refused = await open("member", plenary.id);
    expect(refused.status).toBe(404);
    expect(refused.headers.get("location")).toBeNull();
  });

  it("stores files under a random name, never the uploaded one", async () => {
    const rows = await database.db
      .selectFrom("materials")
      .select(["storage_key", "filename"])
      .where("kind", "=", "file")
      .execute();
    for (const row of rows) {
      expect(row.storage_key).toMatch(/^[0-9a-f]{32}$/);
      expect(await readdir(uploads)).toContain(row.storage_key);
    }
    expect(await readdir(uploads)).not.toContain("public.pdf");
  });
});

describe("an event's materials on its page and on /me", () => {
  const links = (html: string) => [...html.matchAll(/href="(\/materials\/\d+)"/g)].map((m) => m[1]);

  it("the event page lists only the event's public materials, with type, size and link, the same for everyone", async () => {
    // Signed in as a confirmed registrant first, then anonymous: the page is shared
    // through the page cache, so neither may see more than the public material.
    for (const cookie of [cookies.registrant!, cookies.admin!, ""]) {
      const response = await fetch(`${app.url}/events/kenshukai-20`, {
        headers: cookie ? { Cookie: cookie } : {},
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toContain("s-maxage=1");
      const html = await response.text();
      expect(html).toContain("資料-public");
      expect(html).toContain(`(PDF・${Math.max(1, Math.round(PDF.length / 1024))} KB)`);
      expect(links(html)).toContain(`/materials/${material.public}`);
      expect(html).not.toContain("資料-members");
      expect(html).not.toContain("資料-registrants");
      expect(links(html)).not.toContain(`/materials/${material.members}`);
      expect(links(html)).not.toContain(`/materials/${material.registrants}`);
      expect(html).toMatch(/参加申込者・組合員向けの資料が\d+件あります/);
    }
  });

  it("a confirmed registrant finds the members-only and registrants-only materials on /me, and each opens", async () => {
    const response = await fetch(`${app.url}/me`, { headers: { Cookie: cookies.registrant! } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("資料-registrants");
    expect(html).toContain("資料-members");
    const hrefs = links(html);
    expect(hrefs).toContain(`/materials/${material.registrants}`);
    expect(hrefs).toContain(`/materials/${material.members}`);
    for (const key of ["registrants", "members"]) {
      const file = await fetch(`${app.url}/materials/${material[key]}`, {
        headers: { Cookie: cookies.registrant! },
      });
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
    }
  });

  it("a member not registered, or only on the waitlist, gets no registrants-only material on /me nor by its link", async () => {
    for (const who of ["member", "waitlisted"]) {
      const html = await (
        await fetch(`${app.url}/me`, { headers: { Cookie: cookies[who]! } })
      ).text();
      expect(html).toContain("マイページ");
      expect(html).not.toContain("資料-registrants");
      expect(links(html)).not.toContain(`/materials/${material.registrants}`);
      const refused = await open(who, material.registrants!);
      expect(refused.status).toBe(404);
      expect(Buffer.from(await refused.arrayBuffer()).includes("secret-bytes")).toBe(false);
    }
    // The waitlisted member's card lists what members may see, as the download allows.
    const waitlisted = await (
      await fetch(`${app.url}/me`, { headers: { Cookie: cookies.waitlisted! } })
    ).text();
    expect(waitlisted).toContain("資料-members");
    expect((await open(null, material.registrants!)).status).toBe(403);
  });
});

describe("uploading a material", () => {
  const fields = () => ({
    title: "新しい資料",
    target: `event:${kenshukai}`,
    kind: "file",
    visibility: "members",
  });

  it("refuses a file whose bytes are not an allowed type, whatever its name, and writes nothing", async () => {
    const before = await counts();
    const exe = Buffer.concat([Buffer.from("MZ\x90\x00"), Buffer.alloc(200)]);
    const response = await upload(cookies.organiser!, "/materials/new", fields(), {
      name: "資料.pdf",
      bytes: exe,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("このファイル形式はアップロードできません");
    const zip = Buffer.concat([
      Buffer.from("PK\x03\x04"),
      Buffer.from("notes.txt"),
      Buffer.alloc(100),
    ]);
    const plainZip = await upload(cookies.organiser!, "/materials/new", fields(), {
      name: "slides.pptx",
      bytes: zip,
    });
    expect(await plainZip.text()).toContain("このファイル形式はアップロードできません");
    expect(await counts()).toEqual(before);
  });

  it("refuses a file over 20 MB with a Japanese message and writes nothing", async () => {
    const before = await counts();
    const big = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(20 * 1024 * 1024)]);
    const response = await upload(cookies.organiser!, "/materials/new", fields(), {
      name: "big.pdf",
      bytes: big,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      "ファイルが大きすぎます。20MB以下のファイルを選んでください。",
    );
    // Refused by its declared length, before any part is read: the answer
    // still reaches the client, not a closed connection.
    const huge = await upload(cookies.organiser!, "/materials/new", fields(), {
      name: "huge.pdf",
      bytes: Buffer.concat([big, Buffer.alloc(10 * 1024 * 1024)]),
    });
    expect(huge.status).toBe(200);
    expect(await huge.text()).toContain(
      "ファイルが大きすぎます。20MB以下のファイルを選んでください。",
    );
    expect(await counts()).toEqual(before);
  });

  it("takes an Office file by its parts and names it by its real type", async () => {
    const docx = Buffer.concat([
      Buffer.from("PK\x03\x04"),
      Buffer.from("[Content_Types].xml"),
      Buffer.alloc(50),
      Buffer.from("word/document.xml"),
    ]);
    const response = await upload(
      cookies.organiser!,
      "/materials/new",
      { ...fields(), title: "Word資料" },
      { name: "報告", bytes: docx, type: "application/octet-stream" },
    );
    expect(response.status).toBe(302);
    const row = await database.db
      .selectFrom("materials")
      .select(["filename", "content_type"])
      .where("title", "=", "Word資料")
      .executeTakeFirstOrThrow();
    expect(row.filename).toBe("報告.docx");
    expect(row.content_type).toContain("wordprocessingml");
  });

  it("asks for a link's URL, and lets only admins and organisers add, and only where they manage", async () => {
    const noUrl = await upload(cookies.organiser!, "/materials/new", {
      ...fields(),
      kind: "video",
      url: "javascript:alert(1)",
    });
    expect(await noUrl.text()).toContain("リンク先のURL(https://で始まるもの)を入力してください");
    const shimane = await eventIdOf(database.db, "zenkoku-40-shimane");
    const before = await counts();
    const elsewhere = await upload(
      cookies.organiser!,
      "/materials/new",
      { ...fields(), target: `event:${shimane}` },
      { name: "a.pdf", bytes: PDF },
    );
    expect(await elsewhere.text()).toContain("お探しのものが見つかりません");
    expect(await counts()).toEqual(before);
    const secretary = await upload(cookies.secretary!, "/materials/new", fields(), {
      name: "a.pdf",
      bytes: PDF,
    });
    expect(secretary.status).toBe(403);
    const member = await upload(cookies.member!, "/materials/new", fields(), {
      name: "a.pdf",
      bytes: PDF,
    });
    expect([302, 403]).toContain(member.status);
    expect(await counts()).toEqual(before);
  });

  it("deletes a material and its stored file for the organiser, not for a secretary", async () => {
    const before = await counts();
    const made = await upload(
      cookies.organiser!,
      "/materials/new",
      { ...fields(), title: "資料-delete" },
      { name: "d.pdf", bytes: PDF },
    );
    expect(made.status).toBe(302);
    const row = await database.db
      .selectFrom("materials")
      .select(["id", "storage_key"])
      .where("title", "=", "資料-delete")
      .executeTakeFirstOrThrow();
    const remove = (who: string) =>
      fetch(`${app.url}/materials`, {
        method: "POST",
        headers: {
          Cookie: cookies[who]!,
          Origin: app.url,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ intent: "delete", material: String(row.id) }),
        redirect: "manual",
      });
    await remove("secretary");
    expect(await readdir(uploads)).toContain(row.storage_key);
    expect((await open("organiser", row.id)).status).toBe(200);
    expect(await (await remove("organiser")).text()).toContain("資料を削除しました");
    expect((await open("organiser", row.id)).status).toBe(404);
    expect(await readdir(uploads)).not.toContain(row.storage_key);
    expect(await counts()).toEqual(before);
  });
});
