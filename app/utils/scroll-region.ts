/**
 * The attributes of a box that scrolls sideways (a wide table on a phone):
 * keyboard users reach it with Tab and scroll it with the arrow keys, and a
 * screen reader announces what it holds (WCAG 2.1.1; axe's
 * scrollable-region-focusable). `<div {...scrollRegion("申込者の一覧")}>`.
 */
export function scrollRegion(label: string, className = "table-wrap") {
  return { className, tabIndex: 0, role: "region", "aria-label": label } as const;
}
