/** `npm run dev`: rebuilds on change (remix watch) and restarts the server with it. */
import { spawn } from "node:child_process";

const watch = spawn("npx", ["remix", "watch"], { stdio: "inherit" });
const server = spawn("npx", ["tsx", "watch", "--include", "build/index.js", "scripts/start.ts"], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    watch.kill(signal);
    server.kill(signal);
  });
}
