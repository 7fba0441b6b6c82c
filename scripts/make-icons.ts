/**
 * Draws the home-screen icons that public/manifest.webmanifest and app/root.tsx
 * declare, with the Chromium the e2e tests use (so the Japanese text gets the
 * machine's Noto Sans CJK, and no image tool is needed):
 *
 *   npm run icons
 *
 * The PNGs are committed; run this again only to change the design. The text
 * stays inside the central 80% circle, so Android may crop the icon to any
 * shape (the manifest also declares the 512 px icon as maskable).
 */
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
} finally {
  await browser.close();
}
