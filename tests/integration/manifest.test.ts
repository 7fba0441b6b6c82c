import { signInAs } from "../support/factories";
import { withDemoApp } from "../support/demo-app";

const demo = withDemoApp();

type Manifest = {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
};

/** The width and height a PNG's IHDR chunk declares, after checking it is a PNG at all. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  ).toBe(true);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The href of the first <link rel="…"> in the page. */
function linkHref(html: string, rel: string): string | undefined {
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    if (new RegExp(`\\brel="${rel}"`).test(tag)) return /\bhref="([^"]*)"/.exec(tag)?.[1];
  }
  return undefined;
}

async function fetchManifest(): Promise<{ response: Response; manifest: Manifest }> {
  const response = await fetch(`${demo.url}/manifest.webmanifest`);
  return { response, manifest: (await response.clone().json()) as Manifest };
}

describe("adding the site to the home screen", () => {
  it("every page links the web app manifest and the apple-touch-icon", async () => {
    for (const path of ["/", "/events/kenshukai-20", "/login"]) {
      const response = await fetch(demo.url + path);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect({ path, manifest: linkHref(html, "manifest") }).toEqual({
        path,
        manifest: "/manifest.webmanifest",
      });
      expect({ path, icon: linkHref(html, "apple-touch-icon") }).toEqual({
        path,
        icon: "/apple-touch-icon.png",
      });
    }
  });

  it("the manifest is served as application/manifest+json and names the app in Japanese, full-screen from /", async () => {
    const { response, manifest } = await fetchManifest();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    expect(manifest.name).toBe("自治研イベント");
    expect(manifest.short_name.length).toBeGreaterThan(0);
    expect(manifest.short_name.length).toBeLessThanOrEqual(12);
    expect(manifest.start_url).toBe("/");
    expect(manifest.display).toBe("standalone");
    // the same colour as the pages' theme-color
    const html = await (await fetch(`${demo.url}/`)).text();
    const themeColor = /<meta name="theme-color" content="([^"]+)"/.exec(html)?.[1];
    expect(themeColor).toBe("#0b4f6c");
    expect(manifest.theme_color).toBe(themeColor);
  });

  it("each declared icon is a PNG of the declared size, 192 and 512 among them", async () => {
    const { manifest } = await fetchManifest();
    const declared = manifest.icons.map((i) => i.sizes);
    expect(declared).toContain("192x192");
    expect(declared).toContain("512x512");
    for (const icon of manifest.icons) {
      const response = await fetch(new URL(icon.src, demo.url));
      expect({ src: icon.src, status: response.status }).toEqual({ src: icon.src, status: 200 });
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(icon.type).toBe("image/png");
      const { width, height } = pngSize(Buffer.from(await response.arrayBuffer()));
      expect({ src: icon.src, sizes: `${width}x${height}` }).toEqual({
        src: icon.src,
        sizes: icon.sizes,
      });
    }
  });

  it("the apple-touch-icon is a 180×180 PNG", async () => {
    const response = await fetch(`${demo.url}/apple-touch-icon.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(pngSize(Buffer.from(await response.arrayBuffer()))).toEqual({ width: 180, height: 180 });
  });
});

describe("the reception desk on a tablet's home screen", () => {
  it("the desk links its own manifest, which opens straight on the desk, full-screen", async () => {
    const cookie = await signInAs(demo.db, "reception@example.jp");
    const desk = await fetch(`${demo.url}/checkin/kenshukai-20`, { headers: { Cookie: cookie } });
    expect(desk.status).toBe(200);
    const href = linkHref(await desk.text(), "manifest");
    expect(href).toBe("/checkin/kenshukai-20/manifest.webmanifest");

    // Browsers fetch a manifest without cookies.
    const response = await fetch(demo.url + href);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/manifest+json");
    const manifest = (await response.json()) as Manifest & { scope: string };
    expect(manifest.start_url).toBe("/checkin/kenshukai-20");
    expect(manifest.scope).toBe("/checkin/kenshukai-20");
    expect(manifest.display).toBe("fullscreen");
    expect(manifest.name).toBe("受付 第20回地方自治研究福島県集会");
  });

  it("says nothing of an unknown or draft event", async () => {
    const { id: _id, ...source } = await demo.db
      .selectFrom("events")
      .selectAll()
      .where("slug", "=", "kenshukai-20")
      .executeTakeFirstOrThrow();
    const draft = await demo.db
      .insertInto("events")
      .values({ ...source, slug: "draft-for-manifest", status: "draft", taken: 0 })
      .returning("slug")
      .executeTakeFirstOrThrow();
    for (const slug of ["no-such-event", "%00", draft.slug]) {
      const response = await fetch(`${demo.url}/checkin/${slug}/manifest.webmanifest`);
      expect({ slug, status: response.status }).toEqual({ slug, status: 404 });
    }
  });
});
