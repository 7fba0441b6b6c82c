import { withDemoApp } from "../support/demo-app";

const demo = withDemoApp();

async function get(path: string) {
  const response = await fetch(demo.url + path);
  return {
    status: response.status,
    html: await response.text(),
    type: response.headers.get("content-type"),
  };
}

describe("the catalogue /", () => {
  it("lists upcoming events first, then past ones marked 終了", async () => {
    const { status, html } = await get("/");
    expect(status).toBe(200);
    const upcoming = html.indexOf("これからのイベント");
    const past = html.indexOf("終了したイベント");
    expect(upcoming).toBeGreaterThan(-1);
    expect(past).toBeGreaterThan(upcoming);
    const nextSeminar = html.indexOf("/events/online-seminar-next");
    const oldSeminar = html.indexOf("/events/online-seminar-2023");
    expect(nextSeminar).toBeGreaterThan(upcoming);
    expect(nextSeminar).toBeLessThan(past);
    expect(oldSeminar).toBeGreaterThan(past);
    expect(html.slice(past)).toContain("終了");
  });

  it("filters by kind and by month", async () => {
    const byKind = await get("/?kind=youth_gathering");
    expect(byKind.html).toContain("第4回自治研UNDER35全国集会");
    expect(byKind.html).not.toContain("/events/kenshukai-19");

    const byMonth = await get("/?month=2024-05");
    expect(byMonth.html).toContain("/events/kenshukai-19");
    expect(byMonth.html).not.toContain("/events/online-seminar-2023");
  });

  it("ignores a malformed filter instead of failing", async () => {
    const { status, html } = await get("/?kind=%3Cscript%3E&month=9999-99");
    expect(status).toBe(200);
    expect(html).toContain("/events/kenshukai-19");
    expect(html).not.toContain("<script>alert");
  });
});

describe("an event page /events/:slug", () => {
  it("shows the online seminar's date, Zoom, programme and courses, but not the Zoom link", async () => {
    const { status, html } = await get("/events/online-seminar-2023");
    expect(status).toBe(200);
    expect(html).toContain("2023年8月18日(金) 18:00〜20:00");
    expect(html).toContain("オンライン(Zoom)");
    expect(html).toContain("自治研とは?");
    expect(html).toContain("コース①");
    expect(html).toContain("【中級編】よりよい地域をめざして");
    expect(html).toContain("氷室佐由里");
    expect(html).toContain("このイベントは終了しました");
    expect(html).not.toContain("zoom.us/j/");
  });

  it("shows the venue with its address, phone and map link", async () => {
    const { html } = await get("/events/kenshukai-19");
    expect(html).toContain("2024年5月24日(金) 13:30〜5月25日(土) 11:30");
    expect(html).toContain("ホテル華の湯");
    expect(html).toContain("郡山市熱海町熱海5丁目8-60");
    expect(html).toContain("024-984-2222");
    expect(html).toMatch(/href="https:\/\/www\.google\.com\/maps[^"]+"/);
    expect(html).toContain("夕食交流会");
  });

  it("shows who may register and the open window for an upcoming event", async () => {
    const { html } = await get("/events/under35-5");
    expect(html).toContain("35歳以下");
    expect(html).toContain("申込期間");
    const seminar = await get("/events/online-seminar-next");
    expect(seminar.html).toContain("組合員(ログインが必要です)");
    expect(seminar.html).toContain("残り");
    expect(seminar.html).toContain('href="/events/online-seminar-next/register"');
  });

  it("answers 404 in Japanese for an unknown event", async () => {
    const { status, html } = await get("/events/no-such-event");
    expect(status).toBe(404);
    expect(html).toContain("ページが見つかりません");
  });
});

describe("health and errors", () => {
  it("/healthz answers ok when the database answers", async () => {
    const response = await fetch(`${demo.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("an unknown URL is a 404 page in Japanese", async () => {
    const { status, html } = await get("/no/such/page");
    expect(status).toBe(404);
    expect(html).toContain('<html lang="ja"');
    expect(html).toContain("ページが見つかりません");
  });
});

describe("the page cache", () => {
  const slug = "zenkoku-40-shimane";

  it("renders a crowd's requests for an event page once, then again after a second", async () => {
    const first = await fetch(`${demo.url}/events/${slug}`);
    expect(first.headers.get("cache-control")).toContain("s-maxage=1");
    const seats = (html: string) => html.match(/残り(\d+)席/)?.[1];
    const before = seats(await first.text());
    expect(before).toBeDefined();

    // A seat is taken behind the cache's back: the crowd sees the kept page.
    await demo.db
      .updateTable("events")
      .set({ taken: (eb) => eb("taken", "+", 1) })
      .where("slug", "=", slug)
      .execute();
    const crowd = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${demo.url}/events/${slug}`)),
    );
    const hits = crowd.filter((r) => r.headers.get("x-cache") === "hit").length;
    expect(hits).toBeGreaterThanOrEqual(19);
    for (const r of crowd) await r.body?.cancel();

    // Gzipped once per render, for browsers that accept it.
    const gzipped = await fetch(`${demo.url}/events/${slug}`, {
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(await gzipped.text()).toContain("残り");

    // After its second, the page is rendered again from the database.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await fetch(`${demo.url}/events/${slug}`);
    expect(later.headers.get("x-cache")).toBeNull();
    expect(Number(seats(await later.text()))).toBe(Number(before) - 1);
  });

  it("never keeps a page that depends on who asks, nor a query's answer", async () => {
    for (const path of ["/me", "/login", `/events/${slug}/register`, "/?kind=convention"]) {
      await fetch(demo.url + path, { redirect: "manual" });
      const again = await fetch(demo.url + path, { redirect: "manual" });
      expect(again.headers.get("x-cache"), path).toBeNull();
    }
  });
});

describe("the bytes of a page", () => {
  it("no page carries a NUL byte, wherever React's 2 KB buffers split a Japanese character", async () => {
    const events = await demo.db.selectFrom("events").select("slug").execute();
    const paths = [
      "/",
      "/groups",
      "/materials",
      "/login",
      ...events.map((e) => `/events/${e.slug}`),
    ];
    const withNul: string[] = [];
    for (const path of paths) {
      const response = await fetch(`${demo.url}${path}?fresh`);
      expect(response.status, path).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.includes(0)) withNul.push(path);
      expect(bytes.toString("utf8"), path).not.toContain("\uFFFD");
    }
    expect(withNul).toEqual([]);
  });
});
