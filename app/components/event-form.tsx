import { Form } from "@remix-run/react";
import { COURSE_WORDS, EVENT_KIND_LABELS } from "../utils/labels";
import { describedBy, Field, FormError } from "./field";

export type EventFormValues = Record<string, string | string[] | boolean | null | undefined>;

/** The event's own fields, shared by "create" and "edit". */
export function EventForm(props: {
  values: EventFormValues;
  errors: Record<string, string>;
  submitLabel: string;
  warning?: string;
}) {
  const { values, errors } = props;
  const v = (name: string) => {
    const value = values[name];
    return typeof value === "string"
      ? value
      : value === null || value === undefined
        ? ""
        : String(value);
  };
  const input = (
    name: string,
    label: string,
    options: { type?: string; required?: boolean; hint?: string } = {},
  ) => (
    <Field
      id={name}
      label={label}
      required={options.required}
      error={errors[name]}
      hint={options.hint}
    >
      <input
        {...describedBy(name, errors[name], options.hint)}
        type={options.type ?? "text"}
        name={name}
        defaultValue={v(name)}
      />
    </Field>
  );
  return (
    <Form method="post" className="form" noValidate>
      <input type="hidden" name="intent" value="save" />
      <FormError message={errors._form} errors={errors} />
      {props.warning ? (
        <div className="notice notice--warn" role="alert">
          {props.warning}
          <input type="hidden" name="confirmed" value="on" />
        </div>
      ) : null}
      {input("title", "イベント名", { required: true })}
      {input("slug", "URL名", {
        required: true,
        hint: "半角英小文字・数字・ハイフン。例: kenshukai-21(/events/kenshukai-21 になります)",
      })}
      <Field id="kind" label="種別" required error={errors.kind}>
        <select {...describedBy("kind", errors.kind)} name="kind" defaultValue={v("kind")}>
          <option value="">選択してください</option>
          {Object.entries(EVENT_KIND_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="course_word"
        label="選択肢の呼び方"
        error={errors.course_word}
        hint="申込者が選ぶコース・分科会の呼び方。申込フォーム・エラー・メール・マイページ・名簿・受付で使います。未選択なら種別から決まります(オンラインセミナーはコース、ほかは分科会)。"
      >
        <select
          {...describedBy("course_word", errors.course_word, "hint")}
          name="course_word"
          defaultValue={v("course_word")}
        >
          <option value="">種別から決める</option>
          {COURSE_WORDS.map((word) => (
            <option key={word} value={word}>
              {word}
            </option>
          ))}
        </select>
      </Field>
      {input("summary", "概要(一覧に表示)")}
      <Field id="description" label="企画の説明" error={errors.description}>
        <textarea
          {...describedBy("description", errors.description)}
          name="description"
          rows={5}
          defaultValue={v("description")}
        />
      </Field>
      <div className="row-2">
        {input("starts_at", "開始日時", { type: "datetime-local", required: true })}
        {input("ends_at", "終了日時", { type: "datetime-local", required: true })}
      </div>
      {input("venue_name", "会場名", { hint: "オンラインのみの場合は空欄" })}
      {input("venue_address", "会場の住所")}
      <div className="row-2">
        {input("venue_phone", "会場の電話番号", { type: "tel" })}
        {input("venue_map_url", "地図のURL", { type: "url" })}
      </div>
      <div className="row-2">
        {input("online_label", "オンラインの表示", { hint: "例: オンライン(Zoom)" })}
        {input("online_url", "オンライン参加URL", {
          type: "url",
          hint: "確定した申込者だけに表示されます",
        })}
      </div>
      <label className="choice">
        <input
          type="checkbox"
          name="members_only"
          value="on"
          defaultChecked={values.members_only === true || values.members_only === "on"}
        />
        <span>組合員限定(ログインと所属単組が必要)</span>
      </label>
      <div className="row-2">
        {input("capacity", "定員", { hint: "空欄は制限なし" })}
        {input("max_age", "年齢制限(初日時点で○歳以下)", { hint: "空欄は制限なし" })}
      </div>
      <div className="row-2">
        {input("opens_at", "申込開始", { type: "datetime-local", required: true })}
        {input("closes_at", "申込締切", { type: "datetime-local", required: true })}
      </div>
      {input("cancellation_deadline", "キャンセル期限", {
        type: "datetime-local",
        hint: "空欄は開始日時まで",
      })}
      {input("notes", "お知らせ")}
      {input("privacy_purposes", "個人情報の追加の利用目的", {
        hint: "例: 名簿を開催県本部と共有します/当日の写真を機関紙に掲載します。申込画面に表示し、同意をいただきます。",
      })}
      <button type="submit" className="button button--large">
        {props.warning ? "この内容で保存する" : props.submitLabel}
      </button>
    </Form>
  );
}
