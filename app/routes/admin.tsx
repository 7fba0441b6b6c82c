import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../domain/permissions.server";
import { STAFF_ROLE_LABELS } from "../utils/labels";

/** The staff area's frame: who is signed in, and the staff menu. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireStaff(request, context);
  return { user };
}

export default function AdminLayout() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <div className="admin">
      <div className="admin-bar">
        <nav aria-label="スタッフメニュー" className="actions">
          <Link to="/admin">イベント管理</Link>
          <Link to="/admin/groups">専門部会</Link>
          <Link to="/admin/reports">レポート</Link>
          <Link to="/admin/api">API</Link>
          {user.role === "admin" ? <Link to="/admin/staff">スタッフ管理</Link> : null}
          <Link to="/admin/account">アカウント</Link>
          {user.role === "admin" ? <Link to="/admin/unions">単組</Link> : null}
          {user.role === "secretary" && user.organisation_id ? (
            <Link to={`/admin/unions/${user.organisation_id}`}>組合員の確認</Link>
          ) : null}
        </nav>
        <span className="small muted">
          {user.family_name} {user.given_name}(
          {STAFF_ROLE_LABELS[user.role as keyof typeof STAFF_ROLE_LABELS] ?? user.role})
        </span>
        <Form method="post" action="/logout">
          <button type="submit" className="button button--secondary">
            ログアウト
          </button>
        </Form>
      </div>
      <Outlet />
    </div>
  );
}
