import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoaderFunctionArgs } from "@remix-run/node";

/**
 * The QR decoders the desk page loads, served by the app from node_modules so
 * that a desk never depends on a CDN (and its service worker can keep them for
 * offline use): the barcode-detector ponyfill, its ZXing wasm, and jsQR.
 */
const FILES: Record<string, { file: string; type: string }> = {
  "barcode-detector.js": {
    file: "barcode-detector/dist/iife/ponyfill.js",
    type: "text/javascript; charset=utf-8",
  },
  "zxing_reader.wasm": {
    file: "zxing-wasm/dist/reader/zxing_reader.wasm",
    type: "application/wasm",
  },
  "jsqr.js": { file: "jsqr/dist/jsQR.js", type: "text/javascript; charset=utf-8" },
};

// build/index.js (or app/routes/ under vitest) sits one or two folders below the project.
const here = path.dirname(fileURLToPath(import.meta.url));
const roots = [path.resolve(here, ".."), path.resolve(here, "../.."), process.cwd()];
const cache = new Map<string, ArrayBuffer>();

async function load(name: string): Promise<ArrayBuffer | undefined> {
  const entry = FILES[name];
  if (!entry) return undefined;
  const cached = cache.get(name);
  if (cached) return cached;
  for (const root of roots) {
    try {
      const file = await readFile(path.join(root, "node_modules", entry.file));
      const bytes = file.buffer.slice(
        file.byteOffset,
        file.byteOffset + file.byteLength,
      ) as ArrayBuffer;
      cache.set(name, bytes);
      return bytes;
    } catch {
      // try the next candidate root
    }
  }
  return undefined;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const name = params.file ?? "";
  const bytes = Object.hasOwn(FILES, name) ? await load(name) : undefined;
  if (!bytes) return new Response("Not Found", { status: 404 });
  return new Response(bytes, {
    headers: {
      "Content-Type": FILES[name]?.type ?? "application/octet-stream",
      "Cache-Control": "public, max-age=86400",
    },
  });
}
