import { createRequire } from "node:module";
import type * as Router from "@remix-run/router";

/**
 * patches/@remix-run+router+1.23.3.patch (docs/decisions/026-route-matching-cache.md):
 * the router Node loads keeps the ranked branches of a route tree, each
 * path's compiled pattern, and each pathname's matches, instead of working
 * them out again on every match. These
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

  it("answers a pathname asked again from its cache, with matches of the caller's own", () => {
    const tree = routes();
    const first = router.matchRoutes(tree, "/events/a/register");
    // A caller that changes what it was given changes nothing for the next one.
    (first![1]!.params as Record<string, string>).slug = "changed";
    const again = router.matchRoutes(tree, "/events/a/register");
    expect(again?.[1]?.params).toEqual({ slug: "a" });
    expect(again).not.toBe(first);
    (again![1]!.params as Record<string, string>).slug = "changed too";
    expect(router.matchRoutes(tree, "/events/a/register")?.[1]?.params).toEqual({ slug: "a" });
    // Kept by the ranked tree: the same pathname under a new tree is matched afresh.
    const other = [{ id: "other", path: "/events/:slug/register" }];
    expect(router.matchRoutes(other, "/events/a/register")?.map((m) => m.route.id)).toEqual([
      "other",
    ]);
    expect(router.matchRoutes(tree, "/events/b")?.[1]?.params).toEqual({ slug: "b" });
    expect(router.matchRoutes(tree, "/nowhere")?.[1]?.route.id).toBe("splat");
  });
});
