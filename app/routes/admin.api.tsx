import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "../components/field";
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  apiSettingsSchema,
} from "../domain/api.server";
import { requireStaff } from "../domain/permissions.server";
import { createWebhook, deleteWebhook, listWebhooks } from "../domain/webhooks.server";
import { type ActionResult, actionOk, answer, domainAction } from "../utils/action.server";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { WEBHOOK_TOPIC_LABELS as TOPIC_LABELS, WEBHOOK_TOPICS } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "APIとWebhook | イベント管理" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireStaff(request, context);
  return {
    tokens: await listApiTokens(context.db, user.id),
    webhooks: await listWebhooks(context.db, user.id),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireStaff(request, context);
  const form = parseForm(apiSettingsSchema, await request.formData(), ["topics"]);
  if (!form.ok) {
    return answer({
      ok: false,
      code: "invalid_input",
      message: Object.values(form.errors)[0] ?? "入力内容をご確認ください。",
      errors: form.errors,
    });
  }
  const data = form.data;
  if (data.intent === "token") {
    const token = await createApiToken(context.db, { personId: user.id, name: data.name });
    return actionOk("APIトークンを作りました。", { token });
  }
  if (data.intent === "revoke") {
    const revoked = await revokeApiToken(context.db, { personId: user.id, id: data.id });
    if (!revoked) {
      return answer(
        {
          ok: false,
          code: "not_found",
          message:
            "このトークンは見つからないか、すでに無効です。一覧に表示されている自分のトークンだけを無効にできます。",
        },
        404,
      );
    }
    return actionOk("トークンを無効にしました。");
  }
  if (data.intent === "webhook") {
    const { url, topics } = data;
    return domainAction(async () => {
      const hook = await createWebhook(context.db, {
        personId: user.id,
        url,
        topics,
        allowPrivate: context.allowPrivateWebhooks,
      });
      return actionOk("Webhookを登録しました。", { secret: hook.secret });
    });
  }
  await deleteWebhook(context.db, { personId: user.id, id: data.id });
  return actionOk("Webhookを削除しました。");
}

/** Per-person API tokens (shown once) and signed webhooks. */
export default function ApiSettings() {
  const { tokens, webhooks } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const shownOnce = (key: "token" | "secret") =>
    typeof result?.data?.[key] === "string" ? (result.data[key] as string) : undefined;
  const token = shownOnce("token");
  const secret = shownOnce("secret");
  return (
    <section>
      <h1>APIとWebhook</h1>
      <p className="small muted">
        使い方は README の「API」をご覧ください。APIは画面と同じ権限で動きます。
      </p>
      {result && !result.ok ? <FormError message={result.message} /> : null}
      {result?.ok && !token && !secret ? (
        <p className="notice notice--ok">{result.message}</p>
      ) : null}
      {token ? (
        <div className="notice notice--ok">
          <p>
            新しいトークンです。この画面を離れると二度と表示されません。安全な場所に保管してください。
          </p>
          <code className="token">{token}</code>
        </div>
      ) : null}
      {secret ? (
        <div className="notice notice--ok">
          <p>
            Webhookの署名用シークレットです(X-Jichiken-Signature
            の検証に使います)。この画面を離れると二度と表示されません。
          </p>
          <code className="token">{secret}</code>
        </div>
      ) : null}

      <h2>APIトークン</h2>
      <Form method="post" className="actions">
        <input type="hidden" name="intent" value="token" />
        <label>
          名前{" "}
          <input type="text" name="name" placeholder="用途がわかる名前(例: 受付集計スクリプト)" />
        </label>
        <button type="submit" className="button">
          トークンを作る
        </button>
      </Form>
      <ul>
        {tokens.map((t) => (
          <li key={t.id} className="small">
            {t.name}(作成 {formatDateTime(t.created_at)}
            {t.last_used_at ? `・最終使用 ${formatDateTime(t.last_used_at)}` : ""})
            {t.revoked_at ? " 無効" : null}
            {t.revoked_at ? null : (
              <Form method="post" style={{ display: "inline" }}>
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="id" value={t.id} />
                <button type="submit" className="button button--danger">
                  無効にする
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>

      <h2>Webhook</h2>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="webhook" />
        <label htmlFor="url">送信先URL</label>
        <input id="url" name="url" type="url" placeholder="https://example.jp/hooks/jichiken" />
        <fieldset>
          <legend>通知する出来事</legend>
          {WEBHOOK_TOPICS.map((t) => (
            <label key={t} className="choice">
              <input type="checkbox" name="topics" value={t} />
              <span>
                {TOPIC_LABELS[t]}(<code>{t}</code>)
              </span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Webhookを登録する
        </button>
      </Form>
      <ul>
        {webhooks.map((w) => (
          <li key={w.id} className="small">
            {w.url} — {w.topics.join(", ")}
            <Form method="post" style={{ display: "inline" }}>
              <input type="hidden" name="intent" value="delete_webhook" />
              <input type="hidden" name="id" value={w.id} />
              <button type="submit" className="button button--danger">
                削除
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  );
}
