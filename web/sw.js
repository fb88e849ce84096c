// sw.js: keeps the site's files so that the page works offline after the
// first visit. Cache first, from a cache named by the build's version; a
// new build (a new version below) fills a new cache and drops the old one.
// At install it keeps what the first view shows (the page, the first model,
// MNIST and its classifier; from the browser's HTTP cache where the page
// already fetched them); when the page says which engine build it runs, it
// keeps that build; every other file (other models and data, other builds)
// is kept when the page first uses it, so what was used works offline. Only same-origin GET requests are handled.
// Paths are relative to this file, so the site works under any sub-path.
// Every response it gives carries the cross-origin isolation headers
// (COOP/COEP) the threaded engine needs, for hosts that cannot send them;
// the rest of the host's headers (the CSP among them) pass through as sent.
'use strict';

const BUILD = { version: 'dev', files: [], later: [] }; // written by scripts/build_site.js
const CACHE = `ganplay-${BUILD.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(BUILD.files); // the HTTP cache may answer: no second download of what the page fetched
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('ganplay-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function isolated(res) {
  if (!res || res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0 ||
    res.headers.get('Cross-Origin-Embedder-Policy')) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return isolated(hit);
    try {
      const res = await fetch(req);
      // files not kept at install (other datasets and models) are kept once used
      if (res.ok && res.type === 'basic' && req.mode !== 'navigate') await cache.put(req, res.clone());
      return isolated(res);
    } catch (err) {
      if (req.mode === 'navigate') {
        const page = await cache.match('./', { ignoreSearch: true });
        if (page) return isolated(page);
      }
      throw err;
    }
  })());
});

// {type: 'keep-build', build: NAME}: keep the files of the engine build the
// page runs (fetched before this worker controlled the page, so from the
// browser's HTTP cache); every other file is kept when it is first used.
self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type !== 'keep-build' || !/^[a-z-]+$/.test(String(msg.build))) return;
  const stem = msg.build === 'portable' ? 'ganplay' : `ganplay-${msg.build}`;
  const mine = (f) => f === `${stem}.js` || f === `${stem}.wasm` || f === `${stem}.worker.js`;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const f of BUILD.later.filter(mine)) {
      if (await cache.match(f, { ignoreSearch: true })) continue;
      try {
        const res = await fetch(f);
        if (res.ok) await cache.put(f, res);
      } catch {
        // offline or gone: it is kept when the page next fetches it
      }
    }
    if (event.source) event.source.postMessage({ type: 'kept-build' });
  })());
});
