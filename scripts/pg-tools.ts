/**
 * What `db:backup` and `db:restore` share: the database they work on, and
 * PostgreSQL's own pg_dump / pg_restore of the server's major version
 * (docs/decisions/018-backups.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";

/** The server's major version (15, 16, 18…). */
export async function serverMajor(url: string): Promise<number> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<{ v: string }[]>`select current_setting('server_version_num') as v`;
    return Math.floor(Number(row?.v) / 10_000);
  } finally {
    await client.end({ timeout: 5 });
  }
}

function versionOf(binary: string): number | undefined {
  try {
    const out = execFileSync(binary, ["--version"], { encoding: "utf8" });
    const match = /\(PostgreSQL\) (\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * pg_dump or pg_restore of the server's major version: from PG_BIN_DIR,
 * Debian's /usr/lib/postgresql/N/bin, or PATH. A newer one is taken when no
 * equal one exists (it reads older servers); an older one never is (pg_dump
 * refuses a newer server). Throws a Japanese message saying what to install.
 */
export function findTool(tool: "pg_dump" | "pg_restore", major: number, binDir?: string): string {
  const candidates = [
    ...(binDir ? [path.join(binDir, tool)] : []),
    path.join("/usr/lib/postgresql", String(major), "bin", tool),
    ...(existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql").map((v) =>
          path.join("/usr/lib/postgresql", v, "bin", tool),
        )
      : []),
    ...(process.env.PATH ?? "").split(":").map((dir) => path.join(dir, tool)),
  ].filter((p, i, all) => existsSync(p) && all.indexOf(p) === i);
  const found = candidates.map((p) => ({ path: p, version: versionOf(p) }));
  const same = found.find((f) => f.version === major);
  if (same) return same.path;
  const newer = found
    .filter((f) => f.version !== undefined && f.version > major)
    .sort((a, b) => (a.version ?? 0) - (b.version ?? 0))[0];
  if (newer) return newer.path;
  const seen = found.length
    ? `見つかった ${tool}: ${found.map((f) => `${f.path} (${f.version ?? "?"})`).join(", ")}`
    : `${tool} が見つかりません`;
  throw new Error(
    `PostgreSQL ${major} のサーバーには ${major} 以上の ${tool} が必要です(${seen})。` +
      ` postgresql-client-${major} をインストールする(Debian/Ubuntu では apt.postgresql.org)か、PG_BIN_DIR にそのフォルダーを指定してください。`,
  );
}

/**
 * Connection settings for pg_dump / pg_restore: the URL without its
 * password on the command line, the password in PGPASSWORD (not visible in
 * the process list).
 */
export function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return {
    dbname: parsed.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

/** The uploads archive that goes with a dump: jichiken-….dump → jichiken-….uploads.tar */
export function uploadsArchiveFor(dumpFile: string): string {
  return `${dumpFile.replace(/\.dump$/, "")}.uploads.tar`;
}
