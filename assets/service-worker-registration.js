// Registers ePoint's service worker (sw.js: the offline screen, cached build files).
// Only the exported app's pages load this file (epoint_ui.py): `reflex run`'s development
// server rebuilds files under the same names and is never served through the worker.
(function () {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () {
      // No worker (a private window, an old browser): the app works, just not offline.
    });
  });
})();
