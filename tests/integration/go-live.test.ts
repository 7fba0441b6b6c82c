import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { hashPassword } from "../../app/domain/passwords.server";
import { DEMO_STAFF_PASSWORD } from "../../db/seed/demo-people";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike } from "../support/factories";
import { freePort, waitFor } from "../support/mail";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await database?.drop();
});

/** Runs a script of the project as the operator would, in production, on the test database. */
function run(script: string, args: string[], env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    ...env,
  };
  delete childEnv.SMTP_URL;
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** resolves when stdout holds `text`, rejects if the process ends first */
    waitFor: (text: string, timeoutMs = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" in 90 s: ${stdout}${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (stdout.includes(text)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on("data", check);
        check();
        void exited.then((code) => {
          clearTimeout(timer);
          if (!stdout.includes(text)) reject(new Error(`exited with ${code}: ${stdout}${stderr}`));
        });
      }),
  };
}

async function startProduction() {
  const port = await freePort();
  const app = run("scripts/start.ts", [], {
    PORT: String(port),
    APP_URL: `http://127.0.0.1:${port}`,
  });
  return { ...app, url: `http://127.0.0.1:${port}` };
}

const count = async (table: "people" | "events" | "organisations") =>
  (
    await database.db
      .selectFrom(table)
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow()
  ).n;

describe("going live", () => {
  it("a production start on an empty database loads no demo data and says how to create the first administrator", async () => {
    const app = await startProduction();
    await app.waitFor("自治研イベント: ");
    expect(app.output().stdout).toContain("npm run admin:create");
    expect(app.output().stdout).not.toContain("デモ用ログイン");
    expect(await count("people")).toBe(0);
    expect(await count("events")).toBe(0);
    const login = await browserLike(app.url).post("/admin/login", {
      email: "admin@example.jp",
      password: DEMO_STAFF_PASSWORD,
    });
    expect(login.headers.get("set-cookie")).toBeNull();

    // A connection left idle longer than Node's 5 s keep-alive still takes the
    // next request: the app outlasts a proxy's idle connection, so the proxy
    // never sends on a connection the app is closing (serverSettings).
    const socket = net.connect(Number(new URL(app.url).port), "127.0.0.1");
    let received = "";
    let closed = false;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
    });
    socket.on("close", () => {
      closed = true;
    });
    const answers = () => received.match(/^HTTP\/1\.1 \d+/gm) ?? [];
    const get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    socket.write(get);
    await waitFor(async () => answers().length === 1, { what: "the first answer" });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(closed).toBe(false);
    socket.write(get);
    await waitFor(async () => answers().length === 2 || closed, { what: "the second answer" });
    expect(answers()).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
    socket.destroy();

    app.child.kill("SIGTERM");
    await app.exited; // stopped (tsx may report 143 for SIGTERM)
  });

  it("npm run admin:create prints a one-time link valid 24 hours; run again, a new one and the old one stops working", async () => {
    const email = "jimukyoku@example.jp";
    const first = run("scripts/admin-create.ts", ["--", email], {
      APP_URL: "https://events.example.jp",
    });
    expect(await first.exited).toBe(0);
    const link1 = first
      .output()
      .stdout.match(/https:\/\/events\.example\.jp(\/admin\/set-password\?token=\S+)/)?.[1];
    expect(link1).toBeTruthy();
    expect(first.output().stdout).toContain("24時間");
    const second = run("scripts/admin-create.ts", [email], {
      APP_URL: "https://events.example.jp",
    });
    expect(await second.exited).toBe(0);
    const link2 = second.output().stdout.match(/(\/admin\/set-password\?token=\S+)/)?.[1];
    expect(link2).toBeTruthy();
    expect(link2).not.toBe(link1);
    const people = await database.db.selectFrom("people").select(["email", "role"]).execute();
    expect(people).toEqual([{ email, role: "admin" }]);
    const expires = await database.db
      .selectFrom("password_tokens")
      .select(sql<number>`extract(epoch from expires_at - created_at)::int`.as("s"))
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    expect(expires.s).toBe(24 * 3600);

    const app = await startTestApp(database.db);
    try {
      const client = browserLike(app.url);
      const password = "県本部の事務局は駅の東口";
      expect((await client.post(link1!, { password, confirm: password })).status).toBe(400);
      expect((await client.post(link2!, { password, confirm: password })).status).toBe(302);
      const login = await client.post("/admin/login", { email, password });
      expect(login.status).toBe(302);
      const admin = browserLike(app.url, login.headers.get("set-cookie")!.split(";")[0]);
      expect((await admin.get("/admin/staff")).status).toBe(200);
    } finally {
      await app.close();
    }
    const bad = run("scripts/admin-create.ts", ["not-an-address"], {
      APP_URL: "https://events.example.jp",
    });
    expect(await bad.exited).toBe(1);
    expect(bad.output().stderr).toContain("メールアドレスの形式が正しくありません");
  });

  it("refuses to start in production while any account still has a demo password, whatever its address", async () => {
    await database.db
      .insertInto("people")
      .values({
        email: "renamed-demo@example.jp",
        role: "organiser",
        password_hash: await hashPassword(DEMO_STAFF_PASSWORD),
      })
      .execute();
    const app = await startProduction();
    expect(await app.exited).toBe(1);
    expect(app.output().stderr).toContain("デモ用のパスワードのままのアカウントがあります");
    expect(app.output().stderr).toContain("renamed-demo@example.jp");
    expect(app.output().stdout).not.toContain("自治研イベント: ");
  });
});
