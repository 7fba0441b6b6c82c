import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConsentFieldset } from "../components/consent-fieldset";
import { ChoiceGroup, ErrorSummary, TextAreaField, TextField } from "../components/field";
import { SeatsLeft } from "../components/seats-left";
import { requireMember } from "../domain/auth.server";
import { DomainError, ERROR_MESSAGES } from "../domain/errors.server";
import { membersOnlyRefusal } from "../domain/membership.server";
import { registrationState } from "../domain/events.server";
import { getConsentContext, readConsent } from "../domain/privacy.server";
import {
  getRegistrationForm,
  listMyRegistrations,
  type RegistrationForm,
  register,
  registrationSchema,
  toRegistrationInput,
} from "../domain/registrations.server";
import { answer, domainAction, invalidFormAnswer, notFound } from "../utils/action.server";
import { eventFormat } from "../utils/event-format";
import { formatDate, formatDateTime, formatRange } from "../utils/format";
import { parseForm } from "../utils/forms";
import { courseWord } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `申込: ${data.form.title} | 自治研イベント` : "申込 | 自治研イベント" },
];

async function load(request: Request, context: Parameters<typeof requireMember>[1], slug: string) {
  const user = await requireMember(request, context);
  const form = await getRegistrationForm(context.db, slug);
  if (!form) notFound("イベント");
  return { user, form };
}

/**
 * Why the member cannot register here, as the refusal's own code: the same
 * codes and words register() would answer with.
 */
function refusalOf(form: RegistrationForm, alreadyRegistered: boolean) {
  if (alreadyRegistered) return "already_registered" as const;
  const { state } = registrationState(form);
  if (state === "open") return undefined;
  return state === "not_yet" || (state === "closed" && form.status === "published")
    ? ("window_closed" as const)
    : ("event_not_open" as const);
}

async function myRegistration(
  context: Parameters<typeof requireMember>[1],
  personId: string,
  eventId: number,
) {
  return (await listMyRegistrations(context.db, personId)).find(
    (r) => r.event_id === eventId && r.status !== "cancelled",
  );
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, form } = await load(request, context, params.slug ?? "");
  const mine = await myRegistration(context, user.id, form.id);
  const membersOnly = form.members_only ? membersOnlyRefusal(user) : undefined;
  const refusal = refusalOf(form, Boolean(mine));
  const state = registrationState(form);
  return {
    form,
    refusal: refusal
      ? {
          code: refusal,
          message: ERROR_MESSAGES[refusal],
          opensAt: state.state === "not_yet" ? (state.window?.opens_at ?? null) : null,
        }
      : undefined,
    needsBirthDate: form.max_age !== null && !user.birth_date,
    membersOnly: membersOnly
      ? { code: membersOnly, message: ERROR_MESSAGES[membersOnly] }
      : undefined,
    consent: await getConsentContext(context.db, form.id),
  };
}

/**
 * Three steps, as Peatix and connpass users expect: 入力 → 確認 → 完了.
 * intent=confirm checks the form on the server and answers the confirmation
 * page (nothing is written); intent=edit goes back to the form with what was
 * typed; intent=register (申し込む on the confirmation page) registers. A post
 * without an intent registers at once, as it did before the confirmation
 * step (scripts and the API-less clients that post the form).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, form } = await load(request, context, params.slug ?? "");
  const needsBirthDate = form.max_age !== null && !user.birth_date;
  const arrays = [
    "session",
    ...form.questions.filter((q) => q.kind === "multiple").map((q) => `q_${q.id}`),
  ];
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "register");
  const parsed = parseForm(registrationSchema(form, { needsBirthDate }), formData, arrays);
  const values = parsed.values;
  delete values.intent;
  if (intent === "edit") return answer({ ok: true, intent: "edit", values });
  const consent = readConsent(formData);
  const consentError = consentRefusal(consent, {
    dietary: formData.get("dietary_needs"),
    accessibility: formData.get("accessibility_needs"),
  });
  if (!parsed.ok) {
    // Every field's message at once, the consent's among them.
    const errors = consentError?.field
      ? { ...parsed.errors, [consentError.field]: consentError.message }
      : parsed.errors;
    return invalidFormAnswer({ errors, values }, intent);
  }
  const input = toRegistrationInput(form, parsed.data);
  if (intent === "confirm") {
    return domainAction(
      async () => {
        const refusal = refusalOf(form, Boolean(await myRegistration(context, user.id, form.id)));
        if (refusal) throw new DomainError(refusal);
        if (consentError) throw consentError;
        return { ok: true, intent: "confirm", values };
      },
      { values, intent },
    );
  }
  return domainAction(
    async () => {
      const result = await register(context.db, {
        slug: form.slug,
        form,
        personId: user.id,
        person: user,
        input,
        consent,
        appUrl: context.appUrl,
      });
      return redirect(`/me?registered=${result.id}`);
    },
    { values, intent: "register" },
  );
}

/**
 * The consent the registration will ask for (privacy.server.ts checks the
 * version again when it writes): its refusal, checked before the
 * confirmation page and alongside the other fields.
 */
function consentRefusal(
  consent: ReturnType<typeof readConsent>,
  needs: { dietary: unknown; accessibility: unknown },
) {
  if (consent.noticeVersion === null)
    return new DomainError("consent_required", { field: "privacy_consent" });
  const filled = (v: unknown) => typeof v === "string" && v.trim() !== "";
  if ((filled(needs.dietary) || filled(needs.accessibility)) && !consent.needs) {
    return new DomainError("needs_consent_required", { field: "needs_consent" });
  }
  return undefined;
}

export default function Register() {
  const { form, refusal, needsBirthDate, membersOnly, consent } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  // The event's word for a course (分科会, コース): one variable, used by every line below.
  const word = courseWord(form);
  const errors: Record<string, string> = (result && !result.ok ? result.errors : undefined) ?? {};
  const values = result?.values ?? {};
  const one = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const many = (name: string) => (Array.isArray(values[name]) ? (values[name] as string[]) : []);
  const anyFull =
    (form.capacity !== null && form.taken >= form.capacity) ||
    form.courses.some((c) => c.capacity !== null && c.taken >= c.capacity);
  const confirming = result?.ok === true && result.intent === "confirm";

  const header = (
    <>
      <p className="small">
        <Link className="back-link" to={`/events/${form.slug}`}>
          ← イベントの詳細へ
        </Link>
      </p>
      <h1>{form.title}</h1>
      <p className="muted">{formatRange(form.starts_at, form.ends_at)}</p>
    </>
  );
  if (refusal) {
    return (
      <section>
        {header}
        <p className="notice notice--warn" role="status" data-code={refusal.code}>
          {refusal.message}
          {refusal.opensAt ? ` 申込受付は${formatDateTime(refusal.opensAt)}からです。` : ""}
        </p>
        {refusal.code === "already_registered" ? (
          <Link to="/me" className="button">
            マイページで申込内容を見る
          </Link>
        ) : null}
      </section>
    );
  }
  if (membersOnly) {
    return (
      <section>
        {header}
        <p className="notice notice--warn" role="status">
          {membersOnly.message}
        </p>
        {membersOnly.code === "members_only" ? (
          <Link
            to={`/profile?next=${encodeURIComponent(`/events/${form.slug}/register`)}`}
            className="button"
          >
            プロフィールで所属単組を登録する
          </Link>
        ) : null}
      </section>
    );
  }
  const steps = (
    <ol className="steps" aria-label="申込の手順">
      <li aria-current={confirming ? undefined : "step"}>1. 入力</li>
      <li aria-current={confirming ? "step" : undefined}>2. 確認</li>
      <li>3. 完了</li>
    </ol>
  );
  if (confirming) {
    const course = form.courses.find((c) => String(c.id) === one("course"));
    const sessions = form.sessions.filter(
      (s) => !s.optional || many("session").includes(String(s.id)),
    );
    const rows: [string, string][] = [];
    if (form.courses.length > 0)
      rows.push([`参加する${word}`, course ? `${course.code} ${course.title}` : ""]);
    if (form.sessions.length > 0)
      rows.push(["参加する日程・企画", sessions.map((s) => s.title).join("\n") || "なし"]);
    for (const q of form.questions) {
      const v = values[`q_${q.id}`];
      rows.push([q.label, (Array.isArray(v) ? v.join("、") : (v ?? "")) || "(回答なし)"]);
    }
    if (needsBirthDate) rows.push(["生年月日", one("birth_date")]);
    rows.push(["食事の配慮(アレルギー等)", one("dietary_needs") || "なし"]);
    rows.push(["配慮が必要なこと", one("accessibility_needs") || "なし"]);
    rows.push(["個人情報の取扱い", `第${one("privacy_version")}版に同意する`]);
    if (one("needs_consent") === "on") rows.push(["配慮事項の利用", "同意する"]);
    rows.push([
      "満席の場合",
      one("waitlist") === "on" ? "キャンセル待ちに登録する" : "申し込まない",
    ]);
    return (
      <section>
        {header}
        {steps}
        <h2 id="confirm-title" tabIndex={-1} ref={(el) => el?.focus()}>
          申込内容の確認
        </h2>
        <p>まだ申込は完了していません。内容をご確認のうえ「申し込む」を押してください。</p>
        <dl className="confirm-list">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <Form method="post" className="confirm-actions">
          {Object.entries(values).flatMap(([name, v]) =>
            (Array.isArray(v) ? v : [v]).map((one, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the same name may repeat
              <input key={`${name}-${i}`} type="hidden" name={name} value={one} />
            )),
          )}
          <button
            type="submit"
            name="intent"
            value="edit"
            className="button button--secondary"
            disabled={busy}
          >
            修正する
          </button>
          <button
            type="submit"
            name="intent"
            value="register"
            className="button button--large"
            disabled={busy}
          >
            {busy ? "送信中…" : "申し込む"}
          </button>
        </Form>
      </section>
    );
  }
  return (
    <section>
      {header}
      {steps}
      <Form method="post" className="form" noValidate>
        <ErrorSummary
          message={result && !result.ok ? result.message : undefined}
          errors={errors}
          code={result && !result.ok ? result.code : undefined}
        />

        {form.courses.length > 0 ? (
          <ChoiceGroup
            name="course"
            type="radio"
            required
            legend={`参加する${word}`}
            error={errors.course}
            options={form.courses.map((c) => {
              const left = c.capacity === null ? null : Math.max(0, c.capacity - c.taken);
              return {
                value: c.id,
                defaultChecked: one("course") === String(c.id),
                label: (
                  <>
                    <strong>
                      {c.code} {c.title}
                    </strong>
                    {c.audience ? (
                      <span className="small muted" style={{ display: "block" }}>
                        {c.audience}
                      </span>
                    ) : null}
                    {c.facilitator ? (
                      <span className="small" style={{ display: "block" }}>
                        ファシリテーター: {c.facilitator}
                      </span>
                    ) : null}
                    {c.adviser ? (
                      <span className="small" style={{ display: "block" }}>
                        アドバイザー: {c.adviser}
                      </span>
                    ) : null}
                    <span className="small" style={{ display: "block" }}>
                      {c.allocation === "waitlist_only" ? (
                        <span className="seats seats--few">
                          抽選・調整のため、いったんキャンセル待ちで受け付けます
                        </span>
                      ) : (
                        <SeatsLeft left={left} />
                      )}
                    </span>
                  </>
                ),
              };
            })}
          />
        ) : null}

        {form.sessions.length > 0 ? (
          <ChoiceGroup
            name="session"
            type="checkbox"
            unmarked
            legend="参加する日程・企画"
            error={errors.session}
            options={form.sessions.map((s) => {
              const left = s.capacity === null ? null : Math.max(0, s.capacity - s.taken);
              return {
                value: s.id,
                name: s.optional ? "session" : null,
                disabled: !s.optional,
                defaultChecked: !s.optional || many("session").includes(String(s.id)),
                label: (
                  <>
                    <strong>{s.title}</strong>
                    <span className="small" style={{ display: "block" }}>
                      {formatRange(s.starts_at, s.ends_at)}
                      {s.optional ? "(希望者のみ)" : "(全員参加)"}
                    </span>
                    {s.capacity !== null ? (
                      <span className="small" style={{ display: "block" }}>
                        <SeatsLeft left={left} />
                      </span>
                    ) : null}
                  </>
                ),
              };
            })}
          />
        ) : null}

        {form.questions.map((q) => {
          const name = `q_${q.id}`;
          const options = q.options as string[];
          if (q.kind === "text") {
            return (
              <TextAreaField
                key={q.id}
                name={name}
                label={q.label}
                required={q.required}
                error={errors[name]}
                rows={3}
                defaultValue={one(name)}
                maxLength={1000}
              />
            );
          }
          return (
            <ChoiceGroup
              key={q.id}
              name={name}
              type={q.kind === "single" ? "radio" : "checkbox"}
              required={q.required}
              legend={q.label}
              error={errors[name]}
              options={options.map((option) => ({
                value: option,
                label: option,
                defaultChecked:
                  q.kind === "single" ? one(name) === option : many(name).includes(option),
              }))}
            />
          );
        })}

        {needsBirthDate ? (
          <TextField
            name="birth_date"
            type="date"
            label="生年月日"
            required
            error={errors.birth_date}
            hint={`このイベントは初日(${formatDate(form.starts_at)})時点で${form.max_age}歳以下の方が対象です。`}
            autoComplete="bday"
            defaultValue={one("birth_date")}
          />
        ) : null}

        {eventFormat(form) !== "online" ? (
          <TextAreaField
            name="dietary_needs"
            label="食事の配慮(アレルギー等)"
            error={errors.dietary_needs}
            rows={2}
            maxLength={500}
            defaultValue={one("dietary_needs")}
          />
        ) : null}
        <TextAreaField
          name="accessibility_needs"
          label="配慮が必要なこと(車いす・手話通訳等)"
          error={errors.accessibility_needs}
          rows={2}
          maxLength={500}
          defaultValue={one("accessibility_needs")}
        />

        <ConsentFieldset
          notice={consent.notice}
          purposes={consent.purposes}
          errors={errors}
          values={values}
          asksMeals={eventFormat(form) !== "online"}
        />

        <label className="choice">
          <input
            type="checkbox"
            name="waitlist"
            value="on"
            defaultChecked={result ? one("waitlist") === "on" : true}
          />
          <span>
            満席の場合はキャンセル待ちに登録する
            <span className="small muted" style={{ display: "block" }}>
              {anyFull ? "現在満席の枠があります。" : ""}
              空きが出たら申込順に繰り上げ、メールでお知らせします。
            </span>
          </span>
        </label>

        <button
          type="submit"
          name="intent"
          value="confirm"
          className="button button--large"
          disabled={busy}
        >
          {busy ? "確認中…" : "確認する"}
        </button>
      </Form>
    </section>
  );
}
