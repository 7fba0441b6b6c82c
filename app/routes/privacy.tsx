import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NoticeText } from "../components/consent-fieldset";
import { getNotice, listNotices } from "../domain/privacy.server";
import { formatDate } from "../utils/format";
import { notFound } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "個人情報の取扱い | 自治研イベント" }];

/** The privacy notice in force (or ?version=N, an earlier one), and every version with its date. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const versions = await listNotices(context.db);
  const asked = new URL(request.url).searchParams.get("version");
  const notice = asked === null ? versions[0] : await getNotice(context.db, Number(asked));
  if (!notice) notFound();
  return {
    notice,
    current: versions[0]?.version ?? notice.version,
    versions: versions.map((v) => ({ version: v.version, published_at: v.published_at })),
  };
}

export default function Privacy() {
  const { notice, current, versions } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>個人情報の取扱い</h1>
      <p className="muted">
        第{notice.version}版({formatDate(notice.published_at)}から)
        {notice.version === current ? "・現在の版" : "・以前の版"}
      </p>
      {notice.version !== current ? (
        <p className="notice notice--warn">
          これは以前の版です。<Link to="/privacy">現在の版を読む</Link>
        </p>
      ) : null}
      <NoticeText body={notice.body} />
      <h2>これまでの版</h2>
      <ul>
        {versions.map((v) => (
          <li key={v.version}>
            <Link to={`/privacy?version=${v.version}`}>第{v.version}版</Link>(
            {formatDate(v.published_at)})
          </li>
        ))}
      </ul>
      <p className="small">
        ご自身の情報の確認・ダウンロード・削除は、<Link to="/me/data">わたしのデータ</Link>
        から行えます。
      </p>
    </section>
  );
}
