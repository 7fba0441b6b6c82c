import { z } from "zod";

/** The environment, parsed once at boot so a bad setting fails at start, not at the first request. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  APP_URL: z.string().url().optional(),
  /**
   * How many reverse proxies stand in front of the app (0: none, the default).
   * The client's address is then Express's req.ip, read that many hops back in
   * X-Forwarded-For; with 0 the header is ignored (app/security/client-address.ts).
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(?:\d{1,2}|false|off)$/, "TRUST_PROXY はプロキシの段数(0〜99の整数)で指定してください")
    .default("0")
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : 0)),
  /**
   * The dev mailbox (/dev/mail, without SMTP_URL outside production) is served
   * only to the machine itself; `open` serves it to anyone who can reach the port.
   */
  DEV_MAILBOX: z
    .enum(["loopback", "open"], {
      message: "DEV_MAILBOX は open(誰にでも見せる)か loopback(この機械からのみ、既定)です",
    })
    .default("loopback"),
  /** `1`: webhooks may post to private and loopback addresses (development only). */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(["0", "1"], { message: "WEBHOOK_ALLOW_PRIVATE は 0 か 1 で指定してください" })
    .default("0")
    .transform((v) => v === "1"),
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
