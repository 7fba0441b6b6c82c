/**
 * What a CPU profile of a benchmark (BENCH_PROFILE, scripts/bench/support.ts)
 * says, as text: the share of the busy time by package or app folder, and the
 * functions with the most time of their own.
 *
 *   npx tsx scripts/bench/profile-summary.ts /tmp/prof/registration.cpuprofile [top]
 */
import { readFileSync } from "node:fs";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts FILE.cpuprofile [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const top = Number(topArg ?? 30);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

function place(url: string): string {
  if (!url) return "(native/V8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith("node:")) return "node core";
  const app = /\/(app|db|build|scripts)\/(.*?)(?:\/[^/]*)?$/.exec(url);
  if (app) return `${app[1]}/${app[2]}`.replace(/\/$/, "");
  return url;
}

const idle = new Set(["(idle)", "(program)", "(garbage collector)"]);
let total = 0;
let busy = 0;
const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  total += us;
  if (functionName === "(idle)") continue;
  busy += us;
  const where = idle.has(functionName) ? functionName : place(url);
  byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  const key = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(
  `profile: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)}%)`,
);
console.log("\nself time by place:");
for (const [k, v] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(v)}  ${k}`);
console.log("\nfunctions with the most self time:");
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(v)}  ${k}`);
