// Registers ePoint's service worker (sw.js: the offline screen, cached build files).
// Only in the exported app: `reflex run`'s development server (its pages load Vite's
// /@vite/client) changes files under the same names, so there any worker is removed.
(function () {
  if (!("serviceWorker" in navigator)) return;
  var development = document.querySelector('script[src*="/@vite/client"]') !== null;
  window.addEventListener("load", function () {
    if (development) {
      navigator.serviceWorker.getRegistrations().then(function (registrations) {
        registrations.forEach(function (registration) {
          registration.unregister();
        });
      });
      return;
    }
    navigator.serviceWorker.register("/sw.js").catch(function () {
      // No worker (a private window, an old browser): the app works, just not offline.
    });
  });
})();
