/**
 * `npm run db:restore FILE`: a backup of `npm run db:backup` into an empty
 * database (DATABASE_URL, or the embedded one), with pg_restore in one
 * transaction (all or nothing); then the uploads archive beside FILE, if
 * any, into UPLOAD_DIR. Refuses a database that already holds the app's
 * tables, and an UPLOAD_DIR that already holds files: a restore never
 * mixes two sites' data.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { envAtStart } from "../app/env.server";
import { openDatabase } from "./database";
import { connection, findTool, serverMajor, uploadsArchiveFor } from "./pg-tools";

const env = envAtStart();
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(
    file
      ? `バックアップファイル ${file} が見つかりません。`
      : "使い方: npm run db:restore -- .data/backups/jichiken-….dump",
  );
  process.exit(1);
}
const uploads = path.resolve(env.UPLOAD_DIR);
const archive = uploadsArchiveFor(path.resolve(file));
if (existsSync(archive) && existsSync(uploads) && readdirSync(uploads).length > 0) {
  console.error(`UPLOAD_DIR (${uploads}) が空ではありません。空のフォルダーに復元してください。`);
  process.exit(1);
}

const database = await openDatabase();
let failed = false;
try {
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  const [row] = await client<{ n: number }[]>`
    select count(*)::int as n from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema')
  `;
  await client.end({ timeout: 5 });
  if ((row?.n ?? 0) > 0)
    throw new Error(
      `復元先のデータベースが空ではありません(テーブルが ${row?.n} 個あります)。空のデータベースを作って DATABASE_URL に指定してください。`,
    );
  const major = await serverMajor(database.url);
  const pgRestore = findTool("pg_restore", major, env.PG_BIN_DIR);
  const { dbname, env: pgEnv } = connection(database.url);
  execFileSync(
    pgRestore,
    [
      "--no-owner",
      "--no-privileges",
      "--single-transaction",
      "--exit-on-error",
      `--dbname=${dbname}`,
      file,
    ],
    { env: pgEnv, stdio: ["ignore", "inherit", "inherit"] },
  );
  console.log(`データベースを復元しました: ${file}`);
  if (existsSync(archive)) {
    mkdirSync(uploads, { recursive: true });
    execFileSync("tar", ["-xf", archive, "-C", uploads], { stdio: "inherit" });
    console.log(`アップロードされたファイルを ${uploads} に復元しました。`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  failed = true;
} finally {
  await database.close();
}
process.exit(failed ? 1 : 0);
