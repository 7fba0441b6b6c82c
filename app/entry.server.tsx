import { Transform } from "node:stream";

import type {
  ActionFunctionArgs,
  AppLoadContext,
  EntryContext,
  LoaderFunctionArgs,
} from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { FAILURES, failureOf } from "./domain/failures.server";
import { NonceContext } from "./utils/nonce";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const prohibitOutOfOrderStreaming =
    isbot(request.headers.get("user-agent")) || remixContext.isSpaMode;
  // The CSP nonce of this request (app/security/headers.ts) on every inline script.
  const nonce = loadContext.cspNonce ?? "";

  return prohibitOutOfOrderStreaming
    ? handleBotRequest(request, responseStatusCode, responseHeaders, remixContext, nonce)
    : handleBrowserRequest(request, responseStatusCode, responseHeaders, remixContext, nonce);
}

function handleBotRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  nonce: string,
) {
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce}
        />
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          shellRendered = true;
          const body = withoutStrayNulBytes();
          const stream = createReadableStreamFromReadable(body);

          responseHeaders.set("Content-Type", "text/html");

          resolve(
            new Response(stream, {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );

          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Log streaming rendering errors from inside the shell.  Don't log
          // errors encountered during initial shell rendering since they'll
          // reject and get logged in handleDocumentRequest.
          if (shellRendered) {
            console.error(error);
          }
        },
      },
    );

    setTimeout(abort, ABORT_DELAY);
  });
}

function handleBrowserRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  nonce: string,
) {
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce}
        />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
          const body = withoutStrayNulBytes();
          const stream = createReadableStreamFromReadable(body);

          responseHeaders.set("Content-Type", "text/html");

          resolve(
            new Response(stream, {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );

          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Log streaming rendering errors from inside the shell.  Don't log
          // errors encountered during initial shell rendering since they'll
          // reject and get logged in handleDocumentRequest.
          if (shellRendered) {
            console.error(error);
          }
        },
      },
    );

    setTimeout(abort, ABORT_DELAY);
  });
}

/** The size of the buffers React 18's renderToPipeableStream writes into. */
const REACT_VIEW_SIZE = 2048;

/**
 * The page as React renders it, less the NUL bytes React 18.3 adds: when a
 * multi-byte character (any of our Japanese text) does not fit at the end of
 * its 2,048-byte buffer, it sends the whole buffer with the 1–3 unused bytes
 * still zero (facebook/react#26228, fixed only in React 19). They land
 * wherever the boundary falls: a heading read 「終了し\0たイベント」, and in
 * the loader-data script the browser turns them into U+FFFD. Only the
 * trailing zeros of a chunk of exactly that size are dropped; a page never
 * holds a NUL of its own (forms refuse control characters).
 */
function withoutStrayNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let end = chunk.length;
      if (end === REACT_VIEW_SIZE) {
        while (end > REACT_VIEW_SIZE - 3 && chunk[end - 1] === 0) end--;
      }
      done(null, end === chunk.length ? chunk : chunk.subarray(0, end));
    },
  });
}

/**
 * Every server error is logged with its request, so a 500 can be traced; the
 * person sees only the Japanese error page. A lost database or an unreadable
 * value is no bug of the page: the request is marked, app/server.ts answers
 * it with its own status and message, and one line is logged.
 */
export function handleError(
  error: unknown,
  { request, context }: LoaderFunctionArgs | ActionFunctionArgs,
) {
  // A body over its limit (app/server.ts): already marked, answered 413, no bug.
  if (context.failure === "body_too_large") return;
  const failure = failureOf(error);
  if (failure) {
    context.failure = failure;
    console.warn(
      `[${new Date().toISOString()}] ${request.method} ${new URL(request.url).pathname} ${FAILURES[failure].status} ${failure}: ${(error as Error).message ?? error}`,
    );
    return;
  }
  if (request.signal.aborted) return;
  // Remix's own 4xx (a GET to a route with no loader): answered as such, no bug to log.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error(
    `[${new Date().toISOString()}] ${request.method} ${new URL(request.url).pathname}`,
    error,
  );
}
