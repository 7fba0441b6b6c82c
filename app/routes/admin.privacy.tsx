import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuditTable } from "../components/audit-table";
import { ActionResult, describedBy, Field } from "../components/field";
import { listAuditLog } from "../domain/audit.server";
import { requireStaff } from "../domain/permissions.server";
import {
  getPrivacyAdmin,
  noticeSchema,
  publishNotice,
  retentionSchema,
  runRetention,
  saveRetentionSettings,
} from "../domain/privacy.server";
import { formatDate, formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { forbidden } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "個人情報の管理 | 自治研イベント" }];

async function requireAdmin(request: Request, context: Parameters<typeof requireStaff>[1]) {
  const user = await requireStaff(request, context);
  if (user.role !== "admin") forbidden("このページは管理者専用です。");
  return user;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context);
  const exportsOnly = new URL(request.url).searchParams.get("kind") !== "all";
  return {
    ...(await getPrivacyAdmin(context.db)),
    exportsOnly,
    log: await listAuditLog(context.db, {
      entities: exportsOnly ? ["export"] : ["export", "retention", "privacy_notice", "person"],
      limit: 100,
    }),
  };
}

type Result = { intent: string; ok: boolean; message: string; errors?: Record<string, string> };

/** Three forms (intent): publish a new notice, set retention, run the purge now. */
export async function action({ request, context }: ActionFunctionArgs): Promise<Response | Result> {
  const user = await requireAdmin(request, context);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "publish") {
    const form = parseForm(noticeSchema, formData);
    if (!form.ok)
      return Response.json(
        { intent, ok: false, message: "入力内容をご確認ください。", errors: form.errors },
        { status: 422 },
      );
    const version = await publishNotice(context.db, { actorId: user.id, body: form.data.body });
    return {
      intent,
      ok: true,
      message: `第${version}版として公開しました。これからの申込は第${version}版への同意が必要です。`,
    };
  }
  if (intent === "retention") {
    const form = parseForm(retentionSchema, formData);
    if (!form.ok)
      return Response.json(
        { intent, ok: false, message: "入力内容をご確認ください。", errors: form.errors },
        { status: 422 },
      );
    await saveRetentionSettings(context.db, {
      actorId: user.id,
      answersMonths: form.data.answers_months,
      inactiveMonths: form.data.inactive_months,
    });
    return { intent, ok: true, message: "保存期間を保存しました。" };
  }
  if (intent === "purge") {
    const counts = await runRetention(context.db, { actorId: user.id });
    return {
      intent,
      ok: true,
      message: `削除しました: 申込の回答・配慮事項 ${counts.registrations}件、アカウント ${counts.accounts}件、送信済みメール ${counts.emails}件。`,
    };
  }
  return Response.json({ intent, ok: false, message: "操作を選んでください。" }, { status: 400 });
}

export default function PrivacyAdmin() {
  const { notices, settings, preview, log, exportsOnly } = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  const errors = result?.errors ?? {};
  const current = notices[0];
  const resultOf = (intent: string) => (result?.intent === intent ? result : undefined);
  return (
    <section>
      <h1>個人情報の管理</h1>

      <h2>保存期間と削除</h2>
      <p className="small">
        毎日1回、保存期間を過ぎたデータを自動で削除します。参加人数などの統計は残ります。削除は操作履歴に記録されます。
      </p>
      <section className="notice" aria-labelledby="preview-heading">
        <p id="preview-heading">
          <strong>次回の実行で削除されるもの</strong>
        </p>
        <ul>
          <li>
            イベント終了から{settings.answers_months}か月を過ぎた申込の回答・配慮事項:{" "}
            <strong data-count="registrations">{preview.registrations}</strong>件
          </li>
          <li>
            {settings.inactive_months}か月以上利用のないアカウント:{" "}
            <strong data-count="accounts">{preview.accounts}</strong>件
          </li>
          <li>
            {settings.answers_months}か月を過ぎた送信済みメール:{" "}
            <strong data-count="emails">{preview.emails}</strong>件
          </li>
        </ul>
        <Form method="post">
          <input type="hidden" name="intent" value="purge" />
          <button type="submit" className="button button--secondary">
            今すぐ実行する
          </button>
        </Form>
        <ActionResult result={resultOf("purge")} />
      </section>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="retention" />
        <ActionResult result={resultOf("retention")} />
        <Field
          id="answers_months"
          label="回答・配慮事項の保存期間(イベント終了後、か月)"
          required
          error={errors.answers_months}
        >
          <input
            {...describedBy("answers_months", errors.answers_months)}
            name="answers_months"
            type="number"
            inputMode="numeric"
            min={1}
            max={120}
            defaultValue={settings.answers_months}
          />
        </Field>
        <Field
          id="inactive_months"
          label="利用のないアカウントの保存期間(か月)"
          required
          error={errors.inactive_months}
        >
          <input
            {...describedBy("inactive_months", errors.inactive_months)}
            name="inactive_months"
            type="number"
            inputMode="numeric"
            min={1}
            max={240}
            defaultValue={settings.inactive_months}
          />
        </Field>
        <p className="small muted">最終更新: {formatDateTime(settings.updated_at)}</p>
        <button type="submit" className="button">
          保存期間を保存する
        </button>
      </Form>

      <h2>個人情報の取扱い</h2>
      <p className="small">
        現在は第{current?.version}版({current ? formatDate(current.published_at) : ""}
        )。公開すると新しい版になり、以前の版は残ります。
        <Link to="/privacy">公開中のページ</Link>
      </p>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="publish" />
        <ActionResult result={resultOf("publish")} />
        <Field id="body" label="本文" required error={errors.body}>
          <textarea
            {...describedBy("body", errors.body)}
            name="body"
            rows={16}
            defaultValue={current?.body}
          />
        </Field>
        <button type="submit" className="button">
          新しい版として公開する
        </button>
      </Form>
      <ul className="small">
        {notices.map((n) => (
          <li key={n.version}>
            <Link to={`/privacy?version=${n.version}`}>第{n.version}版</Link>(
            {formatDateTime(n.published_at)})
          </li>
        ))}
      </ul>

      <h2>個人情報の取得の記録</h2>
      <nav aria-label="絞り込み" className="actions small">
        {exportsOnly ? (
          <strong>ダウンロード・取り込み・API</strong>
        ) : (
          <Link to="?">ダウンロード・取り込み・API</Link>
        )}
        {exportsOnly ? (
          <Link to="?kind=all">削除・設定も含める</Link>
        ) : (
          <strong>削除・設定も含める</strong>
        )}
      </nav>
      {log.length === 0 ? (
        <p className="muted">記録はまだありません。</p>
      ) : (
        <AuditTable entries={log} showEvent />
      )}
    </section>
  );
}
