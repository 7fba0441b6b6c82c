import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { SignUpNotice } from "../components/consent-fieldset";
import { describedBy, Field, FormError } from "../components/field";
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
    return invalidForm({ errors: { organisation_id: "所属単組を一覧から選択してください" }, values: form.values });
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
        <FormError
          message={Object.keys(errors).length ? "入力内容をご確認ください。" : undefined}
        />
        <p className="small muted">メールアドレス: {user.email}</p>
        <div className="row-2">
          <Field id="family_name" label="姓" required error={errors.family_name}>
            <input
              {...describedBy("family_name", errors.family_name)}
              name="family_name"
              autoComplete="family-name"
              defaultValue={value("family_name")}
              required
            />
          </Field>
          <Field id="given_name" label="名" required error={errors.given_name}>
            <input
              {...describedBy("given_name", errors.given_name)}
              name="given_name"
              autoComplete="given-name"
              defaultValue={value("given_name")}
              required
            />
          </Field>
        </div>
        <div className="row-2">
          <Field id="family_name_kana" label="セイ" required error={errors.family_name_kana}>
            <input
              {...describedBy("family_name_kana", errors.family_name_kana)}
              name="family_name_kana"
              defaultValue={value("family_name_kana")}
              placeholder="サトウ"
              required
            />
          </Field>
          <Field id="given_name_kana" label="メイ" required error={errors.given_name_kana}>
            <input
              {...describedBy("given_name_kana", errors.given_name_kana)}
              name="given_name_kana"
              defaultValue={value("given_name_kana")}
              placeholder="ハナコ"
              required
            />
          </Field>
        </div>
        {staff ? (
          <p className="small muted">
            所属単組: {union?.name ?? "なし(県本部・本部)"}
            (スタッフの所属は管理者が設定します。変更は管理者に依頼してください)
          </p>
        ) : (
          <Field
            id="organisation_id"
            label="所属単組"
            required
            error={errors.organisation_id}
            hint={MEMBERSHIP_HINTS[user.membership_status]}
          >
            <select
              {...describedBy("organisation_id", errors.organisation_id, "hint")}
              name="organisation_id"
              defaultValue={value("organisation_id")}
              required
            >
              <option value="">選択してください</option>
              {unions.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field
          id="workplace"
          label="職場"
          required
          error={errors.workplace}
          hint="例: 福島市役所 政策推進部"
        >
          <input
            {...describedBy("workplace", errors.workplace, "hint")}
            name="workplace"
            defaultValue={value("workplace")}
            required
          />
        </Field>
        <Field id="phone" label="電話番号" required error={errors.phone}>
          <input
            {...describedBy("phone", errors.phone)}
            type="tel"
            name="phone"
            autoComplete="tel"
            inputMode="tel"
            defaultValue={value("phone")}
            required
          />
        </Field>
        <button type="submit" className="button button--large">
          {first ? "登録して次へ" : "保存する"}
        </button>
      </Form>
    </section>
  );
}
