import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { freePort, runningServer, startEmbeddedPostgres } from "../../db/embedded";
import { createDb } from "../../db/index";
import { waitFor } from "../support/mail";

/**
 * Issue 14 (4) and (5): the embedded PostgreSQL of `npm start`.
 * - Two clones under folders closed to the postgres user, whose paths end the
 *   same, keep their own data (the cache folder is named from a hash of the
 *   full path).
 * - `kill -9` of the app leaves its PostgreSQL running; the next start finds
 *   it by its pid file and port and takes it over, and Ctrl-C then stops it:
 *   no postgres process is left, and nothing crashes on the way out.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const work = path.join(
  os.tmpdir(),
  `jichiken-embedded-${process.pid}-${randomBytes(3).toString("hex")}`,
);
const made: string[] = [work];
const children: ChildProcess[] = [];
const isRoot = process.getuid?.() === 0;

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
  }
  for (const dir of made) await fs.rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(isRoot)("two clones under closed folders whose paths end the same", () => {
  it("keep their own data", async () => {
    const clones = ["alice", "bob"].map((who) => path.join(work, who, "src", "jichiken"));
    for (const clone of clones) {
      await fs.mkdir(path.join(clone, ".data"), { recursive: true });
      await fs.chmod(path.dirname(path.dirname(clone)), 0o700);
    }
    const servers = [];
    for (const clone of clones) {
      const server = await startEmbeddedPostgres({
        dataDir: path.join(clone, ".data", "postgres"),
        persistent: true,
      });
      made.push(server.dataDir);
      servers.push(server);
    }
    try {
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      console.log(`two clones: ${a.dataDir} (port ${a.port}) / ${b.dataDir} (port ${b.port})`);
      expect(a.dataDir).not.toBe(b.dataDir);
      expect(a.pid).not.toBe(b.pid);
      const dbA = createDb(a.url, { max: 1 });
      const dbB = createDb(b.url, { max: 1 });
      await sql`create table only_in_alice (id int)`.execute(dbA);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_tables where tablename = 'only_in_alice'`.execute(dbB);
      expect(rows[0]?.n).toBe(0);
      await dbA.destroy();
      await dbB.destroy();
    } finally {
      for (const server of servers) await server.stop();
    }
  }, 120_000);
});

describe("kill -9 of the app, then Ctrl-C of the restarted app", () => {
  it("the restarted app takes over the PostgreSQL left behind, and Ctrl-C stops it: no postgres process is left", async () => {
    const dataDir = path.join(work, "app-data");
    await fs.mkdir(dataDir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: "development" };
    delete env.DATABASE_URL;
    const start = async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        cwd: root,
        env: { ...env, PORT: String(port) },
        detached: true, // a process group of its own, as a terminal gives `npm start`
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      const out = { text: "" };
      child.stdout?.on("data", (c: Buffer) => {
        out.text += c.toString("utf8");
      });
      child.stderr?.on("data", (c: Buffer) => {
        out.text += c.toString("utf8");
      });
      await waitFor(() => out.text.includes("Ctrl-C") || child.exitCode !== null, {
        timeoutMs: 90_000,
        what: "the app to start",
      });
      if (!out.text.includes("Ctrl-C")) throw new Error(`the app did not start: ${out.text}`);
      return { child, out };
    };
    const where = () => {
      const line = /データの保存先: (.+)/.exec(first.out.text)?.[1];
      if (!line) throw new Error(`no data folder printed: ${first.out.text}`);
      return line.trim();
    };

    const first = await start();
    const pgDir = where();
    made.push(pgDir);
    const orphan = runningServer(pgDir);
    expect(orphan).toBeDefined();
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect(alive(orphan!.pid), "PostgreSQL survives the app's kill -9").toBe(true);

    const started = Date.now();
    const second = await start();
    const startSeconds = (Date.now() - started) / 1000;
    expect(second.out.text).toContain("停止してから起動し直しました");
    expect(alive(orphan!.pid)).toBe(false);
    const adopted = runningServer(pgDir);
    expect(adopted).toBeDefined();

    // Ctrl-C: SIGINT to the whole process group, as a terminal sends it.
    process.kill(-second.child.pid!, "SIGINT");
    const code = await new Promise((r) => second.child.once("exit", r));
    await waitFor(() => !alive(adopted!.pid), { timeoutMs: 30_000, what: "PostgreSQL to stop" });
    const left = execFileSync("ps", ["-eo", "args"])
      .toString()
      .split("\n")
      .filter((l) => l.includes(pgDir));
    console.log(
      `kill -9 then Ctrl-C: orphan pid ${orphan!.pid} stopped and restarted as ${adopted!.pid} in a start of ${startSeconds.toFixed(1)} s; exit code ${code}; postgres processes left: ${left.length}`,
    );
    expect(code).toBe(0);
    expect(left).toEqual([]);
    expect(existsSync(path.join(pgDir, "postmaster.pid"))).toBe(false);
    const stopOutput = second.out.text.slice(second.out.text.indexOf("SIGINT"));
    expect(stopOutput).not.toMatch(/Unhandled|Error|error/);
    expect(stopOutput).toContain("停止しました。");
  }, 240_000);
});
