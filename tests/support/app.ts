import type { AddressInfo } from "node:net";
import type { Database } from "../../db/index";
import { createApp, loadBuild } from "../../app/server";

type Options = Omit<Parameters<typeof createApp>[0], "db" | "build" | "appUrl" | "devMail"> & {
  appUrl?: string;
  devMail?: boolean;
};

/** The real app (the `remix build` output behind Express) on a free port. */
export async function startTestApp(
  db: Database,
  options: Options = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const build = await loadBuild();
  const app = createApp({ db, build, appUrl: "http://localhost", devMail: true, ...options });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
