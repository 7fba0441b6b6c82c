import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../domain/permissions.server";

const ROLE_LABELS = {
  admin: "管理者",
  organiser: "主催担当",
  secretary: "単組書記長",
  reception: "受付",
} as const;

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
          {user.role === "admin" ? <Link to="/admin/unions">単組</Link> : null}
          {user.role === "secretary" && user.organisation_id ? (
            <Link to={`/admin/unions/${user.organisation_id}`}>組合員の確認</Link>
          ) : null}
          {user.role === "admin" ? <Link to="/admin/privacy">個人情報</Link> : null}
        </nav>
        <span className="small muted">
          {user.family_name} {user.given_name}(
          {ROLE_LABELS[user.role as keyof typeof ROLE_LABELS] ?? user.role})
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
