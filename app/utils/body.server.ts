/** Past this, a refused body is no longer read: the connection is dropped instead. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * A request's body, read into memory only up to `limit` bytes, as a Response
 * whose formData() parses it. A body over the limit (by its Content-Length, or
 * by what actually arrives, for a chunked upload) gives undefined, and the
 * rest of it is read and dropped: a server that answers without reading an
 * upload makes Node close the connection, and the browser then shows a
 * connection error instead of the answer. Only a body past DRAIN_LIMIT is cut
 * off.
 */
export async function readBodyWithin(
  request: Request,
  limit: number,
): Promise<Response | undefined> {
  const headers = { "Content-Type": request.headers.get("Content-Type") ?? "" };
  const reader = request.body?.getReader();
  if (!reader) return new Response(null, { headers });
  let over = Number(request.headers.get("Content-Length") ?? 0) > limit;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) over = true;
    if (!over) chunks.push(value);
    if (size > DRAIN_LIMIT) {
      await reader.cancel();
      break;
    }
  }
  if (over) return undefined;
  return new Response(Buffer.concat(chunks), { headers });
}

/**
 * Reads what is left of a refused body and drops it (up to DRAIN_LIMIT), so
 * that the answer reaches the browser instead of a connection error.
 */
export async function discardBody(request: Request): Promise<void> {
  // A body already taken, or broken off, has nothing left to read.
  await readBodyWithin(request, 0).catch(() => undefined);
}
