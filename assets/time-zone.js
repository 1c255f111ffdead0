// The reader's time zone, for the state server to show dates in it (epoint_ui/states/reader.py).
// Browsers send their language with every request but not their time zone: put it in a cookie,
// which the app's state reads when the page connects. Loaded by every page (epoint_ui.py).
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      document.cookie =
        "epoint_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Strict";
    }
  } catch (e) {
    // No Intl: the app shows UTC.
  }
})();
