import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { inject } from "vitest";
import { createDb, type Database } from "../../db/index";
import { databaseUrl } from "./urls";

/**
 * A fresh database for one test file: a clone of the migrated template
 * (or an empty one), dropped again by `drop()`.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<{
  db: Database;
  url: string;
  drop: () => Promise<void>;
}> {
  const adminUrl = inject("adminUrl");
  const name = `jichiken_test_${randomBytes(6).toString("hex")}`;
  const admin = createDb(adminUrl, { max: 1 });
  const template = options.empty ? "template0" : inject("templateDatabase");
  await sql.raw(`create database ${name} template ${template}`).execute(admin);
  const url = databaseUrl(adminUrl, name);
  const db = createDb(url);
  return {
    db,
    url,
    drop: async () => {
      await db.destroy();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin);
      await admin.destroy();
    },
  };
}
