import { z } from "zod";

/** The environment, parsed once at boot so a bad setting fails at start, not at the first request. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  APP_URL: z.string().url().optional(),
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
