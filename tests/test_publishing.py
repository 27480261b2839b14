"""`kz-timeline publish-files`: what `datasette publish` sends runs on plain Datasette, without kz_timeline installed."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kz_timeline.charts.builders import CHART_KINDS
from kz_timeline.cli import main
from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.site.database import data_fingerprint, stored_fingerprint
from kz_timeline.site.publishing import PublishFiles, write_publish_files
from kz_timeline.site.server import SETTINGS, TEMPLATES_DIR
from tests.conftest import DATA_DIR
from tests.helpers import replace_in

#: Run Datasette's own CLI with kz_timeline made unimportable, as on a publishing host that only has Datasette.
BARE_DATASETTE = "import sys; sys.modules['kz_timeline'] = None; from datasette.cli import cli; cli()"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PublishFiles:
    return write_publish_files(tmp_path_factory.mktemp("publish") / "site", DATA_DIR)


def serve_args(site: Path) -> list[str]:
    return [
        "serve", "-i", str(site / f"{DATABASE_NAME}.db"), "--metadata", str(site / "metadata.yml"),
        "--template-dir", str(site / "templates"), "--plugins-dir", str(site / "plugins"),
        "--static", f"kz-timeline-static:{site / 'static'}",
    ]  # fmt: skip


def bare_get(site: Path, path: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", BARE_DATASETTE, *serve_args(site), "--get", path]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ))


def test_publish_files_writes_database_metadata_templates_plugin_and_static_charts(published: PublishFiles) -> None:
    names = {str(path.relative_to(published.directory)) for path in published.files}
    assert {
        f"{DATABASE_NAME}.db",
        "metadata.yml",
        "plugins/kz_timeline_site.py",
        "plugins/kz_timeline_claimreview.py",
        "templates/kz-timeline-charts.html",
        "templates/row-kz-timeline-events.html",
        "templates/index.html",
        "static/vega.js",
        "static/kz-timeline.css",
    } <= names
    assert {f"static/charts/{kind}.json" for kind in CHART_KINDS} <= names
    assert stored_fingerprint(published.directory / f"{DATABASE_NAME}.db") is not None
    for kind in CHART_KINDS:
        spec = json.loads((published.directory / "static" / "charts" / f"{kind}.json").read_text(encoding="utf-8"))
        assert "vega-lite" in spec["$schema"]


def test_published_metadata_is_the_site_metadata_plus_static_chart_settings(published: PublishFiles) -> None:
    from kz_timeline.site.datasette_metadata import site_metadata

    metadata = yaml.safe_load((published.directory / "metadata.yml").read_text(encoding="utf-8"))
    plugins = metadata.pop("plugins")
    assert metadata == site_metadata()
    assert plugins["kz-timeline"]["static_charts"]["charts"] == {"timeline": "Timeline", "actors": "Actors", "claims": "Claims"}


def test_the_publish_command_carries_metadata_templates_plugins_static_and_settings(published: PublishFiles) -> None:
    command = published.command()
    site = published.directory
    assert command[:4] == ["datasette", "publish", "cloudrun", str(site / "kz-timeline.db")]
    pairs = dict(zip(command[4::2], command[5::2], strict=True))
    assert pairs["--metadata"] == str(site / "metadata.yml")
    assert pairs["--template-dir"] == str(site / "templates")
    assert pairs["--plugins-dir"] == str(site / "plugins")
    assert pairs["--static"] == f"kz-timeline-static:{site / 'static'}"
    assert pairs["--install"] == "datasette>=0.65.1,<0.66"
    assert pairs["--extra-options"] == " ".join(f"--setting {k} {'off' if v is False else v}" for k, v in SETTINGS.items())
    assert published.command("fly")[2:6] == ["fly", str(site / "kz-timeline.db"), "--app", "kz-timeline"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", '<a href="/timeline">Charts: timeline, actors and claims</a>'),
        ("/timeline", "<h1>Charts: timeline, actors and claims</h1>"),
        ("/timeline", 'data-spec-url="/kz-timeline-static/charts/timeline.json"'),
        ("/timeline", '<script src="/kz-timeline-static/vega.js"></script>'),
        ("/timeline", 'data-narrow-spec-url="/kz-timeline-static/charts/timeline-narrow.json"'),
        ("/kz-timeline/events/mamai_convicted_2023", '<h2 id="participants-heading">Who takes part</h2>'),
        ("/kz-timeline/events/mamai_convicted_2023", '<a href="/oped#claim-oped_mamai_suspended_2023">'),
        ("/oped", '<article class="kz-claim kz-label-contested" id="claim-oped_sanctions_compliance"'),
        ("/kz-timeline-static/charts/timeline-narrow.json", '"$schema"'),
        ("/kz-timeline/actor_events?actor=mamai", "mamai_convicted_2023"),
        ("/kz-timeline-static/charts/actors.json", '"$schema"'),
    ],
)
def test_plain_datasette_without_kz_timeline_serves_the_published_site(published: PublishFiles, path: str, expected: str) -> None:
    result = bare_get(published.directory, path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in result.stdout


def test_a_published_claim_page_carries_its_claimreview_without_kz_timeline(published: PublishFiles) -> None:
    import datetime as dt

    import extruct

    from kz_timeline.exports.formats import render_export

    path = "/kz-timeline/claims/oped_ablyazov_fled"
    result = bare_get(published.directory, path)
    assert result.returncode == 0, result.stderr[-2000:]
    (document,) = extruct.extract(result.stdout, base_url=f"http://localhost{path}", syntaxes=["json-ld"])["json-ld"]
    connection = sqlite3.connect(published.directory / f"{DATABASE_NAME}.db")
    (built_on,) = connection.execute("SELECT value FROM _build_info WHERE key = 'built_on'").fetchone()
    connection.close()
    export = json.loads(render_export("claimreview", DATA_DIR, base_url="http://localhost", date=dt.date.fromisoformat(built_on)))
    assert document == next(review for review in export if review["url"] == f"http://localhost{path}")


def test_the_published_plugin_finds_the_claimreview_builder_where_publish_files_puts_it(published: PublishFiles) -> None:
    from kz_timeline.exports import claimreview
    from kz_timeline.site.publishing import PUBLISHED_CLAIMREVIEW
    from kz_timeline.site.server import PLUGINS_DIR

    plugin = (PLUGINS_DIR / "kz_timeline_site.py").read_text(encoding="utf-8")
    assert f'CLAIMREVIEW_FILE = "{PUBLISHED_CLAIMREVIEW}"' in plugin
    copied = published.directory / "plugins" / PUBLISHED_CLAIMREVIEW
    assert copied.read_bytes() == Path(claimreview.__file__).read_bytes()


def test_cli_publish_files_prints_the_files_and_the_command(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pub"
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "publish-files", str(out), "--data-dir", str(minimal_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())
    assert lines[0] == f"wrote {len(written)} files to {out} from {minimal_dir}:"
    assert lines[1 : 1 + len(written)] == [f"  {name}" for name in written]
    assert "  static/charts/timeline.json" in lines
    command = lines[lines.index("publish them with:") + 1 :]
    assert command[:2] == [f"  datasette publish cloudrun {out}/kz-timeline.db \\", "    --service kz-timeline \\"]
    assert [shlex.split(line.removesuffix(" \\")) for line in command][-1][0] == "--extra-options"


@pytest.fixture(scope="module")
def bare_server(published: PublishFiles) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", BARE_DATASETTE, *serve_args(published.directory), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the published site did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.browser
def test_published_charts_page_draws_every_chart_in_chromium(browser: Any, bare_server: str) -> None:
    context = browser.new_context()
    outside: list[str] = []
    errors: list[str] = []

    def route(route: Any) -> None:
        if re.match(r"^http://127\.0\.0\.1:\d+/", route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(60_000)
    page.goto(bare_server + "timeline")
    views = page.locator(".kz-chart-view")
    assert views.count() == len(CHART_KINDS)
    for index in range(views.count()):
        views.nth(index).locator("svg.marks").wait_for()
        assert views.nth(index).get_attribute("data-drawn") == "true"
    context.close()
    assert outside == [] and errors == []


def test_cli_publish_files_into_a_file_is_one_error_line(minimal_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a directory", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "publish-files", str(target), "--data-dir", str(minimal_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"Error: {target}: is not a directory\n"


def published_names(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file() or path.is_symlink()}


def test_publish_files_replaces_links_and_strays_and_never_writes_through_them(minimal_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = write_publish_files(site, minimal_dir)
    outside = tmp_path / "outside.html"
    outside.write_text("not the package's template", encoding="utf-8")
    (site / "templates" / "index.html").unlink()
    (site / "templates" / "index.html").symlink_to(outside)
    (site / "plugins" / "stray_plugin.py").write_text("# left here by someone else\n", encoding="utf-8")
    again = write_publish_files(site, minimal_dir)
    assert outside.read_text(encoding="utf-8") == "not the package's template"
    index = site / "templates" / "index.html"
    assert not index.is_symlink() and index.read_bytes() == (TEMPLATES_DIR / "index.html").read_bytes()
    assert not (site / "plugins" / "stray_plugin.py").exists()
    assert "stray_plugin" not in str(again) and again.files == first.files
    assert published_names(site) == {str(path.relative_to(site)) for path in first.files}
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == [], "a temporary folder was left"


def test_publish_files_builds_the_database_afresh_even_when_its_fingerprint_matches(minimal_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_publish_files(site, minimal_dir)
    db = site / f"{DATABASE_NAME}.db"
    with sqlite3.connect(db) as connection:  # edited after it was built: its stored fingerprint still matches the CSVs
        connection.execute("update events set title = 'Planted title'")
    assert stored_fingerprint(db) == data_fingerprint(minimal_dir)
    write_publish_files(site, minimal_dir)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        titles = [row[0] for row in connection.execute("select title from events")]
    assert "Planted title" not in titles and len(titles) == 2


def test_publish_files_refuses_a_folder_it_did_not_write_unless_told_to_replace_it(
    minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "mine"
    site.mkdir()
    (site / "notes.txt").write_text("my notes", encoding="utf-8")
    code = main(["publish-files", str(site), "--data-dir", str(minimal_dir)])
    assert (code, capsys.readouterr().err) == (
        1,
        f"Error: {site}: is not empty and was not written by publish-files; give an empty folder, or --replace\n",
    )
    assert published_names(site) == {"notes.txt"}
    assert main(["publish-files", str(site), "--data-dir", str(minimal_dir), "--replace"]) == 0
    assert "notes.txt" not in published_names(site) and f"{DATABASE_NAME}.db" in published_names(site)


def test_publish_files_refuses_a_symlinked_folder_and_a_missing_parent(
    minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert main(["publish-files", str(link), "--data-dir", str(minimal_dir)]) == 1
    assert capsys.readouterr().err == f"Error: {link}: is a symbolic link; kz-timeline never writes through links\n"
    assert list(real.iterdir()) == [] and link.is_symlink()
    missing = tmp_path / "missing" / "site"
    assert main(["publish-files", str(missing), "--data-dir", str(minimal_dir)]) == 1
    assert capsys.readouterr().err == (
        f"Error: {missing}: the folder {missing.parent} does not exist; kz-timeline creates no folders\n"
    )
    assert not missing.parent.exists()


def test_a_failed_publish_leaves_the_previous_folder_as_it_was(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    write_publish_files(site, minimal_dir)
    before = {name: (site / name).read_bytes() for name in published_names(site)}
    from kz_timeline.charts import rendering

    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError("the chart could not be drawn")

    monkeypatch.setattr(rendering, "chart_spec", broken)
    replace_in(minimal_dir / "events.csv", "A court sentences an editor.", "A court sentences the editor.")
    with pytest.raises(RuntimeError):
        write_publish_files(site, minimal_dir)
    assert {name: (site / name).read_bytes() for name in published_names(site)} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["minimal", "site"]
