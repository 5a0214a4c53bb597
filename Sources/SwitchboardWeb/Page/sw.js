// Keeps the page's own files so that a reload while the server is down still opens the page
// (and with it the messages waiting in the outbox). Never the API or the socket: those always go
// to the network. The server writes this bundle's hash and file list below.
const BUNDLE = '{{BUNDLE}}';
const FILES = {{FILES}};
const CACHE = `switchboard-${BUNDLE}`;

self.addEventListener('install', event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(['/', ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
  event.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(key => key.startsWith('switchboard-') && key !== CACHE).map(key => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', event => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    // Named by their content's hash: what is cached is what is asked for.
    event.respondWith(caches.match(event.request).then(hit => hit ?? fetch(event.request)));
  } else if (event.request.mode === 'navigate' && url.pathname === '/') {
    // The page itself: fresh when the server answers, the kept copy when it does not.
    event.respondWith(fetch(event.request).then(response => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then(cache => cache.put('/', copy)); }
      return response;
    }).catch(() => caches.match('/')));
  }
});
