import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, type Database } from "../db/index";
import type { EmbeddedDatabase } from "../db/embedded";
import { currentEnv } from "../app/env.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The database the scripts work on: DATABASE_URL when set, otherwise the
 * embedded PostgreSQL kept under ./.data/ (created on first use).
 */
export async function openDatabase(options: { log?: (m: string) => void } = {}): Promise<{
  db: Database;
  url: string;
  embedded: boolean;
  /** the embedded server: where its data is and how it came to run */
  server?: EmbeddedDatabase;
  close: () => Promise<void>;
}> {
  const env = currentEnv();
  const external = env.DATABASE_URL;
  if (external) {
    const db = createDb(external);
    return { db, url: external, embedded: false, close: () => db.destroy() };
  }
  const port = env.EMBEDDED_PG_PORT;
  // Loaded only here: the container image has no embedded PostgreSQL binaries.
  const { startEmbeddedPostgres } = await import("../db/embedded");
  const server = await startEmbeddedPostgres({
    dataDir: path.join(
      env.DATA_DIR ? path.resolve(env.DATA_DIR) : path.join(root, ".data"),
      "postgres",
    ),
    port,
    persistent: true,
    log: options.log,
  });
  const db = createDb(server.url);
  return {
    db,
    url: server.url,
    embedded: true,
    server,
    close: async () => {
      await db.destroy();
      await server.stop();
    },
  };
}
