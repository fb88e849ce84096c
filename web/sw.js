// sw.js: keeps the site's files so that the page works offline after the
// first visit. Cache first, from a cache named by the build's version; a
// new build (a new version below) fills a new cache and drops the old one.
// Only same-origin GET requests are handled; nothing else is fetched.
// Paths are relative to this file, so the site works under any sub-path.
'use strict';

const BUILD = { version: 'dev', files: [] }; // written by scripts/build_site.js
const CACHE = `ganplay-${BUILD.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(BUILD.files.map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('ganplay-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return hit;
    try {
      const res = await fetch(req);
      // files not kept at install (other datasets and models) are kept once used
      if (res.ok && res.type === 'basic' && req.mode !== 'navigate') await cache.put(req, res.clone());
      return res;
    } catch (err) {
      if (req.mode === 'navigate') {
        const page = await cache.match('./', { ignoreSearch: true });
        if (page) return page;
      }
      throw err;
    }
  })());
});
