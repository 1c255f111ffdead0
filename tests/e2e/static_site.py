"""Serves a Reflex static export the way a static host (Amplify) does: `/wallet` -> `wallet.html`."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class _ExportHandler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        root = Path(self.directory)
        route = urlsplit(path).path.strip("/")
        for candidate in (route, f"{route}.html", f"{route}/index.html"):
            target = root / candidate
            if candidate and target.is_file():
                return str(target)
        if not route:
            return str(root / "index.html")
        # Unknown routes get the single-page-app fallback, which routes client-side.
        fallback = root / "__spa-fallback.html"
        return str(fallback if fallback.is_file() else root / "404.html")

    def log_message(self, format: str, *args: object) -> None:
        pass


class StaticSite:
    """A background HTTP server for one export directory (`.web/build/client`)."""

    def __init__(self, directory: Path, port: int = 0) -> None:
        handler = functools.partial(_ExportHandler, directory=str(directory))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the site is served (http://localhost:PORT)."""
        return f"http://localhost:{self._server.server_address[1]}"

    def __enter__(self) -> StaticSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
