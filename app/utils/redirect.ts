/**
 * The one check for where a request may send the browser next (`next`,
 * `redirectTo`): the target is resolved the way a browser resolves it,
 * against this site's own origin, and kept only when it stays on that origin.
 * `/\evil.example`, `/%5Cevil.example`, `//evil.example`, `https://evil…`,
 * `javascript:…` and anything with a control character (which browsers
 * strip before resolving) all leave the origin, so they give `fallback`.
 * The answer is always a path (+ query + hash), never an absolute URL.
 */
const BASE = "http://app.invalid";

export function safeRedirect(target: unknown, fallback = "/me"): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2000) return fallback;
  // Browsers drop tabs and line breaks inside URLs and read "\" as "/".
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is refused.
  if (/[\u0000-\u001F\u007F\\]/.test(target)) return fallback;
  if (!target.startsWith("/") || target.startsWith("//")) return fallback;
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return fallback;
  }
  // An encoded "\" or "/" at the start (/%5C…, /%2F…) is read as a second slash by some servers and browsers.
  if (/^[/\\]{2}|\\/.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return url.pathname + url.search + url.hash;
}
