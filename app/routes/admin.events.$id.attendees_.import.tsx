import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { StaffAttestationFields } from "../components/consent-fieldset";
import { FormError } from "../components/field";
import { requireEventAccess } from "../domain/permissions.server";
import { readAttestation } from "../domain/privacy.server";
import {
  CSV_ENCODINGS,
  CSV_TEMPLATE,
  type CsvEncoding,
  importRegistrations,
  previewImport,
} from "../domain/proxy.server";
import { readBodyWithin } from "../utils/body.server";
import { eventTabMeta } from "../utils/meta";
import { scrollRegion } from "../utils/scroll-region";

export const meta = eventTabMeta("CSVで一括申込");

const MAX_BYTES = 2 * 1024 * 1024;
const TOO_LARGE =
  "CSVファイルが大きすぎます。1回に取り込めるのは2MBまでです。行を分けて2MB以下のファイルにし(例: 単組ごと)、ファイルを分けて1つずつ取り込んでください。";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  return { eventId: access.eventId, template: CSV_TEMPLATE, encodings: CSV_ENCODINGS };
}

/** Step 1 (intent=preview) checks the file; step 2 (intent=import) writes it, all or nothing. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  // The step-2 form carries the file again as base64 (4/3 of its size) beside the form's own fields.
  const body = await readBodyWithin(request, MAX_BYTES * 1.5);
  if (!body) return json({ error: TOO_LARGE }, { status: 413 });
  const form = await body.formData();
  let bytes: Uint8Array;
  const file = form.get("file");
  const carried = form.get("content");
  if (typeof carried === "string" && carried) bytes = Buffer.from(carried, "base64");
  else if (file instanceof File && file.size > 0) bytes = new Uint8Array(await file.arrayBuffer());
  else return { error: "CSVファイルを選択してください。" };
  if (bytes.byteLength > MAX_BYTES) return json({ error: TOO_LARGE }, { status: 413 });

  const chosen = form.get("encoding");
  const encoding: CsvEncoding =
    typeof chosen === "string" && chosen in CSV_ENCODINGS ? (chosen as CsvEncoding) : "auto";

  if (form.get("intent") === "import") {
    const result = await importRegistrations(context.db, {
      access,
      bytes,
      encoding,
      appUrl: context.appUrl,
      attestation: readAttestation(form),
    });
    if ("imported" in result) {
      // A secretary gets one answer whoever the rows were (proxy.server.ts, ProxyResult).
      return {
        imported: result.imported,
        message:
          access.unionId !== null
            ? `${result.imported}名の代理申込を受け付けました。申込の結果は、各人にメールでお知らせします。`
            : `${result.imported}名を登録しました(うちキャンセル待ち${result.waitlisted}名)。各人に確認メールを送ります。`,
      };
    }
    return {
      error: result.fileError ?? "取り込めない行があります。何も登録していません。",
      rows: result.rows,
      // still all valid as rows: the step-2 form is shown again, for the confirmation it missed
      valid: result.rows.every((r) => r.errors.length === 0),
      content: Buffer.from(bytes).toString("base64"),
      encoding,
    };
  }
  const preview = await previewImport(context.db, { access, bytes, encoding });
  if (preview.fileError) return { error: preview.fileError };
  return {
    encoding,
    rows: preview.rows,
    valid: preview.rows.every((r) => r.errors.length === 0),
    content: Buffer.from(bytes).toString("base64"),
  };
}

export default function ImportCsv() {
  const { eventId, template, encodings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <p className="small">
        <Link className="back-link" to={`/admin/events/${eventId}/attendees`}>
          ← 申込者一覧
        </Link>
      </p>
      <h2>CSVで一括申込</h2>
      <p className="small">
        1行目に見出し(<code>{template.trim()}</code>)を入れ、2行目から1人1行で入力してください。
        文字コードは UTF-8 と
        Shift_JIS(Excelの「CSV」)のどちらでも読み込めます。すべての行に誤りがない場合だけ登録します。
      </p>
      <p className="small">
        <a
          className="tap"
          href={`data:text/csv;charset=utf-8,%EF%BB%BF${encodeURIComponent(template)}`}
          download="申込テンプレート.csv"
        >
          テンプレートをダウンロード
        </a>
      </p>
      {result && "imported" in result ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      {result && "error" in result ? <FormError message={result.error} /> : null}
      <Form method="post" encType="multipart/form-data" className="form">
        <input type="hidden" name="intent" value="preview" />
        <label htmlFor="file">CSVファイル</label>
        <input id="file" type="file" name="file" accept=".csv,text/csv" required />
        <label htmlFor="encoding">文字コード</label>
        <select id="encoding" name="encoding" defaultValue="auto">
          {Object.entries(encodings).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <button type="submit" className="button">
          内容を確認する
        </button>
      </Form>
      {result && "rows" in result && result.rows ? (
        <>
          <h3 style={{ marginTop: "1.5rem" }}>確認結果</h3>
          <div {...scrollRegion("CSVの確認結果")}>
            <table className="list">
              <thead>
                <tr>
                  <th>行</th>
                  <th>氏名</th>
                  <th>単組</th>
                  <th>メールアドレス</th>
                  <th>結果</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((r) => (
                  <tr key={r.line} className={r.errors.length ? "row--error" : undefined}>
                    <td>{r.line}</td>
                    <td>{`${r.values.family_name ?? ""} ${r.values.given_name ?? ""}`}</td>
                    <td>{r.values.organisation}</td>
                    <td>{r.values.email}</td>
                    <td>
                      {r.errors.length === 0 ? (
                        "OK"
                      ) : (
                        <span className="error">{r.errors.join(" / ")}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {"valid" in result && result.valid ? (
            <Form method="post" encType="multipart/form-data">
              <input type="hidden" name="intent" value="import" />
              <input type="hidden" name="content" value={result.content} />
              <input type="hidden" name="encoding" value={result.encoding} />
              <StaffAttestationFields />
              <button type="submit" className="button button--large">
                {`${result.rows.length}名を登録する`}
              </button>
            </Form>
          ) : (
            <p className="notice notice--error">
              誤りのある行を直してから、もう一度ファイルを選んでください。何も登録していません。
            </p>
          )}
        </>
      ) : null}
    </section>
  );
}
