import type { MetaDescriptor, MetaFunction } from "@remix-run/node";

export const SITE_NAME = "自治研イベント";

/**
 * A page's <title>: its own name first, then where it sits, then the site,
 * e.g. 「申込者 | 第20回県集会 | イベント管理 | 自治研イベント」. Empty parts are left out.
 */
export function pageTitle(...parts: (string | null | undefined)[]): string {
  return [...parts.filter((p): p is string => Boolean(p)), SITE_NAME].join(" | ");
}

export function titleMeta(...parts: (string | null | undefined)[]): MetaDescriptor[] {
  return [{ title: pageTitle(...parts) }];
}

/**
 * The meta of one tab of an event's staff pages: the tab's name, then the
 * event's title from the layout route (routes/admin.events.$id), so that each
 * tab has a title of its own.
 */
export function eventTabMeta(name: string): MetaFunction {
  return ({ matches }) => {
    const layout = matches.find((m) => m.id === "routes/admin.events.$id")?.data as
      | { event?: { title?: string } }
      | undefined;
    return titleMeta(name, layout?.event?.title, "イベント管理");
  };
}

/** The title of an error page: what went wrong, not the site's generic name. */
export function errorTitle(status: number | undefined): string {
  if (status === 404) return pageTitle("ページが見つかりません");
  if (status === 403) return pageTitle("権限がありません");
  if (status === 503) return pageTitle("ただいまご利用いただけません");
  if (status !== undefined && status < 500) return pageTitle("リクエストを処理できません");
  return pageTitle("エラーが発生しました");
}
