"""The TimelineJS export, loaded in TimelineJS itself (the npm package, served locally) in a real Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.dataset.loader import load
from kz_timeline.exports.formats import export
from tests.conftest import NPM_MISSING, require
from tests.test_timelinejs import HOSTILE, hostile_copy

pytestmark = pytest.mark.browser

TIMELINEJS = "@knight-lab/timelinejs@3.9.11"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kz-timeline-tests" / "timelinejs-3.9.11-npm-pack"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kz-timeline</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="timelinejs/css/timeline.css">
<script src="timelinejs/js/timeline.js"></script></head>
<body><div id="timeline" style="width: 1200px; height: 700px"></div>
<script>
  window.timeline = new TL.Timeline("timeline", "timeline.json", {
    script_path: new URL("timelinejs/js/", window.location.href).href, language: "en", font: "georgia-helvetica"
  });
  window.timeline.on("ready", () => { window.timelineReady = true; });
</script></body></html>
"""


@pytest.fixture(scope="module")
def timelinejs_dist() -> Path:
    """Return TimelineJS's dist/ folder: the npm package, packed once into a cache and extracted when missing."""
    dist = CACHE / "package" / "dist"
    if (dist / "js" / "timeline.js").is_file():
        return dist
    npm = require(shutil.which("npm"), NPM_MISSING)
    CACHE.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", TIMELINEJS, "--pack-destination", str(CACHE), "--silent"], capture_output=True, text=True, check=False
    )
    if packed.returncode != 0:
        pytest.fail(f"npm pack {TIMELINEJS} failed: {packed.stderr.strip()}")
    tarball = CACHE / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(CACHE, filter="data")
    return dist


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def serve(tmp_path: Path, timelinejs_dist: Path) -> Iterator[Any]:
    """Serve a page with TimelineJS and the given timeline.json on 127.0.0.1; yield a function(json_path) -> URL."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "timelinejs").symlink_to(timelinejs_dist, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def page_for(timeline_json: Path) -> str:
        shutil.copy(timeline_json, root / "timeline.json")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    try:
        yield page_for
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _open(browser: Any, url: str) -> tuple[Any, Any, list[str], list[str]]:
    """Open `url` with every request off this machine blocked; return context, page, errors and blocked requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    blocked: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith("http://127.0.0.1:"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_function("window.timelineReady === true", timeout=30_000)
    return context, page, errors, blocked


def test_timelinejs_shows_a_slide_and_a_marker_for_every_event(browser: Any, serve: Any, tmp_path: Path) -> None:
    dataset = load()
    timeline_json = export("timelinejs", tmp_path / "timeline.json")
    context, page, errors, blocked = _open(browser, serve(timeline_json))
    try:
        assert blocked == [], "TimelineJS tried to reach outside this machine"
        events = len(dataset.events)
        assert page.locator(".tl-slide").count() == events + 1
        assert page.locator(".tl-slide-titleslide").count() == 1
        assert page.locator(".tl-timemarker").count() == events
        assert "Kazakhstan’s progress faces many headwinds" in page.locator(".tl-slide-titleslide").inner_text()
        headlines = page.locator(".tl-timemarker .tl-headline").all_inner_texts()
        assert sorted(headline.strip() for headline in headlines) == sorted(dataset.events["title"].str.strip())
        dates = [text.strip() for text in page.locator(".tl-slide .tl-headline-date").all_inner_texts()]
        assert dates[0] == ""  # the title slide
        assert dates[1:3] == ["2009", "2 February 2009"]  # year precision: no month or day is invented
        assert "February 2012" in dates  # month precision: no day is invented
        assert "perhaps 15 April 2022 to perhaps 13 September 2022" in dates  # day precision, both ends uncertain
        assert "6 to 19 January 2022" in dates
        quoted = int(dataset.claims["event_id"].notna().sum())
        assert page.locator(".tl-slide blockquote.kz-quote").count() == quoted
        assert page.locator(".tl-slide .kz-verification strong").count() == quoted
        groups = {text.strip() for text in page.locator(".tl-timegroup-message").all_inner_texts()}
        assert "Verdict" in groups and "Statement" in groups
        assert errors == []
    finally:
        context.close()


def test_timelinejs_shows_hostile_markup_as_text_and_runs_none_of_it(
    browser: Any, serve: Any, tmp_path: Path, minimal_dir: Path
) -> None:
    timeline_json = export("timelinejs", tmp_path / "timeline.json", hostile_copy(minimal_dir))
    context, page, errors, _ = _open(browser, serve(timeline_json))
    try:
        assert page.locator(".tl-slide").count() == 3
        assert page.evaluate("window.pwned") is None
        assert page.locator("#timeline img[onerror], #timeline script").count() == 0
        page.locator(".tl-slide-titleslide").wait_for()
        assert f"Article {HOSTILE}" in page.locator(".tl-slide-titleslide").inner_text()
        assert errors == []
    finally:
        context.close()
