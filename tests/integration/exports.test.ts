import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import {
  CONSENT,
  browserLike,
  createMember,
  signIn,
  registrationInput,
} from "../support/factories";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof startTestApp>>;
let eventId: number;
let courseIds: Record<string, number>;
let organiser: ReturnType<typeof browserLike>;

const SLUG = "kenshukai-20";
const hasPdfToText = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The people of the tests, in 五十音 order of their フリガナ (カ before ガ before キ). */
const PEOPLE = [
  { family: "阿部", kana: "アベ", union: "koriyama-shi", dietary: "-1", course: "bunkakai-1" },
  {
    family: "伊藤",
    kana: "イトウ",
    union: "koriyama-shi",
    dietary: "\tタブ",
    course: "bunkakai-2",
  },
  { family: "加藤", kana: "カトウ", union: "aizuwakamatsu-shi", dietary: "", course: "bunkakai-1" },
  { family: "蒲生", kana: "ガモウ", union: "koriyama-shi", dietary: "", course: "bunkakai-2" },
  {
    family: "佐藤",
    kana: "サトウ",
    union: "fukushima-shi",
    dietary: "@SUM(A1)",
    course: "bunkakai-1",
  },
  {
    family: "髙橋",
    kana: "タカハシ",
    union: "fukushima-shi",
    dietary: '=HYPERLINK("http://x")',
    course: "bunkakai-2",
  },
  {
    family: "山﨑",
    kana: "ヤマサキ",
    union: "aizuwakamatsu-shi",
    dietary: "+81 90",
    course: "bunkakai-1",
  },
  {
    family: "渡部",
    kana: "ワタナベ",
    union: "koriyama-shi",
    dietary: "",
    accessibility: "車いす♿",
    course: "bunkakai-1",
  },
] as const;
const KANA_ORDER = PEOPLE.map((p) => p.family);

async function staff(email: string) {
  const person = await database.db
    .selectFrom("people")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return browserLike(app.url, await signIn(database.db, person.id));
}

/** A minimal CSV reader: quoted fields, "" escapes, CRLF records, LF kept inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  return rows;
}

const COLUMNS = ["name", "kana", "union", "dietary", "accessibility", "ticket_code"];
const columnsQuery = COLUMNS.map((c) => `columns=${c}`).join("&");

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await loadDemoData(db);
  app = await startTestApp(db);
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("slug", "=", SLUG)
    .executeTakeFirstOrThrow();
  eventId = event.id;
  const courses = await db
    .selectFrom("courses")
    .select(["id", "key"])
    .where("event_id", "=", eventId)
    .execute();
  courseIds = Object.fromEntries(courses.map((c) => [c.key, c.id]));
  const question = await db
    .selectFrom("event_questions")
    .select("id")
    .where("event_id", "=", eventId)
    .where("label", "=", "レポート発表の有無")
    .executeTakeFirstOrThrow();
  for (const p of PEOPLE) {
    const member = await createMember(db, { union: p.union, familyName: p.family, kana: p.kana });
    await register(db, {
      slug: SLUG,
      personId: member.id,
      appUrl: "http://localhost",
      consent: CONSENT,
      input: registrationInput(courseIds[p.course]!, {
        answers: { [String(question.id)]: "発表しない" },
        dietaryNeeds: p.dietary,
        accessibilityNeeds: "accessibility" in p ? p.accessibility : "",
      }),
    });
  }
  organiser = await staff("organiser@example.jp");
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("attendee exports", () => {
  it("a UTF-8 CSV starts with a BOM, keeps 髙橋 and 山﨑, is in 五十音 order and neutralises formula cells", async () => {
    const response = await organiser.get(
      `/admin/events/${eventId}/export.csv?encoding=utf8&${columnsQuery}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename=".*\.csv"/);
    expect(response.headers.get("x-row-count")).toBe(String(PEOPLE.length));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(iconv.decode(bytes, "utf8").replace(/^\uFEFF/, ""));
    expect(rows[0]).toEqual([
      "氏名",
      "フリガナ",
      "単組",
      "食事の配慮",
      "配慮が必要なこと",
      "受付番号",
    ]);
    const body = rows.slice(1);
    expect(body.map((r) => r[0]!.split(" ")[0])).toEqual(KANA_ORDER);
    const dietary = Object.fromEntries(body.map((r) => [r[0]!.split(" ")[0], r[3]]));
    expect(dietary["髙橋"]).toBe(`'=HYPERLINK("http://x")`);
    expect(dietary["山﨑"]).toBe("'+81 90");
    expect(dietary["阿部"]).toBe("'-1");
    expect(dietary["佐藤"]).toBe("'@SUM(A1)");
    expect(dietary["伊藤"]).toBe("'\tタブ");
    expect(dietary["加藤"]).toBe("");
    expect(body.find((r) => r[0]!.startsWith("渡部"))?.[4]).toBe("車いす♿");
    expect(body.find((r) => r[0]!.startsWith("髙橋"))?.[2]).toBe("福島市職員労働組合");
  });

  it("a Shift_JIS CSV is refused until the page has listed 髙橋 and 山﨑, then decodes with 高 and 崎", async () => {
    const page = await organiser.get(
      `/admin/events/${eventId}/export?format=csv&encoding=sjis&${columnsQuery}`,
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Shift_JISでは表せない文字が");
    expect(html).toContain("髙橋 太郎");
    expect(html).toContain("山﨑 太郎");
    expect(html).toContain("髙 → 高");
    expect(html).toContain("﨑 → 崎");
    expect(html).toContain("♿ → 〓");
    const ack = html.match(/ack=([0-9a-f]{16})/)?.[1];
    expect(ack).toBeTruthy();

    const refused = await organiser.get(
      `/admin/events/${eventId}/export.csv?encoding=sjis&${columnsQuery}`,
    );
    expect(refused.status).toBe(409);
    const message = await refused.text();
    expect(message).toContain("Shift_JISでは表せない文字");
    expect(message).toContain("髙橋");

    const response = await organiser.get(
      `/admin/events/${eventId}/export.csv?encoding=sjis&${columnsQuery}&ack=${ack}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("Shift_JIS");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    const text = iconv.decode(bytes, "cp932");
    expect(text).not.toContain("?");
    const rows = parseCsv(text);
    expect(rows[0]?.[1]).toBe("フリガナ");
    const body = rows.slice(1);
    expect(body.map((r) => r[0]!.split(" ")[0])).toEqual(
      KANA_ORDER.map((n) => n.replace("髙", "高").replace("﨑", "崎")),
    );
    expect(body.map((r) => r[1]!.split(" ")[0])).toEqual(PEOPLE.map((p) => p.kana));
    const dietary = Object.fromEntries(body.map((r) => [r[0]!.split(" ")[0], r[3]]));
    expect(dietary["高橋"]).toBe(`'=HYPERLINK("http://x")`);
    expect(dietary["山崎"]).toBe("'+81 90");
    expect(dietary["阿部"]).toBe("'-1");
    expect(dietary["佐藤"]).toBe("'@SUM(A1)");
    expect(dietary["伊藤"]).toBe("'\tタブ");
    expect(body.find((r) => r[0]!.startsWith("渡部"))?.[4]).toBe("車いす〓");
    expect(body.find((r) => r[0]!.startsWith("高橋"))?.[2]).toBe("福島市職員労働組合");
  });

  it("a Shift_JIS CSV with nothing to replace downloads without any confirmation", async () => {
    const response = await organiser.get(
      `/admin/events/${eventId}/export.csv?encoding=sjis&columns=kana&columns=union`,
    );
    expect(response.status).toBe(200);
    const rows = parseCsv(iconv.decode(Buffer.from(await response.arrayBuffer()), "cp932"));
    expect(rows.slice(1).map((r) => r[0])).toEqual(PEOPLE.map((p) => `${p.kana} タロウ`));
  });

  it("the XLSX has a bold header row, the first row frozen, column widths, and formulas kept as text", async () => {
    const response = await organiser.get(
      `/admin/events/${eventId}/export.xlsx?${columnsQuery}&columns=registered_at`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("spreadsheetml");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "氏名",
      "フリガナ",
      "単組",
      "食事の配慮",
      "配慮が必要なこと",
      "受付番号",
      "申込日時",
    ]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.getColumn(1).width).toBeGreaterThan(10);
    expect(sheet.rowCount).toBe(PEOPLE.length + 1);
    const names = [];
    for (let r = 2; r <= sheet.rowCount; r++)
      names.push(String(sheet.getCell(r, 1).value).split(" ")[0]);
    expect(names).toEqual(KANA_ORDER);
    const takahashi = KANA_ORDER.indexOf("髙橋") + 2;
    const formulaCell = sheet.getCell(takahashi, 4);
    expect(formulaCell.type).toBe(ExcelJS.ValueType.String);
    expect(formulaCell.value).toBe('=HYPERLINK("http://x")');
    expect(sheet.getCell(takahashi, 7).value).toBeInstanceOf(Date);
  });

  it.skipIf(!hasPdfToText)(
    "the reception list PDF has the names in フリガナ order, grouped by union when asked",
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "export-pdf-"));
      try {
        const text = async (query: string) => {
          const response = await organiser.get(`/admin/events/${eventId}/export.pdf?${query}`);
          expect(response.status).toBe(200);
          expect(response.headers.get("content-type")).toBe("application/pdf");
          const file = path.join(dir, "out.pdf");
          writeFileSync(file, Buffer.from(await response.arrayBuffer()));
          return execFileSync("pdftotext", ["-layout", file, "-"]).toString("utf8");
        };
        const roster = await text("kind=roster&group=none");
        expect(roster).toContain("受付名簿");
        const positions = KANA_ORDER.map((n) => roster.indexOf(`${n} 太郎`));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);

        const byUnion = await text("kind=roster&group=union");
        expect(byUnion).toContain("単組: 福島市職員労働組合");
        expect(byUnion).toContain("単組: 郡山市職員労働組合");
        const fukushima = byUnion.indexOf("単組: 福島市職員労働組合");
        const after = byUnion.slice(fukushima);
        expect(after.indexOf("佐藤 太郎")).toBeLessThan(after.indexOf("髙橋 太郎"));

        const badges = await text("kind=badges");
        expect(badges).toContain("髙橋 太郎");
        expect(badges).toContain("タカハシ タロウ");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("without a Japanese font, the PDF answers 503 with what to install", async () => {
    const saved = process.env.PDF_FONT_PATH;
    process.env.PDF_FONT_PATH = "/nonexistent/NotoSansCJK-Regular.ttc";
    try {
      const response = await organiser.get(`/admin/events/${eventId}/export.pdf?kind=roster`);
      expect(response.status).toBe(503);
      const message = await response.text();
      expect(message).toContain("日本語フォント");
      expect(message).toContain("fonts-noto-cjk");
    } finally {
      if (saved === undefined) delete process.env.PDF_FONT_PATH;
      else process.env.PDF_FONT_PATH = saved;
    }
  });

  it("a 単組 secretary's export holds only their union, whatever union the query names", async () => {
    const secretary = await staff("secretary@example.jp");
    const koriyama = await database.db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "koriyama-shi")
      .executeTakeFirstOrThrow();
    for (const query of ["", `&union=${koriyama.id}`]) {
      const response = await secretary.get(
        `/admin/events/${eventId}/export.csv?columns=name&columns=union${query}`,
      );
      expect(response.status).toBe(200);
      const rows = parseCsv((await response.text()).replace(/^\uFEFF/, "")).slice(1);
      if (query === "") {
        expect(rows.map((r) => r[0])).toEqual(["佐藤 太郎", "髙橋 太郎"]);
      } else {
        expect(rows).toEqual([]);
      }
      expect(rows.every((r) => r[1] === "福島市職員労働組合")).toBe(true);
    }
    const xlsx = await secretary.get(`/admin/events/${eventId}/export.xlsx?columns=name`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    expect(workbook.worksheets[0]!.rowCount).toBe(3);
  });

  it("filters by course and status like the attendee list, for a course facilitator's list", async () => {
    const response = await organiser.get(
      `/admin/events/${eventId}/export.csv?columns=name&columns=course&course=${courseIds["bunkakai-2"]}&status=confirmed`,
    );
    const rows = parseCsv((await response.text()).replace(/^\uFEFF/, "")).slice(1);
    expect(rows.map((r) => r[0])).toEqual(["伊藤 太郎", "蒲生 太郎", "髙橋 太郎"]);
    expect(rows.every((r) => r[1]?.startsWith("第2分科会"))).toBe(true);
    const page = await (await organiser.get(`/admin/events/${eventId}/export`)).text();
    expect(page).toContain("コース・分科会ごとの名簿");
    expect(page).toContain(`course=${courseIds["bunkakai-2"]}`);
    // the filters offer the event's courses and the unions
    expect(page).toMatch(new RegExp(`<option value="${courseIds["bunkakai-2"]}">第2分科会`));
    expect(page).toMatch(/<select name="union">.*?<option value="\d+">郡山市職員労働組合</);
  });

  it("an organiser of another event and a reception account get 404", async () => {
    const { db } = database;
    const other = await db
      .insertInto("people")
      .values({
        email: "other.organiser@example.jp",
        role: "organiser",
        family_name: "別",
        given_name: "担当",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const elsewhere = await db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", "zenkoku-40-shimane")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("event_staff")
      .values({ event_id: elsewhere.id, person_id: other.id, role: "organiser" })
      .execute();
    const otherClient = browserLike(app.url, await signIn(db, other.id));
    const reception = await staff("reception@example.jp");
    for (const client of [otherClient, reception]) {
      for (const url of [
        `/admin/events/${eventId}/export`,
        `/admin/events/${eventId}/export.csv`,
        `/admin/events/${eventId}/export.xlsx`,
        `/admin/events/${eventId}/export.pdf?kind=badges`,
      ]) {
        expect((await client.get(url)).status, url).toBe(404);
      }
    }
  });

  it("every export is recorded in the audit log with who, the format and the row count", async () => {
    const before = await database.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("action", "=", "export")
      .executeTakeFirstOrThrow();
    const response = await organiser.get(
      `/admin/events/${eventId}/export.xlsx?columns=name&status=confirmed`,
    );
    await response.arrayBuffer();
    const entries = await database.db
      .selectFrom("audit_log")
      .innerJoin("people", "people.id", "audit_log.actor_person_id")
      .select(["audit_log.event_id", "audit_log.detail", "people.email"])
      .where("action", "=", "export")
      .orderBy("audit_log.id", "desc")
      .execute();
    expect(entries.length).toBe(Number(before.n) + 1);
    expect(entries[0]).toMatchObject({
      event_id: eventId,
      email: "organiser@example.jp",
      detail: {
        format: "xlsx",
        rows: PEOPLE.length,
        completed: true,
        filter: { status: "confirmed" },
      },
    });
    const formats = new Set(entries.map((e) => (e.detail as { format: string }).format));
    expect(formats).toContain("csv");
  });

  it("an organiser saves a column preset, finds it checked again, and deletes it", async () => {
    const empty = await organiser.post(`/admin/events/${eventId}/export?format=csv`, {
      intent: "save_preset",
      name: "",
      scope: "event",
      columns: ["name"],
    });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain("プリセット名を入力してください");

    const noColumns = await organiser.post(`/admin/events/${eventId}/export`, {
      intent: "save_preset",
      name: "空",
      scope: "event",
    });
    expect(await noColumns.text()).toContain("出力する項目を1つ以上選んでください");

    const question = await database.db
      .selectFrom("event_questions")
      .select("id")
      .where("event_id", "=", eventId)
      .orderBy("position")
      .executeTakeFirstOrThrow();
    const saved = await organiser.post(`/admin/events/${eventId}/export`, {
      intent: "save_preset",
      name: "分科会担当者用",
      scope: "all",
      format: "csv",
      columns: ["name", "kana", `q:${question.id}`, "dietary"],
    });
    expect(saved.status).toBe(302);
    const location = saved.headers.get("location")!;
    expect(location).toContain("done=saved");
    const row = await database.db
      .selectFrom("export_presets")
      .select(["id", "event_id", "columns"])
      .where("name", "=", "分科会担当者用")
      .executeTakeFirstOrThrow();
    expect(row.event_id).toBeNull();
    expect(row.columns).toEqual(["name", "kana", "questions", "dietary"]);

    const page = await (
      await organiser.get(`/admin/events/${eventId}/export?preset=${row.id}`)
    ).text();
    expect(page).toContain("分科会担当者用");
    expect(page).toMatch(new RegExp(`checked="" value="q:${question.id}"`));
    expect(page).toMatch(/checked="" value="dietary"/);
    expect(page).not.toMatch(/checked="" value="union"/);

    // the same name again replaces the columns
    await organiser.post(`/admin/events/${eventId}/export`, {
      intent: "save_preset",
      name: "分科会担当者用",
      scope: "all",
      columns: ["name"],
    });
    const replaced = await database.db
      .selectFrom("export_presets")
      .select("columns")
      .where("name", "=", "分科会担当者用")
      .execute();
    expect(replaced.map((r) => r.columns)).toEqual([["name"]]);

    // someone else cannot delete it
    const secretary = await staff("secretary@example.jp");
    const theirs = await secretary.post(`/admin/events/${eventId}/export`, {
      intent: "delete_preset",
      preset_id: String(row.id),
    });
    expect(await theirs.text()).toContain("見つかりません");
    const deleted = await organiser.post(`/admin/events/${eventId}/export`, {
      intent: "delete_preset",
      preset_id: String(row.id),
    });
    expect(deleted.status).toBe(302);
    const left = await database.db.selectFrom("export_presets").select("id").execute();
    expect(left).toEqual([]);
  });
});

describe("the sessions column", () => {
  it("lists each person's sessions in the order they start, the optional ones they chose included", async () => {
    const sessions = await database.db
      .selectFrom("event_sessions")
      .select(["id", "key"])
      .where("event_id", "=", eventId)
      .execute();
    const sessionId = (key: string) => sessions.find((s) => s.key === key)!.id;
    const member = await createMember(database.db, {
      union: "fukushima-shi",
      familyName: "和田",
      kana: "ワダ",
    });
    await register(database.db, {
      slug: SLUG,
      personId: member.id,
      appUrl: "http://localhost",
      consent: CONSENT,
      input: registrationInput(courseIds["bunkakai-1"]!, {
        optionalSessionIds: [sessionId("dinner"), sessionId("lodging")],
        answers: {},
      }),
    });
    const response = await organiser.get(
      `/admin/events/${eventId}/export.csv?encoding=utf8&columns=name&columns=sessions`,
    );
    expect(response.status).toBe(200);
    const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
    expect(rows[0]).toEqual(["氏名", "参加する日程・企画"]);
    const byName = Object.fromEntries(rows.slice(1).map((r) => [r[0]!.split(" ")[0], r[1]]));
    // 宿泊 starts at 15:00, before the 分科会 at 15:45
    expect(byName["和田"]).toBe(
      "全体会(基調提起・記念講演)、宿泊(1日目泊)、分科会、夕食交流会、全体会(分科会報告・まとめ)",
    );
    for (const family of KANA_ORDER) {
      expect(byName[family]).toBe("全体会(基調提起・記念講演)、分科会、全体会(分科会報告・まとめ)");
    }
  });
});
