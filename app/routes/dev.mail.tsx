import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { listDevMail } from "../domain/mailer.server";
import { formatDateTime } from "../utils/format";
import { notFound } from "../utils/action.server";

export const meta: MetaFunction = () => [
  { title: "開発用メールボックス | 自治研イベント" },
  { name: "robots", content: "noindex" },
];

const query = z.object({ to: z.string().trim().max(320).optional() });

/**
 * /dev/mail: every email the app would have sent, newest first, while no
 * SMTP server is configured (development only; a 404 otherwise).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!context.devMail) notFound();
  const params = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const to = params.success && params.data.to ? params.data.to : undefined;
  const messages = await listDevMail(context.db, { to, limit: 50, appUrl: context.appUrl });
  return {
    open: context.devMailbox === "open",
    to: to ?? "",
    messages: messages.map((m) => ({
      id: m.id,
      to: m.to,
      subject: m.subject,
      createdAt: m.createdAt.toISOString(),
      sentAt: m.sentAt ? m.sentAt.toISOString() : null,
      attempts: m.attempts,
      lastError: m.lastError,
      text: m.text,
      attachments: m.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        inline: Boolean(a.cid),
        size: a.content.length,
      })),
    })),
  };
}

export default function DevMailbox() {
  const { open, to, messages } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>開発用メールボックス</h1>
      <p className="muted">
        SMTP_URL が設定されていないため、メールは送信されずにここに届きます(最新50件)。
      </p>
      <p className="notice">
        {open
          ? "DEV_MAILBOX=open が設定されているため、このページはサーバーに接続できる誰にでも表示されます。ログインリンクを読めば誰でもそのアカウントでログインできるので、共有のネットワークでは設定を外してください。"
          : "ログインリンクを含むため、このページはサーバーと同じ機械(127.0.0.1 / ::1)からだけ表示できます。ほかの端末から見る必要がある場合は、サーバーを DEV_MAILBOX=open で起動してください。"}
      </p>
      <Form method="get" className="filters">
        <label>
          宛先で絞り込む{" "}
          <input type="email" name="to" defaultValue={to} placeholder="member@example.jp" />
        </label>{" "}
        <button type="submit" className="button button--secondary">
          絞り込む
        </button>
      </Form>
      {messages.length === 0 ? <p>メールはまだありません。</p> : null}
      <div className="stack">
        {messages.map((m) => (
          <section key={m.id} className="card" aria-label={m.subject}>
            <div className="badges">
              {m.sentAt ? (
                <span className="badge badge--ok">配信済み {formatDateTime(m.sentAt)}</span>
              ) : (
                <span className="badge badge--warn">
                  送信待ち{m.attempts > 0 ? `(失敗 ${m.attempts}回)` : ""}
                </span>
              )}
            </div>
            <h2 style={{ fontSize: "1.1rem" }}>{m.subject}</h2>
            <dl className="facts">
              <dt>宛先</dt>
              <dd>{m.to}</dd>
              <dt>作成</dt>
              <dd>{formatDateTime(m.createdAt)}</dd>
              {m.lastError ? (
                <>
                  <dt>エラー</dt>
                  <dd>{m.lastError}</dd>
                </>
              ) : null}
              {m.attachments.length > 0 ? (
                <>
                  <dt>添付</dt>
                  <dd>
                    {m.attachments
                      .map((a) => `${a.filename}${a.inline ? "(本文中の画像)" : ""}`)
                      .join("、")}
                  </dd>
                </>
              ) : null}
            </dl>
            <iframe
              title={`${m.subject}(HTML)`}
              src={`/dev/mail/${m.id}`}
              sandbox=""
              loading="lazy"
              style={{ width: "100%", height: "480px", border: "1px solid #d9e2ec" }}
            />
            <details>
              <summary>テキスト版</summary>
              <pre style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{m.text}</pre>
            </details>
          </section>
        ))}
      </div>
    </>
  );
}
