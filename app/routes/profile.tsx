import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { SignUpNotice } from "../components/consent-fieldset";
import { ErrorSummary, SelectField, TextField } from "../components/field";
import { requireUser, safeNext } from "../domain/auth.server";
import { listUnions, profileSchema, saveProfile } from "../domain/people.server";
import { isStaffRole, saveStaffProfile } from "../domain/staff.server";
import { parseForm } from "../utils/forms";
import { type ActionResult, invalidForm } from "../utils/action.server";
import { formErrors } from "../utils/action-result";

/** What the 所属単組 field says about the member's confirmation. */
const MEMBERSHIP_HINTS = {
  none: "組合員限定のイベントへの申込や資料の閲覧は、所属単組が組合員であることを確認してからになります。",
  pending: "所属単組で組合員であることを確認中です。確認が済むとメールでお知らせします。",
  confirmed:
    "所属単組で組合員として確認済みです。単組を変更すると、新しい単組で改めて確認を受けます。",
  declined:
    "選択した単組では組合員として確認できませんでした。選択に誤りがあれば選び直してください。",
} as const;

export const meta: MetaFunction = () => [{ title: "プロフィール | 自治研イベント" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return {
    user,
    unions: await listUnions(context.db),
    next: safeNext(new URL(request.url).searchParams.get("next")),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  if (isStaffRole(user.role)) {
    // A staff member's 単組 is given by an administrator: never read from this form.
    const form = parseForm(profileSchema.omit({ organisation_id: true }), await request.formData());
    if (!form.ok) return invalidForm(form);
    await saveStaffProfile(context.db, { personId: user.id, input: form.data });
    return redirect(safeNext(new URL(request.url).searchParams.get("next")));
  }
  const form = parseForm(profileSchema, await request.formData());
  if (!form.ok) return invalidForm(form);
  const saved = await saveProfile(context.db, { personId: user.id, input: form.data });
  if (saved === undefined) {
    return invalidForm({
      errors: { organisation_id: "所属単組を一覧から選択してください" },
      values: form.values,
    });
  }
  return redirect(safeNext(new URL(request.url).searchParams.get("next")));
}

export default function Profile() {
  const { user, unions, next } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const value = (name: keyof typeof user) => {
    const submitted = result?.values?.[name];
    if (typeof submitted === "string") return submitted;
    const current = user[name];
    return current === null || current === undefined ? "" : String(current);
  };
  const first = !user.profile_completed_at;
  const staff = user.role !== "member";
  const union = unions.find((u) => u.id === user.organisation_id);
  return (
    <section>
      <h1>{first ? "プロフィールの登録" : "プロフィール"}</h1>
      {first ? <p>はじめに、お名前と所属を登録してください。次回からは入力不要です。</p> : null}
      {first ? <SignUpNotice /> : null}
      <Form
        method="post"
        action={`/profile?next=${encodeURIComponent(next)}`}
        className="form"
        noValidate
      >
        <ErrorSummary errors={errors} />
        <p className="small muted">メールアドレス: {user.email}</p>
        <div className="row-2">
          <TextField
            name="family_name"
            label="姓"
            required
            error={errors.family_name}
            autoComplete="family-name"
            defaultValue={value("family_name")}
          />
          <TextField
            name="given_name"
            label="名"
            required
            error={errors.given_name}
            autoComplete="given-name"
            defaultValue={value("given_name")}
          />
        </div>
        <div className="row-2">
          <TextField
            name="family_name_kana"
            label="セイ"
            required
            error={errors.family_name_kana}
            autoComplete="off"
            placeholder="カタカナ"
            defaultValue={value("family_name_kana")}
          />
          <TextField
            name="given_name_kana"
            label="メイ"
            required
            error={errors.given_name_kana}
            autoComplete="off"
            placeholder="カタカナ"
            defaultValue={value("given_name_kana")}
          />
        </div>
        {staff ? (
          <p className="small muted">
            所属単組: {union?.name ?? "なし(県本部・本部)"}
            (スタッフの所属は管理者が設定します。変更は管理者に依頼してください)
          </p>
        ) : (
          <SelectField
            name="organisation_id"
            label="所属単組"
            required
            error={errors.organisation_id}
            hint={MEMBERSHIP_HINTS[user.membership_status]}
            defaultValue={value("organisation_id")}
            placeholder="選択してください"
            options={unions.map((u) => ({ value: u.id, label: u.name }))}
          />
        )}
        <TextField
          name="workplace"
          label="職場"
          required
          error={errors.workplace}
          hint="所属先の部署名まで(例: 福島市役所 政策推進部)"
          autoComplete="organization"
          defaultValue={value("workplace")}
        />
        <TextField
          name="phone"
          type="tel"
          label="電話番号"
          required
          error={errors.phone}
          hint="日中に連絡のつく番号。ハイフンはあってもなくても構いません"
          autoComplete="tel"
          inputMode="tel"
          defaultValue={value("phone")}
        />
        <button type="submit" className="button button--large">
          {first ? "登録して次へ" : "保存する"}
        </button>
      </Form>
    </section>
  );
}
