import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "./mail";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type ProdNode = {
  url: string;
  port: number;
  pid: number;
  output: () => string;
  /** SIGTERM; resolves with the exit code once the process has exited */
  stop: () => Promise<number | null>;
  kill: () => void;
};

/**
 * `npm run start:prod` as a real process (node --import tsx
 * scripts/start-prod.ts) on `port`, with the given settings on top of a
 * production environment. Resolves once it says it listens.
 */
export async function spawnProdNode(options: {
  port?: number;
  env: Record<string, string>;
  timeoutMs?: number;
}): Promise<ProdNode> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start-prod.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`start:prod did not listen in time:\n${output}`));
    }, options.timeoutMs ?? 120_000);
    const check = () => {
      if (output.includes("待ち受けています")) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`start:prod exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/**
 * A real Caddy (Debian's package) in front of the given app ports: round
 * robin, an active health check on /healthz every 200 ms, and retries of
 * requests that could not reach a node (a refused connection) on another,
 * for up to 30 s: on a loaded machine a slow /healthz can mark the live node
 * down while the other restarts (a request was lost so at 10 s, under the
 * whole suite). The same retry settings as deploy/Caddyfile, without TLS.
 */
export async function startCaddy(upstreamPorts: number[]): Promise<{
  url: string;
  port: number;
  stop: () => Promise<void>;
  output: () => string;
}> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "jichiken-caddy-"));
  const caddyfile = path.join(dir, "Caddyfile");
  writeFileSync(
    caddyfile,
    `{
	admin off
	auto_https off
}
:${port} {
	reverse_proxy ${upstreamPorts.map((p) => `127.0.0.1:${p}`).join(" ")} {
		lb_policy round_robin
		lb_try_duration 30s
		lb_try_interval 100ms
		health_uri /healthz
		health_interval 200ms
		health_timeout 5s
		fail_duration 2s
		transport http {
			keepalive 55s
			keepalive_idle_conns_per_host 32
		}
	}
}
`,
  );
  const child: ChildProcess = spawn(
    "caddy",
    ["run", "--config", caddyfile, "--adapter", "caddyfile"],
    {
      cwd: dir,
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH,
        HOME: dir,
        XDG_DATA_HOME: dir,
        XDG_CONFIG_HOME: dir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`caddy exited: ${output}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 20_000, what: "caddy to answer" },
  );
  return {
    url,
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when the command is on PATH. */
export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => {
    try {
      return statSync(path.join(dir, name)).isFile();
    } catch {
      return false;
    }
  });
}
