import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { StaffAttestationFields } from "../components/consent-fieldset";
import { describedBy, Field, FormError } from "../components/field";
import { attendeeFilterOptions } from "../domain/attendees.server";
import { requireEventAccess } from "../domain/permissions.server";
import { readAttestation } from "../domain/privacy.server";
import { colleagueSchema, PROXY_ACCEPTED, registerOnBehalf } from "../domain/proxy.server";
import { parseForm } from "../utils/forms";
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { formErrors, formValuesOf } from "../utils/action-result";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, { eventId: params.id, permission: "attendees" });
  const options = await attendeeFilterOptions(context.db, access.eventId);
  const unions = access.unionId === null ? options.unions : options.unions.filter((u) => u.id === access.unionId);
  return { eventId: access.eventId, options: { ...options, unions } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, { eventId: params.id, permission: "attendees" });
  const formData = await request.formData();
  const form = parseForm(colleagueSchema, formData, ["session"]);
  if (!form.ok) return invalidForm(form);
  return domainAction(async () => {
    const result = await registerOnBehalf(context.db, {
      access,
      colleague: form.data,
      appUrl: context.appUrl,
      attestation: readAttestation(formData),
    });
    const name = `${form.data.family_name} ${form.data.given_name}`;
    return {
      ok: true,
      // A secretary gets one answer for every outcome (proxy.server.ts, ProxyResult).
      message:
        access.unionId !== null
          ? PROXY_ACCEPTED(name)
          : result.status === "confirmed"
            ? `${name}さんを申し込みました。本人に確認メールを送りました。`
            : `${name}さんをキャンセル待ち(${result.waitlistPosition}番目)で受け付けました。`,
    };
  }, { values: form.values });
}

export default function ProxyRegistration() {
  const { eventId, options } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const values = result && !result.ok ? formValuesOf(result) : {};
  const v = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const text = (name: string, label: string, props: Record<string, string> = {}) => (
    <Field id={name} label={label} required={!["dietary_needs", "accessibility_needs"].includes(name)} error={errors[name]}>
      <input {...describedBy(name, errors[name])} name={name} defaultValue={v(name)} {...props} />
    </Field>
  );
  return (
    <section>
      <p className="small">
        <Link to={`/admin/events/${eventId}/attendees`}>← 申込者一覧</Link>
      </p>
      <h2>代理で申し込む</h2>
      <p className="muted small">
        職場の組合員を1人ずつ申し込みます。まとめて申し込む場合は
        <Link to={`/admin/events/${eventId}/attendees/import`}>CSVで一括申込</Link>をご利用ください。
      </p>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="form" noValidate key={result?.ok ? result.message : "form"}>
        <FormError message={errors._form} />
        <div className="row-2">
          {text("family_name", "姓")}
          {text("given_name", "名")}
        </div>
        <div className="row-2">
          {text("family_name_kana", "セイ")}
          {text("given_name_kana", "メイ")}
        </div>
        {text("email", "メールアドレス", { type: "email" })}
        <Field id="organisation_id" label="所属単組" required error={errors.organisation_id}>
          <select {...describedBy("organisation_id", errors.organisation_id)} name="organisation_id" defaultValue={v("organisation_id")}>
            {options.unions.length > 1 ? <option value="">選択してください</option> : null}
            {options.unions.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
        {text("workplace", "職場")}
        {text("phone", "電話番号", { type: "tel" })}
        {options.courses.length > 0 ? (
          <Field id="course" label="コース・分科会" required error={errors.course}>
            <select {...describedBy("course", errors.course)} name="course" defaultValue={v("course")}>
              <option value="">選択してください</option>
              {options.courses
                .filter((c) => c.status === "active")
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.code} {c.title}
                  </option>
                ))}
            </select>
          </Field>
        ) : null}
        {text("dietary_needs", "食事の配慮")}
        {text("accessibility_needs", "配慮事項")}
        <StaffAttestationFields errors={errors} />
        <button type="submit" className="button button--large">
          申し込む
        </button>
      </Form>
    </section>
  );
}
