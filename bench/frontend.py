"""Front-end benchmark: Lighthouse on the static export, and first-load JS against a blank app.

    python bench/frontend.py            # after `source scripts/env.sh`

Builds the app with `reflex export --frontend-only`, serves it like a static host
(gzip, route -> route.html) with its state server on a throw-away local cloud, then:

* runs Lighthouse (npm package, on Debian's Chromium, its default mobile preset) five
  times on each of the landing, sign-up and sign-in pages and prints, per category, the
  lowest of the three pages' medians (targets: performance 90,
  accessibility 95, best practices 95);
* loads the landing page in Chromium, sums the gzip size of every script it fetches
  before `load`, does the same for a blank Reflex app (`reflex init --template blank`)
  exported in the same run, and prints the ratio (target: at most 1.5).
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e import app_under_test  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LIGHTHOUSE_VERSION = "13.5.0"
TOOLS = ROOT / ".tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/sign-up", "/sign-in")
# Lighthouse's performance score moves with the machine's load (2 shared cores):
# each page is measured this many times and its median taken.
RUNS = 5
CATEGORIES = ("performance", "accessibility", "best-practices")


def ensure_lighthouse() -> None:
    """Installs Lighthouse from the npm registry into the git-ignored .tools/ once."""
    if not LIGHTHOUSE.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-fund",
                "--no-audit",
                "--prefix",
                str(TOOLS),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
            timeout=600,
        )


def lighthouse(url: str, out: Path) -> dict[str, int]:
    """Lighthouse's category scores (0-100) for one page, mobile preset (its default)."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={flags}",
            "--max-wait-for-load=60000",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def first_load_js(url: str) -> tuple[int, int]:
    """(gzip bytes, file count) of the scripts a fresh browser requests before `load`."""
    scripts: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        page.on(
            "request",
            lambda r: scripts.append(r.url) if r.resource_type == "script" else None,
        )
        page.goto(url, wait_until="load")
        loaded = sorted(set(scripts))
        browser.close()
    # Sizes from the files themselves, compressed the same way for both apps.
    sizes = [
        len(gzip.compress(httpx.get(u, headers={"Accept-Encoding": "identity"}).content, 9))
        for u in loaded
    ]
    return sum(sizes), len(sizes)


def blank_app_js(work: Path) -> tuple[int, int]:
    """First-load JS of `reflex init --template blank`, exported with the same Reflex and bun."""
    app = work / "blank"
    app.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFLEX_WEB", "REFLEX_STATES"))}
    subprocess.run(
        ["reflex", "init", "--template", "blank", "--no-agents", "--loglevel", "warning"],
        cwd=app,
        env=env,
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
    )
    site = app_under_test.export_app(env, cwd=app)
    with app_under_test.StaticSite(site) as served:
        return first_load_js(served.url + "/")


def main() -> int:
    """Runs both measurements and prints the figures."""
    ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="epoint-bench-") as tmp:
        work = Path(tmp)
        (work / "cloud").mkdir()
        with app_under_test.local_cloud(work / "cloud") as cloud:
            port, site_port = app_under_test.free_ports(2)
            env = app_under_test.app_env(cloud, work / "app", port, site_port)
            site = app_under_test.export_app(env)
            with (
                app_under_test.state_server(env, port, work / "state-server.log") as backend,
                app_under_test.StaticSite(
                    site, port=site_port, headers=app_under_test.amplify_headers(backend)
                ) as served,
            ):
                scores = {}
                for path in PAGES:
                    runs = [lighthouse(served.url + path, work / "lh.json") for _ in range(RUNS)]
                    scores[path] = {c: statistics.median(r[c] for r in runs) for c in CATEGORIES}
                    print(f"lighthouse {path}: runs {runs} -> median {scores[path]}", flush=True)
                app_js, app_files = first_load_js(served.url + "/")
        blank_js, blank_files = blank_app_js(work)

    print(f"first_load_js_gzip_bytes epoint: {app_js} ({app_files} files)")
    print(f"first_load_js_gzip_bytes blank: {blank_js} ({blank_files} files)")
    for category in CATEGORIES:
        lowest = min(s[category] for s in scores.values())
        print(f"lighthouse_{category.replace('-', '_')}: {lowest:g}")
    print(f"first_load_js_ratio: {app_js / blank_js:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
