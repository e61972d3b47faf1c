/* ksm-site: the assessment form opens without a connection once it has been opened with one (DESIGN §10:
   facilitators assess in the field, often offline). The form page puts itself and the files it loads into
   the cache "ksm-nilai" (nilai.js); this worker answers the form's requests from the network when it can,
   keeping the cache fresh, and from the cache when it cannot. Its scope is its own folder, the form's:
   no other page of the site goes through it. */
"use strict";
var CACHE = "ksm-nilai";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.match(request, {ignoreSearch: true}).then(function (found) { return found || Response.error(); });
  }));
});
