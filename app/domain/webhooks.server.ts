import { createHmac, randomBytes } from "node:crypto";
import { type RawBuilder, sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { WebhookTopic } from "../../db/schema";
import { WEBHOOK_TOPICS } from "../utils/labels";
import { DomainError } from "./errors.server";
import {
  checkOutboundUrl,
  OUTBOUND_MESSAGES,
  OutboundRefused,
  postOutbound,
} from "./outbound.server";

/**
 * Webhooks: an organiser's URL told of registrations and check-ins. A
 * delivery is a job row written in the same transaction as its cause
 * (enqueueWebhooks), signed with HMAC and sent by the worker with retries.
 */

export const webhookSchema = z.object({
  url: z
    .string({ message: "送信先URLを入力してください" })
    .trim()
    .min(1, "送信先URLを入力してください")
    .max(500, "送信先URLは500文字以内で入力してください")
    .url(
      "送信先URLの形式が正しくありません。https://example.jp/hooks/jichiken のように入力してください",
    )
    .refine(
      (v) => /^https?:\/\//.test(v),
      "送信先URLは http:// または https:// で始まるURLを入力してください",
    ),
  topics: z
    .array(
      z.enum(WEBHOOK_TOPICS as [WebhookTopic, ...WebhookTopic[]], {
        message: "通知する出来事は一覧から選んでください",
      }),
      { message: "通知する出来事を1つ以上選んでください" },
    )
    .min(1, "通知する出来事を1つ以上選んでください"),
});

/**
 * Saves a webhook. Its URL must reach a public address (outbound.server.ts),
 * else `invalid_input` on the field `url`, and nothing is saved.
 */
export async function createWebhook(
  db: Database,
  args: {
    personId: string;
    url: string;
    topics: WebhookTopic[];
    eventId?: number | null;
    allowPrivate: boolean;
  },
): Promise<{ id: number; secret: string }> {
  const refusal = await checkOutboundUrl(args.url, { allowPrivate: args.allowPrivate });
  if (refusal) {
    throw new DomainError("invalid_input", { field: "url", message: OUTBOUND_MESSAGES[refusal] });
  }
  const secret = randomBytes(24).toString("base64url");
  const row = await db
    .insertInto("webhooks")
    .values({
      created_by: args.personId,
      url: args.url,
      topics: args.topics,
      secret,
      event_id: args.eventId ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

export function listWebhooks(db: Database, personId: string) {
  return db
    .selectFrom("webhooks")
    .select(["id", "url", "topics", "active", "event_id", "created_at"])
    .where("created_by", "=", personId)
    .orderBy("id", "desc")
    .execute();
}

export async function deleteWebhook(db: Database, args: { personId: string; id: number }) {
  await db
    .deleteFrom("webhooks")
    .where("id", "=", args.id)
    .where("created_by", "=", args.personId)
    .execute();
}

/** What a webhook tells: a topic at an event, and its data. */
type WebhookCause = { eventId: number; topic: WebhookTopic; data: Record<string, unknown> };

/**
 * Queues a webhook delivery for every active hook that wants `topic` at this
 * event, in the caller's transaction: no webhook without its cause. Hooks of
 * people who could not see the event do not fire.
 */
export async function enqueueWebhooks(trx: Transaction<DB>, args: WebhookCause): Promise<void> {
  await sql`with ${webhookJobsCte(args)} select count(*) from webhook_jobs`.execute(trx);
}

/**
 * enqueueWebhooks as a CTE, `webhook_jobs`, for a statement that writes the
 * deliveries with their cause in one round trip (recordRegistrationChange);
 * the statement must read it for it to run.
 *
 * A cause the statement itself makes (a desk's scan inserts the check-in
 * its body names) gives webhookJobs the body as SQL (`body`, see
 * webhookBodyAround) and the rows it reads (`from`, e.g. sql`k, r`): no row,
 * no delivery.
 */
export function webhookJobsCte(args: WebhookCause) {
  return sql`webhook_jobs as (${webhookJobs(args)})`;
}

/** webhookJobsCte's query, without its name (for Kysely's `with`). */
export function webhookJobs(
  args:
    | WebhookCause
    | { eventId: number; topic: WebhookTopic; body: RawBuilder<string>; from: RawBuilder<unknown> },
) {
  const body = "body" in args ? args.body : sql<string>`${webhookBody(args)}::text`;
  const from = "from" in args ? sql`${args.from}, ` : sql``;
  return sql<{ add_job: unknown }>`select graphile_worker.add_job('deliver_webhook',
      json_build_object('webhookId', w.id, 'body', ${body}), max_attempts := 15)
    from ${from}webhooks w join people p on p.id = w.created_by
    where w.active and ${args.topic}::text = any(w.topics)
      and (w.event_id is null or w.event_id = ${args.eventId}::int)
      and (p.role = 'admin' or p.id in (
        select person_id from event_staff where event_id = ${args.eventId}::int and role = 'organiser'))`;
}

/** What a delivery POSTs: the topic, the event, when, and the topic's data. */
function webhookBody(args: WebhookCause) {
  return JSON.stringify({
    type: args.topic,
    eventId: args.eventId,
    createdAt: new Date().toISOString(),
    data: args.data,
  });
}

/**
 * A body whose data holds ids only the statement knows (the row it inserts):
 * the body's JSON cut where each of `holes` goes, for the statement to join
 * around those ids as JSON strings, in the order `holes` names them
 * (webhookJobsCte's `body`): `parts[0] || to_json(first::text) || parts[1] || …`.
 */
export function webhookBodyAround(args: WebhookCause, holes: string[]): string[] {
  const markers = holes.map((_, i) => `\u0000hole${i}`);
  const data = { ...args.data, ...Object.fromEntries(holes.map((h, i) => [h, markers[i]])) };
  const parts: string[] = [];
  let rest = webhookBody({ ...args, data });
  for (const [i, marker] of markers.entries()) {
    const text = JSON.stringify(marker);
    const at = rest.indexOf(text);
    if (at < 0) throw new Error(`webhookBodyAround: ${holes[i]} is not where holes put it`);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + text.length);
  }
  parts.push(rest);
  return parts;
}

const deliveryPayload = z.object({ webhookId: z.number(), body: z.string() });

/**
 * Sends one delivery: POST with `X-Jichiken-Signature: sha256=<hex HMAC of
 * the body>`; anything but a 2xx throws, so the worker retries with backoff.
 * Only to a public address, checked on the address connected to
 * (outbound.server.ts); a redirect is not followed and counts as a failure.
 * A URL that now points inside is not retried: the delivery is dropped and
 * logged.
 */
export async function deliverWebhook(
  db: Database,
  payload: unknown,
  options: { allowPrivate?: boolean } = {},
): Promise<void> {
  const { webhookId, body } = deliveryPayload.parse(payload);
  const hook = await db
    .selectFrom("webhooks")
    .select(["url", "secret", "active"])
    .where("id", "=", webhookId)
    .executeTakeFirst();
  if (!hook?.active) return;
  const signature = createHmac("sha256", hook.secret).update(body).digest("hex");
  let status: number;
  try {
    status = await postOutbound(hook.url, {
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Jichiken-Event": (JSON.parse(body) as { type: string }).type,
        "X-Jichiken-Signature": `sha256=${signature}`,
      },
      allowPrivate: options.allowPrivate ?? false,
    });
  } catch (error) {
    if (error instanceof OutboundRefused) {
      console.warn(
        `[${new Date().toISOString()}] webhook ${webhookId}: not sent, ${error.reason} (${hook.url})`,
      );
      return;
    }
    throw error;
  }
  if (status < 200 || status >= 300) throw new Error(`webhook ${webhookId}: HTTP ${status}`);
}
