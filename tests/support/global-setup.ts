import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../db/embedded";
import { createDb, migrateToLatest } from "../../db/index";
import { installQueue } from "../../app/domain/mailer.server";
import { databaseUrl } from "./urls";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

/**
 * Once per `npm test`: a PostgreSQL (DATABASE_URL's server, or a throw-away
 * embedded one), a migrated template database that every test file clones,
 * and a fresh `remix build` for the tests that go through HTTP.
 */
export default async function setup(project: TestProject) {
  // The same production build that `npm start` serves (vitest sets NODE_ENV=test).
  execFileSync("npx", ["remix", "build"], {
    stdio: "ignore",
    env: { ...process.env, NODE_ENV: "production" },
  });

  let stopServer = async () => {};
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    console.log(`tests use DATABASE_URL (${new URL(adminUrl).host})`);
  } else {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `jichiken-test-pg-${process.pid}`),
      persistent: false,
    });
    adminUrl = server.url;
    stopServer = server.stop;
    console.log("tests use a throw-away embedded PostgreSQL");
  }

  const templateDatabase = `jichiken_template_${process.pid}`;
  const admin = createDb(adminUrl, { max: 1 });
  await sql.raw(`drop database if exists ${templateDatabase}`).execute(admin);
  await sql.raw(`create database ${templateDatabase}`).execute(admin);
  const template = createDb(databaseUrl(adminUrl, templateDatabase), { max: 1 });
  await migrateToLatest(template);
  await template.destroy();
  // The job queue's schema too, so that every clone can enqueue email.
  // installQueue closes its pool: a template must have no connection when cloned.
  await installQueue(databaseUrl(adminUrl, templateDatabase));

  project.provide("adminUrl", adminUrl);
  project.provide("templateDatabase", templateDatabase);

  return async () => {
    await sql.raw(`drop database if exists ${templateDatabase} with (force)`).execute(admin);
    await admin.destroy();
    await stopServer();
  };
}
