"""Screenshots for the docs: the op-ed page, an event page, the charts and the static reader, wide and on a phone.

    .venv/bin/python benchmarks/screenshots.py                      # writes docs/screenshots/*.png
    .venv/bin/python benchmarks/screenshots.py --out /tmp/shots

Serves the shipped data with `kz-timeline serve` on a free loopback port, writes the static reader to a temporary
folder, and photographs each page in Debian's Chromium (/usr/bin/chromium, through Playwright, as the browser tests
do) at 1280 and 390 px wide: the first screens of the page, not all of it. Nothing outside this machine is fetched.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from load_test import serving

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
#: Viewport widths and how much of each page (from the top) a screenshot shows, in CSS pixels.
WIDTHS = {"1280": (1280, 1500), "390": (390, 1700)}
#: Each screenshot: its name and where the page is ({served} is the server's URL, {static} the reader's folder).
PAGES = {
    "oped": "{served}oped",
    "oped-claim": "{served}oped#claim-oped_sanctions_compliance",
    "event": "{served}kz-timeline/events/mamai_convicted_2023",
    "timeline": "{served}timeline",
    "static-reader": "{static}/oped.html",
}


def wait_until_up(url: str) -> None:
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def photograph(browser: Any, url: str, width: int, height: int, path: Path) -> None:
    """Open `url` at `width` px (requests outside this machine refused), wait for its charts, photograph its top."""
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    try:
        page = context.new_page()
        local = ("file:", "data:", "blob:", "about:", "http://127.0.0.1:")
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())
        page.goto(url)
        if page.locator(".kz-chart-view").count():
            page.wait_for_function("[...document.querySelectorAll('.kz-chart-view')].every((v) => v.dataset.drawn)")
        top = 0
        anchor = url.partition("#")[2]
        if anchor:  # a claim: its evidence opened, photographed from its card down
            page.evaluate("(id) => document.getElementById(id).querySelector('details').open = true", anchor)
            top = page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY - 8", anchor)
        full = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": top, "width": width, "height": min(height, full - top)}
        page.screenshot(path=str(path), full_page=True, clip=clip)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from kz_timeline.site.reader import write_reader

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kz-timeline-shots-") as scratch:
        static = Path(scratch) / "reader"
        write_reader(static)
        with serving(None, Path(scratch) / "kz-timeline.db") as served, sync_playwright() as playwright:
            wait_until_up(served)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for name, where in PAGES.items():
                    url = where.format(served=served, static=static.as_uri())
                    for label, (width, height) in WIDTHS.items():
                        path = args.out / f"{name}-{label}.png"
                        photograph(browser, url, width, height, path)
                        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
