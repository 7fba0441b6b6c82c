import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  redirect,
  type SerializeFrom,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useSubmit } from "@remix-run/react";
import { type MouseEvent, useState } from "react";
import { z } from "zod";
import { AttendeeFilterSelects } from "../components/attendee-filters";
import { PurposeReminder } from "../components/consent-fieldset";
import { describedBy } from "../components/field";
import { DomainError } from "../domain/errors.server";
import {
  deleteExportPreset,
  exportHref,
  getExportPage,
  presetSchema,
  readExportQuery,
  saveExportPreset,
} from "../domain/exports.server";
import { requireEventAccess } from "../domain/permissions.server";
import { getConsentContext } from "../domain/privacy.server";
import { parseForm, rowId } from "../utils/forms";
import { eventTabMeta } from "../utils/meta";
import { scrollRegion } from "../utils/scroll-region";

export const meta = eventTabMeta("エクスポート");
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { formErrors } from "../utils/action-result";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const page = await getExportPage(context.db, { access, url: new URL(request.url) });
  const { purposes } = await getConsentContext(context.db, access.eventId);
  return { ...page, purposes };
}

const deleteSchema = z.object({ preset_id: rowId() });

/** Saves or deletes a column preset, then shows the page again with the same selection. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const formData = await request.formData();
  const query = readExportQuery(
    new URLSearchParams([...formData].map(([k, v]) => [k, String(v)] as [string, string])),
  );
  const back = exportHref(access.eventId, "page", query);
  return domainAction(async () => {
    if (formData.get("intent") === "delete_preset") {
      const parsed = deleteSchema.safeParse(Object.fromEntries(formData));
      if (!parsed.success) throw new DomainError("not_found");
      await deleteExportPreset(context.db, { access, presetId: parsed.data.preset_id });
      const same = new URL(request.url);
      same.searchParams.delete("preset");
      same.searchParams.set("done", "deleted");
      return redirect(`${same.pathname}?${same.searchParams.toString()}`);
    }
    const parsed = parseForm(presetSchema, formData, ["columns"]);
    if (!parsed.ok) return invalidForm(parsed);
    const preset = await saveExportPreset(context.db, { access, input: parsed.data });
    return redirect(`${back}&preset=${preset.id}&done=saved`);
  });
}

const FORMATS = [
  { value: "csv", label: "CSV", hint: "Excel などで開ける表形式。文字コードを下で選べます。" },
  { value: "xlsx", label: "Excel(.xlsx)", hint: "見出し行の固定と列幅を設定済みのExcelファイル。" },
  {
    value: "roster",
    label: "PDF 受付名簿",
    hint: "フリガナの五十音順、チェック欄付き。単組別・コース別にまとめられます。",
  },
  {
    value: "badges",
    label: "PDF 名札",
    hint: "氏名・フリガナ・単組とチケットのQRコード(A4に10枚)。",
  },
] as const;

export default function ExportPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionResult>();
  const errors = formErrors(actionData);
  const location = useLocation();
  const submit = useSubmit();
  const done = new URLSearchParams(location.search).get("done");
  const { selection, options } = data;
  const chosen = new Set(selection.columns);
  const isPdf = selection.format === "roster" || selection.format === "badges";

  const presetHref = (id: number) => {
    const params = new URLSearchParams(location.search);
    params.delete("columns");
    params.delete("done");
    params.set("preset", String(id));
    return `?${params.toString()}`;
  };

  return (
    <section className="export">
      <h2>エクスポート</h2>
      <PurposeReminder purposes={data.purposes} />
      {data.narrowed ? <p className="notice">所属単組の組合員の申込のみが出力されます。</p> : null}
      {done === "saved" ? (
        <p className="notice notice--ok" role="status">
          プリセット「{data.appliedPreset}」を保存しました。
        </p>
      ) : null}
      {done === "deleted" ? (
        <p className="notice notice--ok" role="status">
          プリセットを削除しました。
        </p>
      ) : null}
      {errors._form ? (
        <p className="notice notice--error" role="alert">
          {errors._form}
        </p>
      ) : null}

      <Form
        // a preset applied (or saved) by a link sets the checkboxes afresh
        key={new URLSearchParams(location.search).get("preset") ?? "none"}
        method="get"
        className="stack export-form"
        onChange={(event) => {
          // the count, and the Shift_JIS warning, follow each change (the button does it without JS)
          const field = event.target as HTMLInputElement;
          if (field.name === "name" || field.name === "scope") return;
          submit(event.currentTarget, { replace: true, preventScrollReset: true });
        }}
      >
        <fieldset>
          <legend>形式</legend>
          <div className="export-choices">
            {FORMATS.map((f) => (
              <label key={f.value} className="choice">
                <input
                  type="radio"
                  name="format"
                  value={f.value}
                  defaultChecked={selection.format === f.value}
                />
                <span>
                  <strong>{f.label}</strong>
                  <span className="small muted" style={{ display: "block" }}>
                    {f.hint}
                  </span>
                </span>
              </label>
            ))}
          </div>
          {data.fontMissing ? (
            <p className="notice notice--warn small">
              PDFに必要な日本語フォント(Noto Sans CJK
              JP)がサーバーにないため、PDFは作成できません。サーバー管理者に「apt-get install
              fonts-noto-cjk」を依頼してください。
            </p>
          ) : null}
        </fieldset>

        <div className="row-2 export-row">
          <fieldset>
            <legend>文字コード(CSV)</legend>
            <label className="choice">
              <input
                type="radio"
                name="encoding"
                value="utf8"
                defaultChecked={selection.encoding === "utf8"}
              />
              <span>
                UTF-8(BOM付き)
                <span className="small muted" style={{ display: "block" }}>
                  髙・﨑などもそのまま。Excel 2016以降で文字化けせずに開けます。
                </span>
              </span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="encoding"
                value="sjis"
                defaultChecked={selection.encoding === "sjis"}
              />
              <span>
                Shift_JIS
                <span className="small muted" style={{ display: "block" }}>
                  古いExcelや他のシステム向け。表せない文字は事前に一覧で確認できます。
                </span>
              </span>
            </label>
          </fieldset>
          <fieldset>
            <legend>受付名簿のまとめ方(PDF)</legend>
            {[
              { value: "none", label: "まとめない(全員を五十音順)" },
              { value: "union", label: "単組ごと" },
              { value: "course", label: "コース・分科会ごと" },
            ].map((g) => (
              <label key={g.value} className="choice">
                <input
                  type="radio"
                  name="group"
                  value={g.value}
                  defaultChecked={selection.group === g.value}
                />
                <span>{g.label}</span>
              </label>
            ))}
          </fieldset>
        </div>

        <fieldset>
          <legend>絞り込み</legend>
          <div className="filters">
            <AttendeeFilterSelects
              filter={selection.filter}
              options={options}
              narrowed={data.narrowed}
            />
          </div>
        </fieldset>

        <fieldset aria-describedby="columns-hint">
          <legend>出力する項目(CSV・Excel)</legend>
          <p id="columns-hint" className="small muted">
            並び順は下の順のとおりです。PDFの項目は形式ごとに決まっています。
          </p>
          {data.presets.length > 0 ? (
            <p className="small">
              プリセット:{" "}
              {data.presets.map((p) => (
                <Link key={p.id} to={presetHref(p.id)} className="preset-link">
                  {p.name}
                </Link>
              ))}
            </p>
          ) : null}
          <div className="export-columns">
            {data.available.map((c) => (
              <label key={c.key}>
                <input
                  type="checkbox"
                  name="columns"
                  value={c.key}
                  defaultChecked={chosen.has(c.key)}
                />
                {c.label}
              </label>
            ))}
          </div>
          {errors.columns ? <p className="error">{errors.columns}</p> : null}
        </fieldset>

        <p className="actions">
          <button type="submit" className="button">
            この条件で確認する
          </button>
        </p>

        <details className="card" open={Boolean(errors.name || errors.scope)}>
          <summary>選んだ項目をプリセットとして保存する</summary>
          <div className={`field${errors.name ? " field--error" : ""}`}>
            <label htmlFor="preset-name">プリセット名</label>
            <input
              type="text"
              name="name"
              maxLength={50}
              placeholder="例: 分科会担当者用"
              {...describedBy("preset-name", errors.name)}
            />
            {errors.name ? (
              <p className="error" id="preset-name-error">
                {errors.name}
              </p>
            ) : null}
          </div>
          <fieldset>
            <legend className="small">保存先</legend>
            <label className="choice">
              <input type="radio" name="scope" value="event" defaultChecked />
              <span>このイベント用</span>
            </label>
            <label className="choice">
              <input type="radio" name="scope" value="all" />
              <span>
                すべてのイベント用
                <span className="small muted" style={{ display: "block" }}>
                  設問の回答は「各イベントのすべての設問」として保存します。
                </span>
              </span>
            </label>
            {errors.scope ? <p className="error">{errors.scope}</p> : null}
          </fieldset>
          <p>
            <button
              type="submit"
              className="button button--secondary"
              formMethod="post"
              name="intent"
              value="save_preset"
            >
              プリセットを保存
            </button>
          </p>
        </details>
      </Form>

      <section className="card stack" aria-labelledby="export-download">
        <h3 id="export-download">ダウンロード</h3>
        <p>
          {FORMATS.find((f) => f.value === selection.format)?.label}
          {selection.format === "csv"
            ? `(${selection.encoding === "sjis" ? "Shift_JIS" : "UTF-8 BOM付き"})`
            : ""}
          :<strong>{data.count.toLocaleString("ja-JP")}件</strong>
          {data.count === 0 ? " — 条件に合う申込はありません。" : ""}
        </p>
        {data.shiftJis && data.shiftJis.total > 0 ? (
          <ShiftJisWarning report={data.shiftJis} />
        ) : null}
        {data.shiftJis && data.shiftJis.total === 0 ? (
          <p className="small muted">すべての文字をShift_JISで出力できます。</p>
        ) : null}
        {data.download && !(isPdf && data.fontMissing) ? (
          <DownloadLink
            href={data.download}
            expected={data.count}
            countsRows={selection.format === "csv"}
            label={
              data.shiftJis && data.shiftJis.total > 0
                ? "置き換えを確認してShift_JISでダウンロード"
                : "ダウンロード"
            }
          />
        ) : null}
        {!data.download ? <p className="error">出力する項目を1つ以上選んでください。</p> : null}
      </section>

      {data.presets.length > 0 ? (
        <section>
          <h3>保存したプリセット</h3>
          <ul className="preset-list">
            {data.presets.map((p) => (
              <li key={p.id}>
                <span>
                  <strong>{p.name}</strong>{" "}
                  <span className="badge">
                    {p.scope === "all" ? "すべてのイベント" : "このイベント"}
                  </span>
                  <span className="small muted" style={{ display: "block" }}>
                    {p.columns.map((key) => labelOf(data.available, key)).join("・")}
                  </span>
                </span>
                <span className="actions">
                  <Link className="button button--secondary" to={presetHref(p.id)}>
                    適用
                  </Link>
                  <Form method="post">
                    <input type="hidden" name="intent" value="delete_preset" />
                    <input type="hidden" name="preset_id" value={p.id} />
                    <button type="submit" className="button button--danger">
                      削除
                    </button>
                  </Form>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {data.courseLists.length > 0 ? (
        <section>
          <h3>コース・分科会ごとの名簿(担当者用)</h3>
          <p className="small muted">
            確定した申込者を、氏名・所属・設問の回答・配慮事項とともに出力します。
          </p>
          <div {...scrollRegion("コース・分科会ごとの名簿")}>
            <table className="list">
              <thead>
                <tr>
                  <th>コース・分科会</th>
                  <th>担当</th>
                  <th>ダウンロード</th>
                </tr>
              </thead>
              <tbody>
                {data.courseLists.map((c) => (
                  <tr key={c.id}>
                    <td>{c.label}</td>
                    <td>{c.facilitator}</td>
                    <td className="actions">
                      <a href={c.csv}>CSV</a>
                      <a href={c.xlsx}>Excel</a>
                      {data.fontMissing ? null : <a href={c.roster}>PDF名簿</a>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </section>
  );
}

function labelOf(available: { key: string; label: string }[], key: string): string {
  if (key === "questions") return "設問の回答(すべて)";
  return available.find((c) => c.key === key)?.label ?? key;
}

type ShiftJisReport = NonNullable<SerializeFrom<typeof loader>["shiftJis"]>;

function ShiftJisWarning({ report }: { report: ShiftJisReport }) {
  return (
    <div className="notice notice--warn" role="alert">
      <p>
        <strong>Shift_JISでは表せない文字が{report.total}か所あります。</strong>
        このままダウンロードすると、下の表のとおり近い字形(または〓)に置き換えて出力します。正確な表記が必要な場合は
        UTF-8(BOM付き)を選んでください。
      </p>
      <div {...scrollRegion("ダウンロードの記録")}>
        <table className="list">
          <thead>
            <tr>
              <th>申込者</th>
              <th>受付番号</th>
              <th>項目</th>
              <th>置き換え</th>
            </tr>
          </thead>
          <tbody>
            {report.problems.map((p) => (
              <tr key={`${p.registrationId ?? "header"}-${p.column}`}>
                <td>{p.name}</td>
                <td>{p.ticketCode}</td>
                <td>{p.column}</td>
                <td>{p.chars.map((c) => `${c.char} → ${c.becomes}`).join("、")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.total > report.problems.length ? (
        <p className="small">ほか{report.total - report.problems.length}か所</p>
      ) : null}
    </div>
  );
}

type Progress =
  | { phase: "idle" }
  | { phase: "loading"; bytes: number; rows: number; total: number }
  | { phase: "done"; bytes: number; rows: number }
  | { phase: "error"; message: string };

function fileNameOf(disposition: string | null): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i)?.[1];
  if (star) return decodeURIComponent(star);
  return disposition?.match(/filename="([^"]+)"/)?.[1] ?? "export";
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A plain download link; with JavaScript, the file is fetched through a
 * stream reader so the page can show bytes (and, for CSV, rows) against the
 * expected row count, then handed to the browser to save.
 */
function DownloadLink(props: {
  href: string;
  label: string;
  expected: number;
  countsRows: boolean;
}) {
  const [progress, setProgress] = useState<Progress>({ phase: "idle" });
  const onClick = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (typeof ReadableStream === "undefined" || progress.phase === "loading") return;
    event.preventDefault();
    setProgress({ phase: "loading", bytes: 0, rows: 0, total: props.expected });
    try {
      const response = await fetch(props.href, { credentials: "same-origin" });
      if (!response.ok || !response.body) {
        setProgress({ phase: "error", message: await response.text() });
        return;
      }
      const total = Number(response.headers.get("X-Row-Count") ?? props.expected);
      const reader = response.body.getReader();
      const parts: BlobPart[] = [];
      let bytes = 0;
      let records = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value as Uint8Array<ArrayBuffer>);
        bytes += value.byteLength;
        // every CSV record ends in CRLF; a line break inside a value is a lone LF
        if (props.countsRows) for (const b of value) if (b === 13) records++;
        setProgress({ phase: "loading", bytes, rows: Math.max(0, records - 1), total });
      }
      const blob = new Blob(parts, {
        type: response.headers.get("Content-Type") ?? "application/octet-stream",
      });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = fileNameOf(response.headers.get("Content-Disposition"));
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setProgress({ phase: "done", bytes, rows: Math.max(0, records - 1) });
    } catch {
      setProgress({
        phase: "error",
        message: "ダウンロードが途中で止まりました。通信状況を確認して、もう一度お試しください。",
      });
    }
  };
  return (
    <div className="download">
      <p>
        <a className="button" href={props.href} onClick={onClick} data-testid="export-download">
          {progress.phase === "loading" ? "作成中…" : props.label}
        </a>
      </p>
      <div aria-live="polite" className="small">
        {progress.phase === "loading" ? (
          <>
            {props.countsRows && progress.total > 0 ? (
              <progress value={progress.rows} max={progress.total} />
            ) : (
              <progress />
            )}
            <span>
              {props.countsRows
                ? `${progress.rows.toLocaleString("ja-JP")} / ${progress.total.toLocaleString("ja-JP")}件`
                : `全${progress.total.toLocaleString("ja-JP")}件`}
              (受信 {megabytes(progress.bytes)})
            </span>
          </>
        ) : null}
        {progress.phase === "done" ? (
          <span role="status">
            ダウンロードが完了しました
            {props.countsRows ? `(${progress.rows.toLocaleString("ja-JP")}件、` : "("}
            {megabytes(progress.bytes)})。
          </span>
        ) : null}
        {progress.phase === "error" ? (
          <span className="error" role="alert" style={{ whiteSpace: "pre-line" }}>
            {progress.message}
          </span>
        ) : null}
      </div>
    </div>
  );
}
