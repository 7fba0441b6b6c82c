/**
 * Benchmark: GET /events/:slug for a big event (the 40th national convention:
 * sessions, 8 分科会 with seats left, the programme) against a bare node:http
 * server sending the same HTML, both driven by autocannon in its own process.
 * Target (issue 8): ≥ 0.25 of the baseline and ≥ 400 req/s.
 *
 * The page is public, so the app's page cache (app/page-cache.ts) renders it
 * once a second. A second figure, for reference, renders it on every request
 * (a query string bypasses the cache): what one render costs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { load, openBench, report } from "./support";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PATH = "/events/zenkoku-40-shimane";

const bench = await openBench("event-page");
try {
  const url = await bench.serve();
  const html = await (await fetch(url + PATH)).text();
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  try {
    console.log(`== ${PATH} (${html.length} bytes), ${CONNECTIONS} connections, ${SECONDS} s each`);
    const baseline = await load(bench, {
      url: bareUrl,
      method: "GET",
      path: PATH,
      connections: CONNECTIONS,
      duration: SECONDS,
      expectStatus: 200,
    });
    const product = await load(bench, {
      url,
      method: "GET",
      path: PATH,
      connections: CONNECTIONS,
      duration: SECONDS,
      expectStatus: 200,
    });
    const rendered = await load(bench, {
      url,
      method: "GET",
      path: `${PATH}?uncached`,
      connections: CONNECTIONS,
      duration: SECONDS,
      expectStatus: 200,
    });
    console.log(
      `app:  ${product.perSecond.toFixed(0)} req/s p50 ${product.p50} ms p99 ${product.p99} ms, ${product.errors} errors`,
    );
    console.log(
      `app, rendered every time: ${rendered.perSecond.toFixed(0)} req/s p50 ${rendered.p50} ms p99 ${rendered.p99} ms, ${rendered.errors} errors`,
    );
    console.log(
      `bare: ${baseline.perSecond.toFixed(0)} req/s p50 ${baseline.p50} ms p99 ${baseline.p99} ms`,
    );
    const ratio = product.perSecond / baseline.perSecond;
    report({
      bench: "event page",
      figure: "GET /events/:slug req/s",
      product: `${product.perSecond.toFixed(0)}/s`,
      baseline: `${baseline.perSecond.toFixed(0)}/s (node:http, same HTML)`,
      ratio,
      target: "≥ 0.25 and ≥ 400/s",
      met: ratio >= 0.25 && product.perSecond >= 400 && product.errors === 0,
    });
    report({
      bench: "event page",
      figure: "the same, rendered on every request (no page cache; for reference)",
      product: `${rendered.perSecond.toFixed(0)}/s, p99 ${rendered.p99} ms`,
      baseline: `${baseline.perSecond.toFixed(0)}/s (node:http, same HTML)`,
      ratio: rendered.perSecond / baseline.perSecond,
      target: "—",
      met: rendered.errors === 0,
    });
  } finally {
    bare.close();
  }
} finally {
  await bench.close();
}
