/**
 * The load generator, run as its own process by scripts/bench/support.ts:
 * autocannon (a closed loop of `connections`), or, with `overallRate`, an
 * open loop of arrivals (below); each request with the next cookie and body
 * from the lists.
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
}> & {
  on: (
    event: "start" | "response",
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ) => void;
};
type Autocannon = (options: Record<string, unknown>) => Run;

const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadConfig;

if (config.overallRate) {
  process.stdout.write(`${JSON.stringify(await arrivals(config, config.overallRate))}\n`);
  process.exit(0);
}

// autocannon ships no types; only the fields read here are declared.
const specifier = "autocannon";
const { default: autocannon } = (await import(specifier)) as { default: Autocannon };
let next = 0;
const cpuStart = process.cpuUsage();
const run = autocannon({
  url: config.url,
  connections: config.connections,
  ...(config.amount ? { amount: config.amount } : { duration: config.duration ?? 10 }),
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
// each answer's time, by the second of the run it came in: where a tail comes from
const bySecond: number[][] = [];
run.on("response", (_client, _status, _bytes, ms) => {
  lastAnswer = performance.now();
  note(bySecond, (lastAnswer - started) / 1000, ms);
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
    slowestSeconds: slowest(bySecond),
    cpuMs: (process.cpuUsage(cpuStart).user + process.cpuUsage(cpuStart).system) / 1000,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]),
    ),
  })}\n`,
);

/**
 * An open loop: requests arrive at random moments, `rate` a second on
 * average (a Poisson process, the same seeded sequence every run), each
 * sent when it arrives whatever the others are doing, as members do.
 * autocannon's overallRate does not do this: it gives each connection its
 * own one-second allowance, so that every second all the connections send
 * at once (3,000 in 60 s arrived as 60 herds of 50). An answer's time is
 * counted from the moment its request arrived (so a request that waited
 * for a free socket counts its wait).
 */
async function arrivals(config: LoadConfig, rate: number) {
  const { default: http } = await import("node:http");
  const amount = config.amount ?? Math.round(rate * (config.duration ?? 10));
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  const target = new URL(config.path, config.url);
  let seed = 0x2545f491;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed + 0.5) / 2 ** 32;
  };
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let at = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const bySecond: number[][] = [];
  let lastAnswer = started;
  const sent: Promise<void>[] = [];
  for (let i = 0; i < amount; i++) {
    at += (-Math.log(random()) * 1000) / rate;
    const wait = started + at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const arrived = started + at;
    const cookie = config.cookies?.[i % config.cookies.length];
    const body = config.bodies?.[i % config.bodies.length];
    sent.push(
      new Promise<void>((resolve) => {
        const request = http.request(
          target,
          {
            method: config.method,
            agent,
            headers: {
              Origin: config.url,
              ...(config.contentType ? { "Content-Type": config.contentType } : {}),
              ...(cookie ? { Cookie: cookie } : {}),
              ...(body !== undefined ? { "Content-Length": Buffer.byteLength(body) } : {}),
            },
          },
          (response) => {
            response.resume();
            response.on("end", () => {
              lastAnswer = performance.now();
              const ms = lastAnswer - arrived;
              latencies.push(ms);
              const status = String(response.statusCode);
              statuses[status] = (statuses[status] ?? 0) + 1;
              note(bySecond, (lastAnswer - started) / 1000, ms);
              resolve();
            });
          },
        );
        // a request that fails has no status: it counts among the errors,
        // under its error's code (ECONNRESET…) in the statuses
        request.on("error", (error: NodeJS.ErrnoException) => {
          const code = error.code ?? "error";
          statuses[code] = (statuses[code] ?? 0) + 1;
          resolve();
        });
        request.end(body);
      }),
    );
  }
  await Promise.all(sent);
  agent.destroy();
  const seconds = (lastAnswer - started) / 1000;
  const expected = statuses[String(config.expectStatus)] ?? 0;
  latencies.sort((a, b) => a - b);
  const at_ = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const cpu = process.cpuUsage(cpuStart);
  return {
    requests: amount,
    ok: expected,
    errors: amount - expected,
    seconds,
    perSecond: expected / seconds,
    p50: Math.round(at_(0.5)),
    p99: Math.round(at_(0.99)),
    slowestSeconds: slowest(bySecond),
    cpuMs: (cpu.user + cpu.system) / 1000,
    statuses,
  };
}

/** An answer's time `ms`, kept under the second of the run it came in. */
function note(bySecond: number[][], at: number, ms: number) {
  const second = Math.floor(at);
  const times = bySecond[second] ?? [];
  times.push(ms);
  bySecond[second] = times;
}

/** The five seconds with the slowest answers: where a tail comes from. */
function slowest(bySecond: number[][]) {
  return bySecond
    .map((times, second) => ({
      second,
      worst: Math.round(Math.max(...times)),
      answers: times.length,
    }))
    .filter((x) => x.answers > 0)
    .sort((a, b) => b.worst - a.worst)
    .slice(0, 5);
}
