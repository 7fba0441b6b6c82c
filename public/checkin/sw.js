/*
 * The reception desk's service worker (scope /checkin/). It keeps the desk page,
 * the app's scripts and styles, and the QR decoders, so a desk that loses the
 * network can reload and go on scanning. The check-in API is never cached: the
 * page decides offline scans itself and queues them.
 */
const CACHE = "jichiken-checkin-v1";
const API = /^\/checkin\/[^/]+\/(scan|sync|undo|counts|roster)$/;
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("jichiken-checkin-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

// The page lists what it loaded (its own URL, /build/ chunks, decoders).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "precache" && Array.isArray(event.data.urls)) {
    event.waitUntil(precache(event.data.urls));
  }
});

async function precache(urls) {
  const cache = await caches.open(CACHE);
  for (const raw of urls) {
    try {
      const url = new URL(raw, self.location.origin);
      if (url.origin !== self.location.origin || API.test(url.pathname)) continue;
      if (url.pathname.startsWith("/build/") && (await cache.match(url.pathname))) continue;
      const response = await fetch(url.pathname, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url.pathname, response);
    } catch {
      // offline already: keep what is cached
    }
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || API.test(url.pathname)) return;
  if (url.pathname.startsWith("/build/") || url.pathname.startsWith("/checkin/vendor/")) {
    event.respondWith(cacheFirst(request, url.pathname));
  } else if (
    request.mode === "navigate" ||
    url.pathname === "/__manifest" ||
    url.pathname.startsWith("/checkin/")
  ) {
    event.respondWith(networkFirst(request, url));
  }
});

async function cacheFirst(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  // Pages are kept by path; the route manifest with its query (it depends on it).
  const key = url.pathname === "/__manifest" ? url.pathname + url.search : url.pathname;
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(key, response.clone());
    }
    return response;
  });
  network.catch(() => {});
  try {
    if (request.mode === "navigate") {
      // A flaky network (lie-fi) should not hold the desk: after a few
      // seconds, the kept page is shown if there is one.
      const timeout = new Promise((resolve) =>
        setTimeout(resolve, NAVIGATION_TIMEOUT_MS, "timeout"),
      );
      const first = await Promise.race([network, timeout]);
      if (first !== "timeout") return first;
      const hit = await cache.match(key);
      if (hit) return hit;
    }
    return await network;
  } catch (error) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw error;
  }
}
