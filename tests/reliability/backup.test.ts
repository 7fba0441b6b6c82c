import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { inject } from "vitest";
import { installQueue } from "../../app/domain/mailer.server";
import { register } from "../../app/domain/registrations.server";
import { createDb, type Database, migrateToLatest } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { findTool, serverMajor } from "../../scripts/pg-tools";
import { startTestApp } from "../support/app";
import {
  CONSENT,
  createMember,
  eventIdOf,
  signIn,
  signInAs,
  registrationInput,
} from "../support/factories";
import { databaseUrl } from "../support/urls";

/**
 * `npm run db:backup` and `npm run db:restore FILE`, end to end: a database
 * with registrations and an uploaded file is backed up, restored into a new
 * empty database and a new upload folder, and the app on the restored copy
 * serves the same attendees, tickets and file. A restore into a database
 * that is not empty is refused and changes nothing.
 *
 * pg_dump must be of the server's version: the tests' own server when a
 * matching pg_dump is installed, else the PostgreSQL server at
 * 127.0.0.1:5432 (the embedded PostgreSQL 18 ships no pg_dump).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SLUG = "kenshukai-20";
const FILE = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  randomBytes(3000),
  Buffer.from("\n%%EOF\n"),
]);

async function chooseServer(): Promise<string | undefined> {
  for (const url of [inject("adminUrl"), "postgres://postgres@127.0.0.1:5432/postgres"]) {
    try {
      findTool("pg_dump", await serverMajor(url));
      return url;
    } catch {
      // no server there, or no pg_dump for it
    }
  }
  return undefined;
}

const server = await chooseServer();
if (!server) console.warn("no PostgreSQL server with a matching pg_dump: backup test skipped");

const work = mkdtempSync(path.join(os.tmpdir(), "jichiken-backup-"));
const dirs = {
  backups: path.join(work, "backups"),
  uploadsA: path.join(work, "uploads-a"),
  uploadsB: path.join(work, "uploads-b"),
};
const created: string[] = [];
let admin: Database;

async function newDatabase(): Promise<{ url: string; db: Database }> {
  const name = `jichiken_backup_${randomBytes(5).toString("hex")}`;
  await sql.raw(`create database ${name} template template0`).execute(admin);
  created.push(name);
  const url = databaseUrl(server!, name);
  return { url, db: createDb(url) };
}

function run(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        cwd: root,
        env: { ...process.env, NODE_ENV: "production", APP_URL: "https://x.example.jp", ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

beforeAll(() => {
  if (server) admin = createDb(server, { max: 1 });
});
afterAll(async () => {
  if (!server) return;
  for (const name of created)
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin);
  await admin.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!server)("backup and restore", () => {
  it("backs up registrations and uploads, restores them into an empty database, and the app serves the same attendees, tickets and files", async () => {
    // The site to back up: demo data, three registrations, one uploaded file.
    const source = await newDatabase();
    await migrateToLatest(source.db);
    await installQueue(source.url);
    await loadDemoData(source.db);
    const eventId = await eventIdOf(source.db, SLUG);
    await source.db
      .updateTable("events")
      .set({ capacity: null })
      .where("id", "=", eventId)
      .execute();
    await source.db
      .updateTable("courses")
      .set({ capacity: null })
      .where("event_id", "=", eventId)
      .execute();
    const course = await source.db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", eventId)
      .executeTakeFirstOrThrow();
    const members: { cookie: string; name: string; code: string }[] = [];
    for (const name of ["復元", "保全", "控え"]) {
      const m = await createMember(source.db, { familyName: name, kana: "フクゲン" });
      const r = await register(source.db, {
        slug: SLUG,
        personId: m.id,
        input: registrationInput(course.id),
        appUrl: "https://x.example.jp",
        consent: CONSENT,
      });
      const row = await source.db
        .selectFrom("registrations")
        .select("ticket_code")
        .where("id", "=", r.id)
        .executeTakeFirstOrThrow();
      members.push({ cookie: await signIn(source.db, m.id), name, code: row.ticket_code });
    }
    const organiser = await signInAs(source.db, "organiser@example.jp");

    process.env.UPLOAD_DIR = dirs.uploadsA;
    const before = await startTestApp(source.db);
    const form = new FormData();
    form.append("title", "復元される資料");
    form.append("target", `event:${eventId}`);
    form.append("kind", "file");
    form.append("visibility", "members");
    form.append(
      "file",
      new Blob([new Uint8Array(FILE)], { type: "application/pdf" }),
      "shiryo.pdf",
    );
    const uploaded = await fetch(`${before.url}/materials/new`, {
      method: "POST",
      headers: { Cookie: organiser, Origin: before.url },
      body: form,
      redirect: "manual",
    });
    expect(uploaded.status).toBe(302);
    await before.close();
    const material = await source.db
      .selectFrom("materials")
      .select("id")
      .where("title", "=", "復元される資料")
      .executeTakeFirstOrThrow();

    // npm run db:backup
    const backup = await run("scripts/backup.ts", [], {
      DATABASE_URL: source.url,
      UPLOAD_DIR: dirs.uploadsA,
      BACKUP_DIR: dirs.backups,
    });
    expect(backup.code, backup.output).toBe(0);
    const files = readdirSync(dirs.backups);
    const dump = files.find((f) => /^jichiken-\d{8}-\d{6}Z\.dump$/.test(f));
    expect(dump, files.join(", ")).toBeDefined();
    expect(readFileSync(path.join(dirs.backups, dump!)).subarray(0, 5).toString()).toBe("PGDMP");
    expect(files).toContain(dump!.replace(/\.dump$/, ".uploads.tar"));
    await source.db.destroy();

    // npm run db:restore FILE, into a new empty database and a new upload folder
    const target = await newDatabase();
    const restore = await run("scripts/restore.ts", [path.join(dirs.backups, dump!)], {
      DATABASE_URL: target.url,
      UPLOAD_DIR: dirs.uploadsB,
    });
    expect(restore.code, restore.output).toBe(0);
    expect(existsSync(dirs.uploadsB)).toBe(true);

    // A second restore onto it is refused, and changes nothing.
    const registrationsBefore = await target.db.selectFrom("registrations").select("id").execute();
    const again = await run("scripts/restore.ts", [path.join(dirs.backups, dump!)], {
      DATABASE_URL: target.url,
      UPLOAD_DIR: path.join(work, "uploads-c"),
    });
    expect(again.code).toBe(1);
    expect(again.output).toContain("復元先のデータベースが空ではありません");
    expect(await target.db.selectFrom("registrations").select("id").execute()).toEqual(
      registrationsBefore,
    );

    // The app on the restored copy: same sessions, tickets, attendees and file.
    process.env.UPLOAD_DIR = dirs.uploadsB;
    const after = await startTestApp(target.db);
    try {
      for (const m of members) {
        const me = await fetch(`${after.url}/me`, { headers: { Cookie: m.cookie } });
        expect(me.status).toBe(200);
        expect(await me.text()).toContain(m.code);
      }
      const attendees = await fetch(`${after.url}/admin/events/${eventId}/attendees`, {
        headers: { Cookie: organiser },
      });
      expect(attendees.status).toBe(200);
      const html = await attendees.text();
      for (const m of members)
        expect(html).toMatch(new RegExp(`${m.name}(<!-- -->)? (<!-- -->)?太郎`));
      const file = await fetch(`${after.url}/materials/${material.id}`, {
        headers: { Cookie: members[0]!.cookie },
      });
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(FILE)).toBe(true);
    } finally {
      await after.close();
      await target.db.destroy();
    }
  });

  it("refuses with a clear message when no pg_dump of the server's version exists", () => {
    expect(() => findTool("pg_dump", 99, "/nonexistent")).toThrow(
      /PostgreSQL 99 のサーバーには 99 以上の pg_dump が必要です/,
    );
  });
});
