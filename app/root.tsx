import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import { type ReactNode, useEffect } from "react";
import styles from "./styles.css";
import { SERVER_ERROR } from "./utils/labels";
import { errorTitle } from "./utils/meta";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.ico", sizes: "32x32" },
  { rel: "apple-touch-icon", href: "/apple-touch-icon.png" },
];

export const meta: MetaFunction = ({ error }) => [
  {
    title: error
      ? errorTitle(isRouteErrorResponse(error) ? error.status : undefined)
      : "自治研イベント | 自治労福島県本部",
  },
];

/**
 * A route's own web app manifest (the desk's, so that its home-screen icon
 * opens /checkin/:slug), else the site's.
 */
export type ManifestHandle = { manifest: (params: Record<string, string | undefined>) => string };

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Set once React has taken over the page: tests/e2e/every-route.test.ts waits
  // for it, so a page whose scripts fail to run or hydrate is caught.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "";
  }, []);
  const manifest =
    useMatches()
      .map((m) => (m.handle as Partial<ManifestHandle> | undefined)?.manifest?.(m.params))
      .filter(Boolean)
      .at(-1) ?? "/manifest.webmanifest";
  return (
    <html lang="ja">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#0b4f6c" />
        <meta name="apple-mobile-web-app-title" content="自治研イベント" />
        {/* Add to home screen: members' phones, and the reception desk full-screen. */}
        <link rel="manifest" href={manifest} />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          本文へスキップ
        </a>
        <header className="site-header">
          <div className="container site-header__inner">
            <Link to="/" className="site-title">
              自治研イベント
            </Link>
            <nav aria-label="メインメニュー" className="site-nav">
              <Link to="/">イベント一覧</Link>
              <Link to="/groups">専門部会</Link>
              <Link to="/me">マイページ</Link>
            </nav>
          </div>
        </header>
        <main id="main" className="container">
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">
            <p>自治労福島県本部 〒960-8042 福島市荒町1-21 協働会館4階 TEL 024-523-4324</p>
            <p>
              <Link to="/privacy">個人情報の取扱い</Link>
            </p>
          </div>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <section className="error-page">
        <h1>ページが見つかりません</h1>
        <p>お探しのページは移動したか、削除された可能性があります。URLをご確認ください。</p>
        <p>
          <Link className="tap" to="/">
            イベント一覧へ戻る
          </Link>
        </p>
      </section>
    );
  }
  if (isRouteErrorResponse(error) && error.status < 500) {
    return (
      <section className="error-page">
        <h1>
          {error.status === 403 ? "このページを見る権限がありません" : "リクエストを処理できません"}
        </h1>
        <p>{typeof error.data === "string" ? error.data : "入力内容をご確認ください。"}</p>
        <p>
          <Link className="tap" to="/">
            イベント一覧へ戻る
          </Link>
        </p>
      </section>
    );
  }
  if (isRouteErrorResponse(error) && error.status === 503 && typeof error.data === "string") {
    // The database is gone for a moment (app/server.ts): no bug, just wait.
    return (
      <section className="error-page">
        <h1>ただいまご利用いただけません</h1>
        <p>{error.data}</p>
        <p>
          <Link className="tap" to="/">
            イベント一覧へ戻る
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section className="error-page">
      <h1>{SERVER_ERROR.title}</h1>
      <p>{SERVER_ERROR.message}</p>
      <p>
        <Link className="tap" to="/">
          イベント一覧へ戻る
        </Link>
      </p>
    </section>
  );
}
