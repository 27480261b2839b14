"""Run in a kz-timeline checkout, every command and load() use ./data; elsewhere, the data shipped with the package."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import kz_timeline
from kz_timeline.cli import main
from kz_timeline.dataset.loader import checkout_data_dir, default_data_dir
from kz_timeline.schema.tables import TABLES


@pytest.fixture
def checkout(tmp_path: Path, minimal_dir: Path) -> Path:
    """Return a directory laid out like a checkout: data/ holds every table of the minimal dataset."""
    root = tmp_path / "checkout"
    shutil.copytree(minimal_dir, root / "data")
    return root


def test_a_directory_is_a_checkout_when_its_data_folder_holds_every_table(checkout: Path) -> None:
    assert checkout_data_dir(checkout) == checkout / "data"
    assert [table.filename for table in TABLES] == [
        "events.csv", "actors.csv", "sources.csv", "participants.csv", "event_links.csv", "claims.csv", "evidence.csv",
    ]  # fmt: skip


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_a_data_folder_without_one_of_the_tables_is_no_checkouts(checkout: Path, table: object) -> None:
    (checkout / "data" / table.filename).unlink()  # type: ignore[attr-defined]
    assert checkout_data_dir(checkout) is None


def test_a_data_file_or_no_data_folder_is_no_checkout(tmp_path: Path) -> None:
    assert checkout_data_dir(tmp_path) is None
    (tmp_path / "data").write_text("", encoding="utf-8")
    assert checkout_data_dir(tmp_path) is None


def test_load_and_every_loader_use_the_checkouts_data(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout)
    assert default_data_dir() == checkout / "data"
    assert kz_timeline.load().data_dir == checkout / "data"
    assert sorted(kz_timeline.load_events()["event_id"]) == ["editor_sentenced", "president_speaks"]
    monkeypatch.chdir(checkout / "data")  # no data/ here: the shipped data
    assert len(kz_timeline.load_events()) > 2


def test_every_command_names_the_data_it_used(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(checkout)
    data = checkout / "data"
    counts = "(2 events, 2 actors, 2 sources, 2 participants, 1 event_links, 2 claims, 1 evidence)"
    commands = {
        ("validate",): (f"{data}: valid {counts}", ""),
        ("fmt",): (f"all files in {data} are formatted", ""),
        ("fmt", "--check"): (f"all files in {data} are formatted", ""),
        ("build",): (f"built kz-timeline.db from {data} {counts}", ""),
        ("chart", "--kind", "claims", "--out", "claims.svg"): ("wrote claims.svg (", f" bytes) from {data}"),
        ("export", "graphml", "--out", "kz.graphml"): (f"wrote kz.graphml from {data}", ""),
        ("publish-files", "site"): ("wrote ", f" files to site from {data}:"),
    }
    for args, (start, end) in commands.items():
        assert main(list(args)) == 0, args
        first = capsys.readouterr().out.splitlines()[0]
        assert first.startswith(start) and first.endswith(end), (args, first)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_a_fresh_clone_installed_with_the_readmes_first_command_serves_an_edit_to_its_data(
    git_checkout: Path, tmp_path: Path
) -> None:
    """What a newcomer does: clone, `python3 -m venv .venv && .venv/bin/pip install .`, edit data/events.csv, build.

    The dependencies are lent from the test environment (`--no-deps` and a .pth file) rather than installed again;
    kz-timeline itself is built from the clone and installed into the new venv, not editable, as the README does.
    """
    clone = tmp_path / "clone"
    assert run(["git", "clone", "--quiet", str(git_checkout), str(clone)], tmp_path).returncode == 0
    assert run([sys.executable, "-m", "venv", ".venv"], clone).returncode == 0
    python, kz = clone / ".venv" / "bin" / "python", str(clone / ".venv" / "bin" / "kz-timeline")
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], clone).stdout.strip()
    lent = run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], clone).stdout.strip()
    (Path(site) / "kz_timeline_test_dependencies.pth").write_text(lent + "\n", encoding="utf-8")
    installed = run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "."], clone)
    assert installed.returncode == 0, installed.stderr[-2000:]
    shipped = Path(site) / "kz_timeline" / "data"
    assert (shipped / "events.csv").is_file()

    data = clone / "data"
    rows = read_rows(data / "events.csv")
    event, title = rows[0]["event_id"], rows[0]["title"] + " (edited in the clone)"
    rows[0]["title"] = title
    write_rows(data / "events.csv", rows)
    built = run([kz, "build"], clone)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith(f"built kz-timeline.db from {data} (")
    with sqlite3.connect(clone / "kz-timeline.db") as connection:
        assert connection.execute("select title from events where event_id = ?", [event]).fetchone() == (title,)
    code = f"import kz_timeline as k; print(k.load().events.set_index('event_id').title[{event!r}])"
    assert run([str(python), "-c", code], clone).stdout.strip() == title

    rows[0]["date"] = "2013-31-07"
    write_rows(data / "events.csv", rows)
    for command in ("validate", "build"):
        refused = run([kz, command], clone)
        assert refused.returncode == 1, (command, refused.stdout)
        first = refused.stderr.splitlines()[0]
        assert first.startswith(f"{data}/events.csv:2: column 'date': ") and "'2013-31-07'" in first, (command, first)
    with sqlite3.connect(clone / "kz-timeline.db") as connection:  # the refused build left the database as it was
        assert connection.execute("select title from events where event_id = ?", [event]).fetchone() == (title,)

    elsewhere = run([kz, "validate"], tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert elsewhere.stdout.startswith(f"{shipped}: valid (")
