/**
 * The load generator, run as its own process by scripts/bench/support.ts:
 * autocannon, each request with the next cookie and body from the lists.
 * Prints one JSON line of figures.
 */
import { readFileSync } from "node:fs";
import type { LoadConfig } from "./support";

type Histogram = { p50: number; p99: number };
type Run = Promise<{
  requests: { total: number };
  latency: Histogram;
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}> & { on: (event: "start" | "response", listener: () => void) => void };
type Autocannon = (options: Record<string, unknown>) => Run;

const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadConfig;

// autocannon ships no types; only the fields read here are declared.
const specifier = "autocannon";
const { default: autocannon } = (await import(specifier)) as { default: Autocannon };
let next = 0;
const cpuStart = process.cpuUsage();
const run = autocannon({
  url: config.url,
  connections: config.connections,
  ...(config.amount ? { amount: config.amount } : { duration: config.duration ?? 10 }),
  ...(config.overallRate ? { overallRate: config.overallRate } : {}),
  requests: [
    {
      method: config.method,
      path: config.path,
      headers: {
        Origin: config.url,
        ...(config.contentType ? { "Content-Type": config.contentType } : {}),
      },
      setupRequest: (request: { headers: Record<string, string> }) => {
        const i = next++;
        const cookie = config.cookies?.[i % config.cookies.length];
        const body = config.bodies?.[i % config.bodies.length];
        return {
          ...request,
          headers: { ...request.headers, ...(cookie ? { Cookie: cookie } : {}) },
          ...(body !== undefined ? { body } : {}),
        };
      },
    },
  ],
});
// autocannon ends a run at its next one-second sample, and its duration with
// it: 5,000 answers in 11.2 s read as 5000 / 12 = 416/s. The run's length is
// taken instead from its start to its last answer.
let started = performance.now();
let lastAnswer = started;
run.on("start", () => {
  started = performance.now();
});
run.on("response", () => {
  lastAnswer = performance.now();
});
const result = await run;
const seconds = (lastAnswer - started) / 1000;
const expected = result.statusCodeStats[String(config.expectStatus)]?.count ?? 0;
const total = result.requests.total;
process.stdout.write(
  `${JSON.stringify({
    requests: total,
    ok: expected,
    errors: total - expected + result.errors + result.timeouts,
    seconds,
    perSecond: expected / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: (process.cpuUsage(cpuStart).user + process.cpuUsage(cpuStart).system) / 1000,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]),
    ),
  })}\n`,
);
