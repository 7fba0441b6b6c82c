import { createHmac, randomBytes } from "node:crypto";
import { sql, type Transaction } from "kysely";
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

/**
 * Queues a webhook delivery for every active hook that wants `topic` at this
 * event, in the caller's transaction: no webhook without its cause. Hooks of
 * people who could not see the event do not fire.
 */
export async function enqueueWebhooks(
  trx: Transaction<DB>,
  args: { eventId: number; topic: WebhookTopic; data: Record<string, unknown> },
): Promise<void> {
  await sql`with ${webhookJobsCte(args)} select count(*) from webhook_jobs`.execute(trx);
}

/**
 * enqueueWebhooks as a CTE, `webhook_jobs`, for a statement that writes the
 * deliveries with their cause in one round trip (recordRegistrationChange);
 * the statement must read it for it to run.
 */
export function webhookJobsCte(args: {
  eventId: number;
  topic: WebhookTopic;
  data: Record<string, unknown>;
}) {
  const body = JSON.stringify({
    type: args.topic,
    eventId: args.eventId,
    createdAt: new Date().toISOString(),
    data: args.data,
  });
  return sql`webhook_jobs as (
      select graphile_worker.add_job('deliver_webhook',
          json_build_object('webhookId', w.id, 'body', ${body}::text), max_attempts := 15)
        from webhooks w join people p on p.id = w.created_by
        where w.active and ${args.topic}::text = any(w.topics)
          and (w.event_id is null or w.event_id = ${args.eventId}::int)
          and (p.role = 'admin' or p.id in (
            select person_id from event_staff where event_id = ${args.eventId}::int and role = 'organiser'))
    )`;
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
