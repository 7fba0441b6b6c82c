import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { consumeLoginLink, sessionCookie } from "../domain/auth.server";
import { type ActionResult, domainAction } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "ログインの確認 | 自治研イベント" }];

/**
 * The link opens a page with one button. The token is used by the POST, not by
 * the GET, so that a mail scanner that follows links cannot use it up.
 */
export function loader({ request }: LoaderFunctionArgs) {
  return { token: new URL(request.url).searchParams.get("token") ?? "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const token = String((await request.formData()).get("token") ?? "");
  return domainAction(async () => {
    const { sessionToken, next } = await consumeLoginLink(context.db, token.slice(0, 200));
    return redirect(next, {
      headers: { "Set-Cookie": await sessionCookie.serialize(sessionToken) },
    });
  });
}

export default function VerifyLogin() {
  const { token } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  if ((result && !result.ok) || !token) {
    return (
      <section>
        <h1>ログインできませんでした</h1>
        <p className="notice notice--error">
          {result?.message ??
            "ログインリンクが正しくありません。メールのリンクをそのまま開いてください。"}
        </p>
        <p>
          <Link to="/login" className="button">
            ログインリンクをもう一度送る
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>ログイン</h1>
      <p>下のボタンを押すと、ログインが完了します。</p>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <button type="submit" className="button button--large">
          ログインする
        </button>
      </Form>
    </section>
  );
}
