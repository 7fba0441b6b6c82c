import { z } from "zod";

/**
 * Every setting the app reads from the environment, parsed and checked here
 * at start (scripts/start.ts, scripts/start-prod.ts), so a bad value stops the
 * start with a Japanese message naming the setting, not the first request
 * that needs it. Nothing else reads process.env for a setting: code calls
 * currentEnv() (or is handed the parsed Env).
 *
 * One entry per setting, in the order the README's table shows them
 * (tests/unit/env.test.ts checks that every entry is in that table). To add
 * a setting, add one entry: its zod schema (with its default), an example,
 * what it does, and the Japanese message shown when the value is wrong.
 * `secret: true` keeps the value out of every message.
 */
type Entry = {
  schema: z.ZodType;
  /** the default as the README shows it ("" = none) */
  default: string;
  example: string;
  /** what it does, for the README (Japanese or English as the README is) */
  doc: string;
  /** the message when the value is wrong, naming the setting */
  message: string;
  secret?: boolean;
};

const port = z.coerce.number().int().min(1).max(65535);
const url = z.string().url();
/** An empty value counts as not set, as in a .env file or a compose file's `FOO:`. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, value: z.input<T>) =>
  z.preprocess((v) => (v === "" || v === undefined ? value : v), schema);

export const SETTINGS = {
  NODE_ENV: {
    schema: withDefault(z.enum(["development", "production", "test"]), "development"),
    default: "development",
    example: "production",
    doc: "`production` on a server: no /dev/mail, APP_URL required.",
    message: "NODE_ENV は development・production・test のいずれかを指定してください。",
  },
  PORT: {
    schema: withDefault(port, 3000),
    default: "3000",
    example: "8080",
    doc: "The HTTP port the app listens on (all interfaces).",
    message: "PORT は 1〜65535 のポート番号を指定してください。",
  },
  APP_URL: {
    schema: optional(url.refine((v) => /^https?:\/\//.test(v))),
    default: "http://localhost:PORT",
    example: "https://events.jichiro-fukushima.jp",
    doc: "The public address, used in emails and links. Required in production; a warning when it is not https.",
    message: "APP_URL は https://events.example.jp のような URL を指定してください。",
  },
  DATABASE_URL: {
    schema: optional(url.refine((v) => /^postgres(ql)?:\/\//.test(v))),
    default: "(embedded PostgreSQL in ./.data/)",
    example: "postgres://app:secret@db.example.jp:5432/events",
    doc: "The PostgreSQL server. Without it, `npm start` runs an embedded one; `start:prod` and the image require it.",
    message:
      "DATABASE_URL は postgres://ユーザー:パスワード@ホスト:5432/データベース名 の形で指定してください。",
    secret: true,
  },
  EMBEDDED_PG_PORT: {
    schema: optional(port),
    default: "(a free port)",
    example: "5433",
    doc: "The port of the embedded PostgreSQL (without DATABASE_URL).",
    message: "EMBEDDED_PG_PORT は 1〜65535 のポート番号を指定してください。",
  },
  SMTP_URL: {
    schema: optional(url.refine((v) => /^smtps?:\/\//.test(v))),
    default: "(mail kept for /dev/mail outside production)",
    example: "smtp://user:pass@mail.example.jp:587",
    doc: "The mail server. Without it in production, mail waits in the queue until it is set.",
    message: "SMTP_URL は smtp://ユーザー:パスワード@メールサーバー:587 の形で指定してください。",
    secret: true,
  },
  UPLOAD_DIR: {
    schema: withDefault(z.string().min(1), ".data/uploads"),
    default: ".data/uploads",
    example: "/var/lib/jichiken/uploads",
    doc: "Where uploaded materials and reports are kept. Shared by every node (a shared volume); backed up by `db:backup`.",
    message: "UPLOAD_DIR はファイルを置くフォルダーのパスを指定してください。",
  },
  PDF_FONT_PATH: {
    schema: optional(z.string().min(1)),
    default: "(Noto Sans CJK JP where the OS keeps it)",
    example: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    doc: "A Japanese font for the PDF exports (名簿, 名札).",
    message: "PDF_FONT_PATH はフォントファイルのパスを指定してください。",
  },
  PDF_FONT_NAME: {
    schema: withDefault(z.string().min(1), "NotoSansCJKjp-Regular"),
    default: "NotoSansCJKjp-Regular",
    example: "NotoSansCJKjp-Regular",
    doc: "The PostScript name of the font inside PDF_FONT_PATH when it is a .ttc.",
    message: "PDF_FONT_NAME はフォント名を指定してください。",
  },
  WEB_CONCURRENCY: {
    schema: withDefault(z.coerce.number().int().min(1).max(64), 1),
    default: "1",
    example: "2",
    doc: "`npm start` and `start:prod` run this many web processes on one port (node:cluster; with `npm start` the first process keeps the database and the job worker). Helps when one process's CPU is the limit and the machine has spare cores.",
    message: "WEB_CONCURRENCY は 1〜64 の整数(アプリのプロセス数)を指定してください。",
  },
  LOG_FORMAT: {
    schema: withDefault(z.enum(["text", "json"]), "text"),
    default: "text",
    example: "json",
    doc: "`json`: one JSON line per request (pino) with a request id, for a log collector; `text`: readable lines.",
    message: "LOG_FORMAT は text か json を指定してください。",
  },
  SHUTDOWN_TIMEOUT: {
    schema: withDefault(z.coerce.number().min(0).max(600), 20),
    default: "20",
    example: "30",
    doc: "Seconds a stopping node (SIGTERM) gives requests in flight before it closes them.",
    message: "SHUTDOWN_TIMEOUT は 0〜600 の秒数を指定してください。",
  },
  SHUTDOWN_DELAY: {
    schema: withDefault(z.coerce.number().min(0).max(60), 0),
    default: "0",
    example: "3",
    doc: "Seconds a stopping node keeps serving, with /healthz answering 503, so a proxy's health check takes it out first (Caddy, Kubernetes).",
    message: "SHUTDOWN_DELAY は 0〜60 の秒数を指定してください。",
  },
  RUN_WORKER: {
    schema: withDefault(
      z.enum(["true", "false"]).transform((v) => v === "true"),
      "true",
    ),
    default: "true",
    example: "false",
    doc: "Whether this node runs the job queue (mail, webhooks, reminders). Every node may: each job runs once.",
    message: "RUN_WORKER は true か false を指定してください。",
  },
  BACKUP_DIR: {
    schema: withDefault(z.string().min(1), ".data/backups"),
    default: ".data/backups",
    example: "/var/backups/jichiken",
    doc: "Where `npm run db:backup` writes its files.",
    message: "BACKUP_DIR はバックアップを置くフォルダーのパスを指定してください。",
  },
  PG_BIN_DIR: {
    schema: optional(z.string().min(1)),
    default: "(searched: PATH, /usr/lib/postgresql/N/bin)",
    example: "/usr/lib/postgresql/16/bin",
    doc: "Where `db:backup` / `db:restore` find pg_dump and pg_restore of the server's major version.",
    message: "PG_BIN_DIR は pg_dump のあるフォルダーのパスを指定してください。",
  },
  TRUST_PROXY: {
    schema: withDefault(
      z
        .string()
        .regex(/^(?:\d{1,2}|false|off)$/)
        .transform((v) => (/^\d+$/.test(v) ? Number(v) : 0)),
      "0",
    ),
    default: "0",
    example: "1",
    doc: "How many reverse proxies stand in front of the app. The client's address (rate limits) is Express's req.ip, that many hops back in X-Forwarded-For; with 0 the header is ignored.",
    message: "TRUST_PROXY はアプリの前にあるプロキシの段数(0〜99の整数)を指定してください。",
  },
  DEV_MAILBOX: {
    schema: withDefault(z.enum(["loopback", "open"]), "loopback"),
    default: "loopback",
    example: "open",
    doc: "Who may read /dev/mail (no SMTP_URL, outside production): `loopback` only requests from the machine itself; `open` anyone who reaches the port (it shows sign-in links).",
    message: "DEV_MAILBOX は loopback(この機械からのみ)か open(誰にでも表示)を指定してください。",
  },
  WEBHOOK_ALLOW_PRIVATE: {
    schema: withDefault(
      z.enum(["0", "1"]).transform((v) => v === "1"),
      "0",
    ),
    default: "0",
    example: "1",
    doc: "`1`: webhooks may post to loopback and private addresses (development only); otherwise only public addresses, checked when saved and at delivery.",
    message: "WEBHOOK_ALLOW_PRIVATE は 0 か 1 を指定してください。",
  },
  DATA_DIR: {
    schema: optional(z.string().min(1)),
    default: "./.data",
    example: "/var/lib/jichiken",
    doc: "Where `npm start` keeps the embedded PostgreSQL (`<DATA_DIR>/postgres`; without DATABASE_URL).",
    message: "DATA_DIR はデータを置くフォルダーのパスを指定してください。",
  },
  EXPORT_CONNECTIONS: {
    schema: withDefault(z.coerce.number().int().min(1).max(50), 3),
    default: "3",
    example: "5",
    doc: "Connections (and as many slots) of the long readers' own pool: exports, PDFs, attendance files. One more download at once is refused with 503 and Retry-After.",
    message: "EXPORT_CONNECTIONS は 1〜50 の整数を指定してください。",
  },
  DB_STATEMENT_TIMEOUT_MS: {
    schema: withDefault(z.coerce.number().int().min(100).max(600_000), 15_000),
    default: "15000",
    example: "30000",
    doc: "statement_timeout of the app's connections, in ms; a connection that hears nothing for 3 s longer is cut (a hung server).",
    message: "DB_STATEMENT_TIMEOUT_MS は 100〜600000 の整数(ミリ秒)を指定してください。",
  },
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: {
    schema: withDefault(z.coerce.number().int().min(1_000).max(3_600_000), 60_000),
    default: "60000",
    example: "120000",
    doc: "idle_in_transaction_session_timeout of the app's connections, in ms.",
    message:
      "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS は 1000〜3600000 の整数(ミリ秒)を指定してください。",
  },
  DB_CONNECT_TIMEOUT_MS: {
    schema: withDefault(z.coerce.number().int().min(1_000).max(60_000), 5_000),
    default: "5000",
    example: "10000",
    doc: "How long opening a database connection may take, in ms.",
    message: "DB_CONNECT_TIMEOUT_MS は 1000〜60000 の整数(ミリ秒)を指定してください。",
  },
  DB_ACQUIRE_TIMEOUT_MS: {
    schema: withDefault(z.coerce.number().int().min(100).max(60_000), 5_000),
    default: "5000",
    example: "10000",
    doc: "How long a request waits for a free connection while the pool makes no progress (503 after), in ms.",
    message: "DB_ACQUIRE_TIMEOUT_MS は 100〜60000 の整数(ミリ秒)を指定してください。",
  },
} satisfies Record<string, Entry>;

type Settings = typeof SETTINGS;
export type Env = { [K in keyof Settings]: z.output<Settings[K]["schema"]> } & { APP_URL: string };

/** A setting that is wrong, with the message that names it. */
export class EnvError extends Error {
  constructor(readonly problems: { name: string; message: string }[]) {
    super(
      `環境変数の設定が正しくありません:\n${problems.map((p) => `  ${p.name}: ${p.message}`).join("\n")}`,
    );
    this.name = "EnvError";
  }
}

/**
 * Parses and checks every setting. Throws an EnvError listing each wrong
 * one; in production, also when APP_URL or DATABASE_URL is missing (`production`
 * requires what a server cannot guess). Returns the warnings to print (APP_URL
 * not https in production) in `warnings`.
 */
export function parseEnv(
  source: Record<string, string | undefined> = process.env,
  options: { production?: boolean } = {},
): Env & { warnings: string[] } {
  const problems: { name: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(SETTINGS) as [string, Entry][]) {
    const raw = source[name];
    const parsed = entry.schema.safeParse(typeof raw === "string" ? raw.trim() : raw);
    if (parsed.success) out[name] = parsed.data;
    else {
      const shown = entry.secret || raw === undefined ? "" : `(値: ${JSON.stringify(raw)})`;
      problems.push({ name, message: `${entry.message}${shown}` });
    }
  }
  const production = options.production ?? out.NODE_ENV === "production";
  const warnings: string[] = [];
  if (production && problems.length === 0) {
    if (!out.APP_URL)
      problems.push({
        name: "APP_URL",
        message:
          "本番環境(NODE_ENV=production)では APP_URL(公開する https の URL)が必要です。メールのリンクに使います。",
      });
    else if (!String(out.APP_URL).startsWith("https://"))
      warnings.push(
        `APP_URL (${out.APP_URL}) が https ではありません。本番環境では TLS の終端(Caddy など)を通して https で公開してください。`,
      );
  }
  if (problems.length > 0) throw new EnvError(problems);
  const env = out as Env;
  return {
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    warnings,
  };
}

/**
 * The settings as they are now, for code deep in the app (the upload folder,
 * the PDF font). Parsed again at each call, which costs microseconds and lets
 * tests point a setting elsewhere; a wrong value was already refused at start.
 */
export function currentEnv(): Env {
  return parseEnv(process.env, { production: false });
}

/**
 * parseEnv for a start script: a wrong setting prints its Japanese message
 * (no stack trace) and exits with 1; warnings are printed and the start goes on.
 */
export function envAtStart(): Env {
  try {
    const { warnings, ...env } = parseEnv();
    for (const warning of warnings) console.warn(`警告: ${warning}`);
    return env;
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
