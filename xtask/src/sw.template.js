// BranchPulse service worker. GENERATED at build time by `cargo xtask post-build`
// (a Trunk post_build hook) from xtask/src/sw.template.js: do not edit
// dist/sw.js by hand.
//
// - install: pre-caches the app shell (index.html) and every asset of this
//   build into a cache named after the build id; does not take over by
//   itself, the page asks it to (message "skip-waiting") when the user or
//   the kiosk chooses to update.
// - activate: deletes the caches of older builds (only Cache Storage; the
//   outbox in IndexedDB and the drafts in localStorage are never touched),
//   then controls the open pages.
// - fetch: /api/ always goes to the network; app routes (navigations) try
//   the network and fall back to the cached page: a mode built as a bundle
//   of its own has its page (kiosk.html for /kiosk, shop.html for /shop and
//   below it, …), every other route index.html; other same-origin GETs are
//   served from the cache first.
'use strict';

const BUILD_ID = '__BUILD_ID__';
const PREFIX = 'branchpulse-shell-';
const CACHE = PREFIX + BUILD_ID;
const SHELL = '/index.html';
// Must match BUNDLES in crates/server/src/assets.rs: a route (with '/*' when
// the routes below it are the bundle's too) and its page.
const PAGES = {
  '/kiosk': '/kiosk.html',
  '/kiosk/staff': '/kiosk-staff.html',
  '/shop': '/shop.html',
  '/shop/*': '/shop.html',
  '/dashboard': '/dashboard.html',
  '/admin': '/admin.html',
  '/report': '/report.html',
};
const ASSETS = __ASSETS__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // `reload`: never take a copy from the HTTP cache, which may be older.
      cache.addAll([SHELL, ...ASSETS].map((url) => new Request(url, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data === 'skip-waiting') self.skipWaiting();
  else if (data === 'build-id' && event.ports[0]) event.ports[0].postMessage(BUILD_ID);
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    const first = '/' + url.pathname.split('/')[1];
    const own = Object.hasOwn(PAGES, url.pathname) ? PAGES[url.pathname]
      : url.pathname.startsWith(first + '/') && Object.hasOwn(PAGES, first + '/*') ? PAGES[first + '/*'] : undefined;
    const page = own && ASSETS.includes(own) ? own : SHELL;
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((c) => c.match(page)).then((r) => r || Response.error()),
      ),
    );
    return;
  }
  event.respondWith(
    caches
      .open(CACHE)
      .then((c) => c.match(request))
      .then((hit) => hit || fetch(request)),
  );
});
