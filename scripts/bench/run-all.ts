/**
 * `npm run bench`: every benchmark in turn, each a separate process, and a
 * Markdown table of the figures in bench-results.md. Not part of npm test.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "./support";

const results = path.join(root, "bench-results.md");
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
writeFileSync(
  results,
  `# Benchmarks\n\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\n| benchmark | figure | product | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|---|\n`,
);
let failed = 0;
for (const script of ["registration", "checkin", "burst", "event-page", "export", "email"]) {
  console.log(`\n### ${script}`);
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "scripts/bench", `${script}.ts`)],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production", BENCH_RESULTS: results },
    },
  );
  if (run.status !== 0) failed++;
}
// formatted as the rest of the tree, so that npm run lint passes with it
spawnSync(
  process.execPath,
  [path.join(root, "node_modules/@biomejs/biome/bin/biome"), "format", "--write", results],
  {
    cwd: root,
    stdio: "ignore",
  },
);
console.log(`\nwritten: ${results}${failed ? ` (${failed} benchmark(s) failed to run)` : ""}`);
process.exitCode = failed ? 1 : 0;
