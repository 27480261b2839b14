"""`kz-timeline serve` as a user runs it: builds when the data changed, serves read-only, prints its URL, clear errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kz_timeline.site.database import build_database, stored_fingerprint
from tests.helpers import replace_in
from tests.serving import serve_command, served


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
    return body.decode("utf-8")


def test_serve_builds_a_missing_database_prints_the_url_and_serves_it(minimal_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    db = tmp_path / "site" / "kz.db"
    with served(minimal_dir, db) as server:
        assert server.output.splitlines()[0] == (
            f"built {db} from {minimal_dir} (2 events, 2 actors, 2 sources, 2 participants, 1 event_links, 2 claims, 1 evidence)"
        )
        assert server.url.startswith("http://127.0.0.1:")
        assert "(charts at /timeline); press Ctrl-C to stop" in server.output
        events = json.loads(fetch(server.url + "kz-timeline/events.json?_shape=array"))
        assert [event["event_id"] for event in events] == ["editor_sentenced", "president_speaks"]
        settings = json.loads(fetch(server.url + "-/settings.json"))
        assert settings["sql_time_limit_ms"] == 3000 and settings["suggest_facets"] is False
        databases = json.loads(fetch(server.url + "-/databases.json"))
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("kz-timeline", False)]


@pytest.mark.slow
def test_serve_reuses_an_up_to_date_database_and_rebuilds_a_stale_one(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "kz.db"
    build_database(minimal_dir, db)
    inode = db.stat().st_ino
    with served(minimal_dir, db) as server:
        assert server.output.splitlines()[0] == f"{db} is up to date with {minimal_dir}"
    assert db.stat().st_ino == inode
    replace_in(minimal_dir / "events.csv", "Editor sentenced", "Editor sentenced in Almaty")
    with served(minimal_dir, db) as server:
        assert server.output.splitlines()[0].startswith(f"built {db} from {minimal_dir} (")
        events = json.loads(fetch(server.url + "kz-timeline/events.json?_shape=array"))
        assert events[0]["title"] == "Editor sentenced in Almaty"
    assert stored_fingerprint(db) is not None


def test_serve_refuses_invalid_data_and_keeps_the_old_database(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "kz.db"
    build_database(minimal_dir, db)
    before = db.read_bytes()
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    result = subprocess.run(serve_command(minimal_dir, db), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "events.csv:2: column 'event_type'" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_serve_on_a_port_in_use_is_one_error_line(minimal_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            serve_command(minimal_dir, tmp_path / "kz.db", port), capture_output=True, text=True, timeout=120, check=False
        )
    assert result.returncode == 1
    assert result.stderr == f"Error: cannot serve on 127.0.0.1:{port}: Address already in use; choose another with --port\n"


def test_serve_help_names_its_options() -> None:
    result = subprocess.run([sys.executable, "-m", "kz_timeline", "serve", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for option in ("--data-dir", "--db", "--host", "--port"):
        assert option in result.stdout


def test_serve_with_an_impossible_port_is_a_usage_error() -> None:
    command = [sys.executable, "-m", "kz_timeline", "serve", "--port", "70000"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "argument --port: 70000 is not a port number (0 to 65535)" in result.stderr
