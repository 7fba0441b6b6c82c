import { z } from "zod";

/** A whole number from `min` to `max` (a count, or milliseconds), with a Japanese message. */
function wholeNumber(name: string, min: number, max: number) {
  return z.coerce
    .number({ message: `${name} は数値で指定してください` })
    .int(`${name} は整数で指定してください`)
    .min(min, `${name} は ${min} 以上にしてください`)
    .max(max, `${name} は ${max} 以下にしてください`);
}

/** The environment, parsed once at boot so a bad setting fails at start, not at the first request. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  APP_URL: z.string().url().optional(),
  // The embedded PostgreSQL's folder (scripts/database.ts): <DATA_DIR>/postgres; default ./.data
  DATA_DIR: z.string().min(1).optional(),
  // Read by createDb (db/index.ts); checked here so that a bad value fails at start.
  EXPORT_CONNECTIONS: wholeNumber("EXPORT_CONNECTIONS", 1, 50).default(3),
  DB_STATEMENT_TIMEOUT_MS: wholeNumber("DB_STATEMENT_TIMEOUT_MS", 100, 600_000).default(15_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber(
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    1_000,
    3_600_000,
  ).default(60_000),
  DB_CONNECT_TIMEOUT_MS: wholeNumber("DB_CONNECT_TIMEOUT_MS", 1_000, 60_000).default(5_000),
  DB_ACQUIRE_TIMEOUT_MS: wholeNumber("DB_ACQUIRE_TIMEOUT_MS", 100, 60_000).default(5_000),
});

export type Env = z.infer<typeof schema> & { APP_URL: string };

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`環境変数が正しくありません:\n${problems.join("\n")}`);
  }
  return { ...parsed.data, APP_URL: parsed.data.APP_URL ?? `http://localhost:${parsed.data.PORT}` };
}
