import type { HeadersFunction } from "@remix-run/node";

/**
 * The `headers` of a page that is the same for everyone who asks: shared
 * caches, and the app's own page cache (app/page-cache.ts), may keep it one
 * second. Browsers still ask again each time (max-age=0).
 */
export const publicPageHeaders: HeadersFunction = () => ({
  "Cache-Control": "public, max-age=0, s-maxage=1",
});
