// ePoint's service worker (registered by service-worker-registration.js, exported app only).
//
// - Pages (navigations) come from the network, always: the app is live data over a socket,
//   and a page from an older deployment could talk to a newer state server. With no network
//   the friendly offline screen (offline.html) answers instead of the browser's error.
// - The export's build files under /assets/ have content hashes in their names and never
//   change: cache-first, so the app's JavaScript and CSS open instantly on the next visit.
// - Everything else of this site (icons, manifest, scanner wasm): network, the cache when
//   offline. Other origins (the state server's websocket, the API) are never touched.
const CACHE = "epoint-v1";
const SHELL = ["/offline.html", "/offline.css", "/icons/icon-192.png", "/icon.svg", "/manifest.json"];
const MAX_BUILD_FILES = 300; // old deployments' files are dropped, oldest first

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function trim(cache) {
  const keys = await cache.keys();
  const built = keys.filter((request) => new URL(request.url).pathname.startsWith("/assets/"));
  await Promise.all(built.slice(0, Math.max(0, built.length - MAX_BUILD_FILES)).map((r) => cache.delete(r)));
}

async function buildFile(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    trim(cache);
  }
  return response;
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    return (await caches.match("/offline.html")) || Response.error();
  }
}

async function siteFile(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    return (await caches.match(request)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(buildFile(request));
  } else {
    event.respondWith(siteFile(request));
  }
});
