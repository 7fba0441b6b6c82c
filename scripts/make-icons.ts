/**
 * Draws the home-screen icons that public/manifest.webmanifest and app/root.tsx
 * declare, with the Chromium the e2e tests use (so the Japanese text gets the
 * machine's Noto Sans CJK, and no image tool is needed):
 *
 *   npm run icons
 *
 * public/favicon.ico (32 px, one character: the rest would not be legible)
 * is a PNG inside an ICO header, which every browser reads.
 *
 * The PNGs are committed; run this again only to change the design. The text
 * stays inside the central 80% circle, so Android may crop the icon to any
 * shape (the manifest also declares the 512 px icon as maskable).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../tests/support/browser";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const THEME = "#0b4f6c"; // app/root.tsx's theme-color

const ICONS = [
  { file: "public/icons/icon-192.png", size: 192 },
  { file: "public/icons/icon-512.png", size: 512 },
  // iOS's home screen takes 180 px and ignores the manifest
  { file: "public/apple-touch-icon.png", size: 180 },
];

function html(size: number): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><style>
html, body { margin: 0; width: ${size}px; height: ${size}px; background: ${THEME}; }
body { display: flex; flex-direction: column; align-items: center; justify-content: center;
  color: #fff; font-family: "Noto Sans CJK JP", sans-serif; line-height: 1; }
.name { font-size: ${Math.round(size * 0.2)}px; font-weight: 700; letter-spacing: 0.02em; }
.sub { margin-top: ${Math.round(size * 0.05)}px; font-size: ${Math.round(size * 0.09)}px;
  padding-top: ${Math.round(size * 0.04)}px; border-top: ${Math.max(2, Math.round(size * 0.012))}px solid #fff; }
</style></head>
<body><div class="name">自治研</div><div class="sub">イベント</div></body></html>`;
}

/** The favicon: 自 on the theme colour, legible at 16 and 32 px. */
function faviconHtml(size: number): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><style>
html, body { margin: 0; width: ${size}px; height: ${size}px; background: ${THEME}; }
body { display: flex; align-items: center; justify-content: center; color: #fff;
  font-family: "Noto Sans CJK JP", sans-serif; font-weight: 700; font-size: ${Math.round(size * 0.8)}px; line-height: 1; }
</style></head><body>自</body></html>`;
}

/** An .ico file holding one PNG (Vista's format, read by every current browser). */
function icoOf(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18); // offset of the image
  return Buffer.concat([header, png]);
}

const browser = await launchBrowser();
try {
  for (const icon of ICONS) {
    const page = await browser.newPage({
      viewport: { width: icon.size, height: icon.size },
      deviceScaleFactor: 1,
    });
    await page.setContent(html(icon.size));
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(root, icon.file), type: "png" });
    await page.close();
    console.log(`${icon.file} (${icon.size}×${icon.size})`);
  }
  const page = await browser.newPage({ viewport: { width: 32, height: 32 }, deviceScaleFactor: 1 });
  await page.setContent(faviconHtml(32));
  await page.evaluate(() => document.fonts.ready);
  writeFileSync(
    path.join(root, "public/favicon.ico"),
    icoOf(await page.screenshot({ type: "png" }), 32),
  );
  await page.close();
  console.log("public/favicon.ico (32×32)");
} finally {
  await browser.close();
}
