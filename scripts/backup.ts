/**
 * `npm run db:backup`: the database (DATABASE_URL, or the embedded one under
 * ./.data/) as a pg_dump custom-format file, BACKUP_DIR/jichiken-<UTC time>.dump,
 * made by the pg_dump of the server's major version; and the uploaded files
 * (UPLOAD_DIR) beside it as jichiken-<UTC time>.uploads.tar. Restore both
 * with `npm run db:restore FILE`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { envAtStart } from "../app/env.server";
import { openDatabase } from "./database";
import { connection, findTool, serverMajor, uploadsArchiveFor } from "./pg-tools";

const env = envAtStart();
const database = await openDatabase();
let failed = false;
try {
  const major = await serverMajor(database.url);
  const pgDump = findTool("pg_dump", major, env.PG_BIN_DIR);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\..*$/, "")
    .replace("T", "-");
  const dir = path.resolve(env.BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `jichiken-${stamp}Z.dump`);
  const { dbname, env: pgEnv } = connection(database.url);
  try {
    execFileSync(pgDump, ["--format=custom", `--file=${file}`, `--dbname=${dbname}`], {
      env: pgEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw new Error(`pg_dump が失敗しました: ${String(error)}`);
  }
  console.log(
    `データベース: ${file} (${statSync(file).size} バイト, ${path.basename(pgDump)} ${major})`,
  );

  const uploads = path.resolve(env.UPLOAD_DIR);
  const archive = uploadsArchiveFor(file);
  if (existsSync(uploads)) {
    execFileSync("tar", ["-cf", archive, "-C", uploads, "."], { stdio: "inherit" });
    console.log(`アップロードされたファイル: ${archive}`);
  } else {
    console.log(`アップロードされたファイルはありません(${uploads} がありません)。`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  failed = true;
} finally {
  await database.close();
}
process.exit(failed ? 1 : 0);
