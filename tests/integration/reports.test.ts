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
let kenshukai: number;
let course4: number;
let author: { id: string; cookie: string };
let reader: string;
let organiser: string;

const PDF = Buffer.from("%PDF-1.4\n自治研レポート本文 report-bytes\n%%EOF\n");

beforeAll(async () => {
  uploads = await mkdtemp(path.join(os.tmpdir(), "jichiken-reports-"));
  process.env.UPLOAD_DIR = uploads;
  database = await createTestDatabase();
  await loadDemoData(database.db);
  app = await startTestApp(database.db);
  const { db } = database;
  kenshukai = await eventIdOf(db, "kenshukai-20");
  course4 = (
    await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", kenshukai)
      .where("key", "=", "bunkakai-4")
      .executeTakeFirstOrThrow()
  ).id;
  const a = await createMember(db);
  author = { id: a.id, cookie: await signIn(db, a.id) };
  reader = await signIn(db, (await createMember(db, { union: "koriyama-shi" })).id);
  organiser = await signInAs(db, "organiser@example.jp");
});
afterAll(async () => {
  await app.close();
  await database.drop();
  await rm(uploads, { recursive: true, force: true });
});

async function unionId(code = "fukushima-shi") {
  return (
    await database.db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", code)
      .executeTakeFirstOrThrow()
  ).id;
}

async function submit(fields: Record<string, string>, file?: { name: string; bytes: Buffer }) {
  const form = new FormData();
  const all = {
    event: String(kenshukai),
    title: "窓口DXで変わった市民課の一日",
    authors: "試験 太郎、福島 次郎",
    organisation_id: String(await unionId()),
    course: String(course4),
    ...fields,
  };
  for (const [k, v] of Object.entries(all)) form.append(k, v);
  if (file)
    form.append(
      "file",
      new Blob([new Uint8Array(file.bytes)], { type: "application/pdf" }),
      file.name,
    );
  return fetch(`${app.url}/reports/new`, {
    method: "POST",
    headers: { Cookie: author.cookie, Origin: app.url },
    body: form,
    redirect: "manual",
  });
}

function post(cookie: string, pathname: string, fields: Record<string, string>) {
  return fetch(app.url + pathname, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: app.url,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

function fileAs(cookie: string | null, id: number) {
  return fetch(`${app.url}/reports/${id}/file`, {
    headers: cookie ? { Cookie: cookie } : {},
    redirect: "manual",
  });
}

async function state() {
  const rows = await database.db
    .selectFrom("reports")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return { rows: Number(rows.n), files: (await readdir(uploads).catch(() => [])).length };
}

describe("submitting a report", () => {
  it("refuses a file that is not a PDF or Office file by its bytes, and writes nothing", async () => {
    const before = await state();
    const html = Buffer.from("<html><script>alert(1)</script></html>");
    const response = await submit({}, { name: "report.pdf", bytes: html });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("このファイル形式はアップロードできません");
    expect(await state()).toEqual(before);
  });

  it("refuses a file over 20 MB, and writes nothing", async () => {
    const before = await state();
    const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(21 * 1024 * 1024)]);
    const response = await submit({}, { name: "big.pdf", bytes: big });
    expect(await response.text()).toContain(
      "ファイルが大きすぎます。20MB以下のファイルを選んでください。",
    );
    expect(await state()).toEqual(before);
  });

  it("asks for the file, the title and the authors, in Japanese", async () => {
    const before = await state();
    const none = await (await submit({})).text();
    expect(none).toContain("ファイルを選択してください");
    const blank = await (
      await submit({ title: "", authors: "" }, { name: "r.pdf", bytes: PDF })
    ).text();
    expect(blank).toContain("レポートの題名を入力してください");
    expect(blank).toContain("執筆者を入力してください");
    const past = await eventIdOf(database.db, "kenshukai-19");
    const closed = await (
      await submit({ event: String(past), course: "" }, { name: "r.pdf", bytes: PDF })
    ).text();
    expect(closed).toContain("このイベントは現在レポートを受け付けていません");
    expect(await state()).toEqual(before);
  });

  it("takes a good report: stored under a random name, listed for the author, not yet public", async () => {
    const response = await submit({}, { name: "窓口DX.pdf", bytes: PDF });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/reports?submitted=1");
    const row = await database.db
      .selectFrom("reports")
      .selectAll()
      .where("title", "=", "窓口DXで変わった市民課の一日")
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("submitted");
    expect(row.requested_course_id).toBe(course4);
    expect(row.storage_key).toMatch(/^[0-9a-f]{32}$/);
    expect(await readdir(uploads)).toContain(row.storage_key);
    const mine = await (
      await fetch(`${app.url}/reports`, { headers: { Cookie: author.cookie } })
    ).text();
    expect(mine).toContain("あなたが提出したレポート");
    expect(mine).toContain("受付済み(審査中)");
    // Until it is accepted: the author and the organiser may open it; nobody else.
    expect((await fileAs(author.cookie, row.id)).status).toBe(200);
    expect((await fileAs(organiser, row.id)).status).toBe(200);
    expect((await fileAs(reader, row.id)).status).toBe(404);
    const anonymous = await fileAs(null, row.id);
    expect(anonymous.status).toBe(403);
    expect(Buffer.from(await anonymous.arrayBuffer()).includes("report-bytes")).toBe(false);
    expect(await (await fetch(`${app.url}/reports`)).text()).not.toContain(
      "窓口DXで変わった市民課の一日",
    );
  });
});

describe("the organiser's programme and awards", () => {
  it("accepts, assigns a 分科会, orders presentations and records an award; the public list shows them", async () => {
    const { db } = database;
    const first = await db
      .selectFrom("reports")
      .select("id")
      .where("title", "=", "窓口DXで変わった市民課の一日")
      .executeTakeFirstOrThrow();
    await submit(
      { title: "地域公共交通を守る単組の取り組み", course: "", file_public: "on" },
      { name: "b.pdf", bytes: PDF },
    );
    const second = await db
      .selectFrom("reports")
      .select("id")
      .where("title", "=", "地域公共交通を守る単組の取り組み")
      .executeTakeFirstOrThrow();
    const page = `/admin/reports/${kenshukai}`;
    const review = (id: number, award = "") =>
      post(organiser, page, {
        intent: "review",
        report: String(id),
        status: "accepted",
        course: String(course4),
        award,
      });
    expect(await (await review(first.id, "優秀賞")).text()).toContain("審査内容を保存しました");
    await review(second.id);
    const orders = async () =>
      (
        await db
          .selectFrom("reports")
          .select(["id", "presentation_order"])
          .where("course_id", "=", course4)
          .orderBy("presentation_order")
          .execute()
      ).map((r) => r.id);
    expect(await orders()).toEqual([first.id, second.id]);
    await post(organiser, page, { intent: "move", report: String(second.id), direction: "up" });
    expect(await orders()).toEqual([second.id, first.id]);

    const list = await (await fetch(`${app.url}/reports`)).text();
    const a = list.indexOf("地域公共交通を守る単組の取り組み");
    const b = list.indexOf("窓口DXで変わった市民課の一日");
    expect(a).toBeGreaterThan(-1);
    expect(b).toBeGreaterThan(a);
    expect(list).toContain("優秀賞");
    expect(list).toContain("第4分科会 単組レポート分科会");
    // The seed's 専門部会 reports at the 19th 県集会.
    expect(list).toContain("復興におけるまちづくりにかかわる職員の現状");

    // Files: members once accepted; everyone only where the author agreed.
    expect((await fileAs(reader, first.id)).status).toBe(200);
    expect((await fileAs(null, first.id)).status).toBe(403);
    const open = await fileAs(null, second.id);
    expect(open.status).toBe(200);
    expect(Buffer.from(await open.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it("lets only the event's admins and organisers review", async () => {
    const { db } = database;
    const secretary = await signInAs(db, "secretary@example.jp");
    expect(
      (await fetch(`${app.url}/admin/reports`, { headers: { Cookie: secretary } })).status,
    ).toBe(403);
    const listed = await (
      await fetch(`${app.url}/admin/reports`, { headers: { Cookie: organiser } })
    ).text();
    expect(listed).toContain("第20回地方自治研究福島県集会");
    expect(listed).not.toContain("第40回地方自治研究全国集会");
    const shimane = await eventIdOf(db, "zenkoku-40-shimane");
    expect(
      (await fetch(`${app.url}/admin/reports/${shimane}`, { headers: { Cookie: organiser } }))
        .status,
    ).toBe(404);
    const report = await db
      .selectFrom("reports")
      .select(["id", "status"])
      .where("event_id", "=", kenshukai)
      .where("status", "!=", "rejected")
      .executeTakeFirstOrThrow();
    const refused = await post(secretary, `/admin/reports/${kenshukai}`, {
      intent: "review",
      report: String(report.id),
      status: "rejected",
    });
    expect(refused.status).toBe(403);
    const after = await db
      .selectFrom("reports")
      .select("status")
      .where("id", "=", report.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe(report.status);
  });
});
