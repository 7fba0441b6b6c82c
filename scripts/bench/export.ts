/**
 * Benchmark of the attendee exports (not part of `npm test`):
 *
 *   npm run bench:export                 # 20,000 registrations
 *   BENCH_ROWS=50000 npm run bench:export
 *   BENCH_OUT=/tmp/out npm run bench:export   # also keep the files written
 *
 * Seeds a scratch database (on DATABASE_URL's server, or the embedded one)
 * with bulk SQL, then times the domain's streaming writers — CSV UTF-8 with
 * BOM, CSV Shift_JIS (its check pass and its writer), XLSX and the PDFs
 * (reception list and badges) — against PostgreSQL's own `COPY (select …) TO STDOUT` of the
 * same rows, and prints times, ratios and the memory each one added (RSS at
 * the start, and its peak while running). The scratch database is dropped at
 * the end.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import postgres from "postgres";
import {
  checkShiftJis,
  csvChunks,
  type ExportRun,
  pdfFileChunks,
  planExport,
  xlsxChunks,
} from "../../app/domain/exports.server";
import { findPdfFont } from "../../app/domain/export-pdf.server";
import { createDb, longReads, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { databaseUrl } from "../../tests/support/urls";
import { openDatabase } from "../database";
import { report } from "./support";

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const OUT = process.env.BENCH_OUT;
const SLUG = "kenshukai-20";
const COLUMNS = [
  "name",
  "kana",
  "union",
  "workplace",
  "email",
  "phone",
  "status",
  "course",
  "sessions",
  "questions",
  "dietary",
  "accessibility",
  "ticket_code",
  "registered_at",
  "checked_in_at",
];

type Result = { name: string; ms: number; bytes: number; rssStart: number; rssPeak: number };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs `produce`, counting the bytes it yields, sampling RSS every 10 ms. */
async function measure(
  name: string,
  produce: () => AsyncIterable<Uint8Array | Buffer | string>,
  file?: string,
): Promise<Result> {
  (globalThis as { gc?: () => void }).gc?.();
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 10);
  const out = OUT && file ? createWriteStream(path.join(OUT, file)) : null;
  const started = performance.now();
  let bytes = 0;
  for await (const chunk of produce()) {
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (out && !out.write(chunk))
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  const ms = performance.now() - started;
  clearInterval(timer);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  if (out) await new Promise<void>((resolve) => out.end(() => resolve()));
  return { name, ms, bytes, rssStart, rssPeak };
}

async function seed(db: ReturnType<typeof createDb>, eventId: number) {
  const started = performance.now();
  await sql`
    insert into people (email, family_name, given_name, family_name_kana, given_name_kana,
                        organisation_id, workplace, phone, profile_completed_at)
    select 'bench-' || i || '@example.jp',
           (array['佐藤','鈴木','髙橋','田中','渡辺','伊藤','山本','中村','小林','山﨑'])[1 + i % 10],
           (array['花子','一郎','健太','美咲','翔','陽菜','大輔','結衣'])[1 + i % 8],
           (array['サトウ','スズキ','タカハシ','タナカ','ワタナベ','イトウ','ヤマモト','ナカムラ','コバヤシ','ヤマサキ'])[1 + i % 10],
           (array['ハナコ','イチロウ','ケンタ','ミサキ','ショウ','ヒナ','ダイスケ','ユイ'])[1 + i % 8],
           (select id from organisations where kind = 'local_union' order by id offset (i % 3) limit 1),
           '市役所 第' || (i % 40) || '課',
           '090-' || lpad((i % 10000)::text, 4, '0') || '-' || lpad((i % 9973)::text, 4, '0'),
           now()
    from generate_series(1, ${ROWS}) as i`.execute(db);
  await sql`
    insert into registrations (event_id, person_id, status, ticket_secret, ticket_code, course_id,
                               dietary_needs, accessibility_needs, answers, confirmed_at, created_at)
    select ${eventId}, p.id,
           case when n % 20 = 0 then 'waitlisted' else 'confirmed' end,
           md5('s' || p.id) || md5('t' || p.id),
           'B' || lpad(n::text, 4, '0') || '-' || upper(substr(md5(p.id::text), 1, 4)) || '-' || upper(substr(md5(p.id::text), 5, 4)),
           (select id from courses where event_id = ${eventId} order by position offset (n % 4) limit 1),
           case when n % 50 = 0 then '=HYPERLINK("http://x")' when n % 7 = 0 then '卵アレルギー' else '' end,
           case when n % 31 = 0 then '車いすを使用' else '' end,
           (select jsonb_object_agg(q.id::text, '発表しない') from event_questions q where q.event_id = ${eventId} and q.kind = 'single'),
           now(), now() - (n || ' minutes')::interval
    from (select id, row_number() over (order by id) as n from people where email like 'bench-%') p`.execute(
    db,
  );
  await sql`
    insert into registration_sessions (registration_id, session_id)
    select r.id, s.id from registrations r
    join event_sessions s on s.event_id = r.event_id and not s.optional
    where r.event_id = ${eventId}`.execute(db);
  await sql`analyze`.execute(db);
  return performance.now() - started;
}

async function main() {
  const server = await openDatabase();
  const name = `jichiken_bench_${process.pid}`;
  await sql.raw(`create database ${name}`).execute(server.db);
  const url = databaseUrl(server.url, name);
  const db = createDb(url);
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrateToLatest(db);
    await loadDemoData(db);
    const event = await db
      .selectFrom("events")
      .select("id")
      .where("slug", "=", SLUG)
      .executeTakeFirstOrThrow();
    const admin = await db
      .selectFrom("people")
      .select("id")
      .where("role", "=", "admin")
      .executeTakeFirstOrThrow();
    const seeded = await seed(db, event.id);
    console.log(`seeded ${ROWS.toLocaleString()} registrations in ${(seeded / 1000).toFixed(1)} s`);
    if (OUT) mkdirSync(OUT, { recursive: true });

    const plan = await planExport(db, { eventId: event.id, columns: COLUMNS });
    // The files are read as the app reads them: on the long readers' pool
    // (app/domain/long-reads.server.ts), whose statements may run 15 minutes;
    // the main pool's 15 s cut the 20,000-row PDFs off.
    const lane = longReads(db).db;
    const run: ExportRun = { eventId: event.id, unionId: null, filter: {}, actorId: admin.id };
    const results: Result[] = [];

    // The baseline: PostgreSQL writing the same rows, joined, sorted and as CSV, by itself.
    results.push(
      await measure(
        "COPY … TO STDOUT (baseline)",
        async function* () {
          const stream = await raw`copy (
            select p.family_name || ' ' || p.given_name, p.family_name_kana || ' ' || p.given_name_kana,
                   o.name, p.workplace, p.email, p.phone, r.status,
                   case when c.id is null then null else trim(c.code || ' ' || c.title) end,
                   attended.titles,
                   r.answers, r.dietary_needs, r.accessibility_needs, r.ticket_code, r.created_at,
                   (select min(ci.checked_in_at) from checkins ci where ci.registration_id = r.id)
            from registrations r
            join people p on p.id = r.person_id
            left join organisations o on o.id = p.organisation_id
            left join courses c on c.id = r.course_id
            left join (select rs.registration_id,
                              string_agg(s.title, '、' order by s.starts_at, s.position, s.id) as titles
                         from registration_sessions rs join event_sessions s on s.id = rs.session_id
                        where s.event_id = ${raw.unsafe(String(Number(event.id)))}
                        group by rs.registration_id) attended on attended.registration_id = r.id
            where r.event_id = ${raw.unsafe(String(Number(event.id)))}
            order by p.family_name_kana collate "C", p.given_name_kana collate "C", r.id
          ) to stdout with (format csv, header)`.readable();
          yield* stream as AsyncIterable<Buffer>;
        },
        "baseline.csv",
      ),
    );
    results.push(
      await measure(
        "CSV UTF-8 (BOM)",
        () => csvChunks(lane, { ...run, ...plan, encoding: "utf8" }),
        "utf8.csv",
      ),
    );
    let problems = 0;
    results.push(
      await measure("Shift_JIS check (page, before download)", async function* () {
        const report = await checkShiftJis(lane, { scope: run, columns: plan.columns });
        problems = report.total;
        yield "";
      }),
    );
    results.push(
      await measure(
        "CSV Shift_JIS (writer)",
        () => csvChunks(lane, { ...run, ...plan, encoding: "sjis" }),
        "sjis.csv",
      ),
    );
    results.push(
      await measure(
        "XLSX (streaming WorkbookWriter)",
        () => xlsxChunks(lane, { ...run, ...plan }),
        "out.xlsx",
      ),
    );
    if (findPdfFont()) {
      results.push(
        await measure(
          "PDF 受付名簿 (by union)",
          () => pdfFileChunks(lane, { ...run, event: plan.event, kind: "roster", group: "union" }),
          "roster.pdf",
        ),
      );
      results.push(
        await measure(
          "PDF 名札 (QR per person)",
          () => pdfFileChunks(lane, { ...run, event: plan.event, kind: "badges", group: "none" }),
          "badges.pdf",
        ),
      );
    } else {
      console.log("(no Japanese font: the PDFs are left out)");
    }

    const base = results[0]!.ms;
    console.log(
      `\n${ROWS.toLocaleString()} rows, ${plan.columns.length} columns; Shift_JIS cells to replace: ${problems}\n`,
    );
    console.log(
      [
        "what".padEnd(42),
        "time".padStart(9),
        "× COPY".padStart(8),
        "size".padStart(10),
        "RSS at start".padStart(13),
        "added (peak)".padStart(13),
      ].join(""),
    );
    for (const r of results) {
      console.log(
        [
          r.name.padEnd(42),
          `${(r.ms / 1000).toFixed(2)} s`.padStart(9),
          `${(r.ms / base).toFixed(1)}`.padStart(8),
          (r.bytes > 0 ? mb(r.bytes) : "—").padStart(10),
          mb(r.rssStart).padStart(13),
          `+${mb(r.rssPeak - r.rssStart)}`.padStart(13),
        ].join(""),
      );
    }
    console.log(
      "\nRSS rarely shrinks between runs, so a later run's added memory is on top of what earlier runs kept.",
    );
    if (OUT) console.log(`files written to ${OUT}`);
    const find = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
    const utf8 = find("CSV UTF-8");
    const sjis = find("CSV Shift_JIS");
    const xlsx = find("XLSX");
    const copy = `${(base / 1000).toFixed(2)} s (COPY)`;
    if (utf8) {
      report({
        bench: "export",
        figure: `CSV UTF-8 of ${ROWS} rows`,
        product: `${(utf8.ms / 1000).toFixed(2)} s, +${mb(utf8.rssPeak - utf8.rssStart)}`,
        baseline: copy,
        ratio: utf8.ms / base,
        target: "≤ 3× and < 1 s; < 50 MB",
        met: utf8.ms <= 3 * base && utf8.ms < 1000 && utf8.rssPeak - utf8.rssStart < 50 * 2 ** 20,
      });
    }
    if (utf8 && sjis) {
      report({
        bench: "export",
        figure: "CSV Shift_JIS vs UTF-8",
        product: `${(sjis.ms / 1000).toFixed(2)} s`,
        baseline: `${(utf8.ms / 1000).toFixed(2)} s (UTF-8)`,
        ratio: sjis.ms / utf8.ms,
        target: "≤ 1.3× UTF-8",
        met: sjis.ms <= 1.3 * utf8.ms,
      });
    }
    if (xlsx) {
      report({
        bench: "export",
        figure: `XLSX of ${ROWS} rows`,
        product: `${(xlsx.ms / 1000).toFixed(2)} s, +${mb(xlsx.rssPeak - xlsx.rssStart)}`,
        baseline: copy,
        ratio: xlsx.ms / base,
        target: "< 3 s; < 150 MB",
        met: xlsx.ms < 3000 && xlsx.rssPeak - xlsx.rssStart < 150 * 2 ** 20,
      });
    }
  } finally {
    await raw.end();
    await db.destroy();
    await sql.raw(`drop database if exists ${name} with (force)`).execute(server.db);
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
