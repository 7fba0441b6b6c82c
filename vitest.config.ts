import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globals: true,
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own database, so files run in parallel safely.
    fileParallelism: true,
    // At least two files at once: vitest's default (cores - 1) is one on a
    // 2-core machine, and the files mostly wait on Chromium, PostgreSQL and
    // the processes they start. On one 2-core machine npm test took 975 s
    // with one and 775 s with two (all passing), which keeps .ci/run under
    // its 20 minutes there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
