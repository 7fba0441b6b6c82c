import { createRequire } from "node:module";
import type * as Router from "@remix-run/router";

/**
 * patches/@remix-run+router+1.23.3.patch (docs/decisions/026-route-matching-cache.md):
 * the router Node loads keeps the ranked branches of a route tree, and each
 * path's compiled pattern, instead of rebuilding both on every match. These
 * tests fail if npm install did not apply the patch, or if matching changed.
 */
const require = createRequire(import.meta.url);
const router = require("@remix-run/router") as typeof Router;

const routes = (): Router.AgnosticRouteObject[] => [
  {
    id: "root",
    path: "/",
    children: [
      { id: "index", index: true },
      { id: "event", path: "events/:slug" },
      { id: "register", path: "events/:slug/register" },
      { id: "splat", path: "*" },
    ],
  },
];

describe("route matching on the server", () => {
  it("matches as before: the most specific route wins, params are decoded", () => {
    const tree = routes();
    const ids = (path: string) => router.matchRoutes(tree, path)?.map((m) => m.route.id);
    expect(ids("/")).toEqual(["root", "index"]);
    expect(ids("/events/zenkoku-40")).toEqual(["root", "event"]);
    expect(ids("/events/zenkoku-40/register")).toEqual(["root", "register"]);
    expect(router.matchRoutes(tree, "/events/%E5%B3%B6%E6%A0%B9")?.[1]?.params.slug).toBe("島根");
    expect(ids("/nowhere/else")).toEqual(["root", "splat"]);
    expect(ids("/EVENTS/x/REGISTER")).toEqual(["root", "register"]);
  });

  it("ranks a route tree once: a later change to the same array is not seen, a new array is", () => {
    const tree = routes();
    expect(router.matchRoutes(tree, "/events/a/register")?.[1]?.route.id).toBe("register");
    // The server's trees never change; this one does, to show it is not ranked again.
    tree[0]!.children!.splice(2, 1);
    expect(router.matchRoutes(tree, "/events/a/register")?.[1]?.route.id).toBe("register");
    expect(router.matchRoutes([...tree], "/events/a/register")?.[1]?.route.id).toBe("splat");
  });
});
