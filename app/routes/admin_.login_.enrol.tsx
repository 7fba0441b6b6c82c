import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "../components/field";
import { RecoveryCodes, TotpEnrolForm } from "../components/totp";
import { getPendingSession, getUser, safeNext } from "../domain/auth.server";
import { enrolTotpAtSignIn, getTotpState } from "../domain/staff.server";
import { actionOk, type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { parseForm } from "../utils/forms";

export const meta: MetaFunction = () => [{ title: "2段階認証の設定 | 自治研イベント" }];

const schema = z.object({
  code: z.string().trim().min(1, "確認コードを入力してください").max(20, "確認コードが長すぎます"),
  secret: z.string().max(64, "画面を再読み込みして、もう一度QRコードを読み取ってください"),
});

const nextOf = (request: Request) => {
  const next = new URL(request.url).searchParams.get("next");
  return next?.startsWith("/") ? safeNext(next) : "/admin";
};

/**
 * When the site requires a second factor, a staff member without one comes
 * here after their password, and can do nothing else until it is set up.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await getPendingSession(context.db, request, "enrol");
  if (!pending) {
    // Just enrolled (the session is now a full one): the page shows the recovery codes.
    if (await getUser(context.db, request)) return { qr: "", secret: "", next: nextOf(request) };
    throw redirect("/admin/login");
  }
  const state = await getTotpState(context.db, pending.user);
  if (state.enabled) throw redirect("/admin/login");
  return { qr: state.qr, secret: state.secret, next: nextOf(request) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const pending = await getPendingSession(context.db, request, "enrol");
  if (!pending) throw redirect("/admin/login");
  const form = parseForm(schema, await request.formData());
  if (!form.ok) return invalidForm(form);
  return domainAction(async () => {
    const { recoveryCodes } = await enrolTotpAtSignIn(context.db, {
      pendingToken: pending.token,
      user: pending.user,
      secret: form.data.secret,
      code: form.data.code,
    });
    return actionOk("2段階認証を有効にしました。", { recoveryCodes });
  });
}

export default function TotpEnrolAtSignIn() {
  const { qr, secret, next } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const codes = result?.ok ? (result.data?.recoveryCodes as string[]) : undefined;
  return (
    <section>
      <h1>2段階認証の設定</h1>
      {codes ? (
        <>
          <RecoveryCodes codes={codes} />
          <Link to={next} className="button button--large">
            控えたので、続ける
          </Link>
        </>
      ) : (
        <>
          <p>
            このサイトでは、スタッフ全員に2段階認証(パスワードと、スマートフォンの認証アプリの確認コード)が必要です。設定するとログインが完了します。
          </p>
          <FormError
            message={result && !result.ok && !result.errors?.code ? result.message : undefined}
          />
          <TotpEnrolForm
            qr={qr}
            secret={secret}
            action={`/admin/login/enrol?next=${encodeURIComponent(next)}`}
            error={result?.errors?.code}
          />
        </>
      )}
    </section>
  );
}
