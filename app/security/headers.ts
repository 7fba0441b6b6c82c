import { randomBytes } from "node:crypto";
import type express from "express";

/**
 * The security headers of every response, set in one place (see
 * docs/decisions/014-csp.md for why each is what it is):
 * - a Content-Security-Policy whose scripts are this site's own files and the
 *   inline scripts Remix writes, which carry this request's nonce (no
 *   'unsafe-inline' for scripts); 'wasm-unsafe-eval' for the desk's QR decoder
 *   (ZXing in WebAssembly); the camera's stream as media; no framing;
 * - nosniff, Referrer-Policy same-origin, and HSTS when APP_URL is https.
 * Cache-Control for signed-in pages and JSON, and Secure on cookies, are set
 * on the Remix response in app/server.ts (`finishResponse`).
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    // React writes style="" attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sets the headers and keeps the nonce in res.locals.cspNonce for the Remix render. */
export function securityHeaders(options: { https: boolean }): express.RequestHandler {
  return (_req, res, next) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
    if (options.https) res.setHeader("Strict-Transport-Security", "max-age=15552000");
    next();
  };
}

/**
 * A route that sets a CSP of its own (an email shown in /dev/mail's sandboxed
 * frame) keeps it, framed only by this site.
 */
export function ownPolicy(policy: string): string {
  return /frame-ancestors/.test(policy) ? policy : `${policy}; frame-ancestors 'self'`;
}

/** Adds Secure to a Set-Cookie value that lacks it (APP_URL is https). */
export function secureCookie(cookie: string): string {
  return /;\s*secure\b/i.test(cookie) ? cookie : `${cookie}; Secure`;
}
