import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "アカウントを削除しました | 自治研イベント" }];

/** Where a deletion lands: the session is already gone. */
export default function Deleted() {
  return (
    <section>
      <h1>アカウントを削除しました</h1>
      <p role="status">
        ご利用ありがとうございました。確認のメールをお送りしました。今後のイベントの申込はキャンセルし、過去の申込からは個人情報を削除しました。
      </p>
      <p>
        <Link className="tap" to="/">
          イベント一覧へ
        </Link>
      </p>
    </section>
  );
}
