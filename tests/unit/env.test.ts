import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EnvError, parseEnv, SETTINGS } from "../../app/env.server";

/**
 * The settings: every one parsed in app/env.server.ts, a wrong one named in
 * Japanese at start, production refusing to start without APP_URL, and the
 * README's table and the code agreeing.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const names = Object.keys(SETTINGS);

function problemsOf(source: Record<string, string>): { name: string; message: string }[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
}

describe("settings", () => {
  it("with nothing set, every setting has its default", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.NODE_ENV).toBe("development");
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.UPLOAD_DIR).toBe(".data/uploads");
    expect(env.WEB_CONCURRENCY).toBe(1);
    expect(env.LOG_FORMAT).toBe("text");
    expect(env.SHUTDOWN_TIMEOUT).toBe(20);
    expect(env.RUN_WORKER).toBe(true);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.warnings).toEqual([]);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["NODE_ENV", "prod"],
    ["DATABASE_URL", "mysql://localhost/x"],
    ["SMTP_URL", "mail.example.jp"],
    ["APP_URL", "events.example.jp"],
    ["WEB_CONCURRENCY", "0"],
    ["LOG_FORMAT", "xml"],
    ["SHUTDOWN_TIMEOUT", "-1"],
    ["RUN_WORKER", "yes"],
    ["EMBEDDED_PG_PORT", "x"],
  ])("a wrong %s (%s) is refused with a Japanese message naming it", (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.name).toBe(name);
    expect(problems[0]?.message).toMatch(new RegExp(`^${name} は.+(してください)`));
  });

  it("never shows a secret's value in its message", () => {
    const [problem] = problemsOf({ DATABASE_URL: "mysql://user:hunter2@db/x" });
    expect(problem?.message).not.toContain("hunter2");
  });

  it("several wrong settings are all named at once", () => {
    expect(problemsOf({ PORT: "x", LOG_FORMAT: "xml" }).map((p) => p.name)).toEqual([
      "PORT",
      "LOG_FORMAT",
    ]);
  });

  it("production refuses to start without APP_URL, and warns when it is not https", () => {
    const [problem] = problemsOf({ NODE_ENV: "production" });
    expect(problem?.name).toBe("APP_URL");
    expect(problem?.message).toContain("本番環境");
    const http = parseEnv({ NODE_ENV: "production", APP_URL: "http://events.example.jp" });
    expect(http.warnings.join()).toContain("https ではありません");
    const https = parseEnv({ NODE_ENV: "production", APP_URL: "https://events.example.jp/" });
    expect(https.warnings).toEqual([]);
    expect(https.APP_URL).toBe("https://events.example.jp");
  });

  it("the README's table lists every setting, and only those", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Settings"));
    const listed = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...names].sort());
  });

  it("no code outside app/env.server.ts reads a setting from process.env, scripts included", () => {
    // Knobs of the developer tools, not settings of the app: the benchmarks'
    // sizes (scripts/bench), the image test's server, and the system's own.
    const toolKnob = (name: string) =>
      /^BENCH_[A-Z0-9_]+$/.test(name) || ["TEST_IMAGE_DATABASE", "PATH", "NODE_ENV"].includes(name);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const file = path.join(dir, entry);
        if (statSync(file).isDirectory()) walk(file);
        else if (
          /\.[cm]?[jt]sx?$/.test(entry) &&
          !file.endsWith(path.join("app", "env.server.ts"))
        ) {
          const text = readFileSync(file, "utf8");
          for (const m of text.matchAll(
            /process\.env\.([A-Za-z0-9_]+)|process\.env\[["']([A-Za-z0-9_]+)|\{([^}]*)\}\s*=\s*process\.env\b/g,
          )) {
            const read = m[3]
              ? m[3].split(",").map((n) => n.trim().split(/[\s:=]/)[0] ?? "")
              : [m[1] ?? m[2] ?? ""];
            for (const name of read.filter(Boolean)) {
              // a setting is parsed once, in app/env.server.ts; anything else read
              // from the environment is a setting that escaped it
              if (names.includes(name) ? name !== "NODE_ENV" : !toolKnob(name))
                offenders.push(`${path.relative(root, file)}: ${name}`);
            }
          }
        }
      }
    };
    for (const dir of ["app", "db", "emails", "scripts", "deploy"]) {
      if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
    }
    for (const file of ["remix.config.js", "vitest.config.ts"]) {
      const text = readFileSync(path.join(root, file), "utf8");
      for (const m of text.matchAll(/process\.env\.([A-Za-z0-9_]+)/g))
        offenders.push(`${file}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });

  it("start:prod with a wrong setting stops at once with the message, exit code 1", async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "scripts/start-prod.ts"],
        {
          cwd: root,
          env: { PATH: process.env.PATH, PORT: "http", NODE_ENV: "production" },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("PORT は 1〜65535 のポート番号を指定してください。");
    expect(result.output).toContain('(値: "http")');
    expect(result.output).not.toMatch(/at .*\.ts:\d+/);
  });
});
