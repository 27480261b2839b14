"""Writers touch only what they own: one rule, worded alike, for every command that writes a file.

A target that exists must be a regular file (a FIFO, device or directory is refused), never a symbolic link (the
link and what it points to stay as they were), and its folder must already exist (no folder is created).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kz_timeline.cli import main
from tests.conftest import REPO_ROOT

#: Each command that writes one file, as the arguments that make it write `target` from the data in `data`.
#: Targets are named with the suffix each writer's format takes (a chart named .fifo would be refused for its suffix).
FILE_WRITERS: dict[str, Callable[[Path, Path], list[str]]] = {
    "chart": lambda data, target: ["chart", "--data-dir", str(data), "--out", str(target)],
    "chart-svg": lambda data, target: ["chart", "--data-dir", str(data), "--format", "svg", "--out", str(target)],
    "export": lambda data, target: ["export", "timelinejs", "--data-dir", str(data), "--out", str(target)],
    "build": lambda data, target: ["build", "--data-dir", str(data), "--db", str(target)],
}


#: The suffix each writer's target carries, so that the refusal tested is the target's kind and nothing else.
SUFFIXES: dict[str, str] = {"chart": ".html", "chart-svg": ".svg", "export": ".json", "build": ".db"}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.err


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def test_a_fifo_target_is_refused_and_left_a_fifo(minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, args in FILE_WRITERS.items():
        target = tmp_path / f"{name}-fifo{SUFFIXES[name]}"
        make_fifo(target)
        code, err = run(args(minimal_dir, target), capsys)
        assert (name, code, err) == (name, 1, f"Error: {target}: is not a regular file; kz-timeline writes only regular files\n")
        assert stat.S_ISFIFO(os.lstat(target).st_mode), name


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_target_is_refused_and_left_a_device(
    minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A character device like /dev/null (a copy of it here: replacing the real one would break the machine)."""
    for name, args in FILE_WRITERS.items():
        target = tmp_path / f"{name}-null{SUFFIXES[name]}"
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        code, err = run(args(minimal_dir, target), capsys)
        assert (name, code, err) == (name, 1, f"Error: {target}: is not a regular file; kz-timeline writes only regular files\n")
        assert stat.S_ISCHR(os.lstat(target).st_mode), name


def test_a_symlinked_target_is_refused_and_neither_link_nor_its_target_changes(
    minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, args in FILE_WRITERS.items():
        real = tmp_path / f"{name}-real{SUFFIXES[name]}"
        real.write_bytes(b"precious")
        link = tmp_path / f"{name}-link{SUFFIXES[name]}"
        link.symlink_to(real)
        code, err = run(args(minimal_dir, link), capsys)
        assert (name, code, err) == (name, 1, f"Error: {link}: is a symbolic link; kz-timeline never writes through links\n")
        assert link.is_symlink() and os.readlink(link) == str(real), name
        assert real.read_bytes() == b"precious", name


def test_a_directory_target_is_refused(minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, args in FILE_WRITERS.items():
        target = tmp_path / f"{name}-dir{SUFFIXES[name]}"
        target.mkdir()
        code, err = run(args(minimal_dir, target), capsys)
        assert (name, code, err) == (name, 1, f"Error: {target}: is a directory; give the path of a file\n")
        assert target.is_dir() and list(target.iterdir()) == [], name


def test_a_missing_folder_is_not_created(minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, args in FILE_WRITERS.items():
        target = tmp_path / f"{name}-missing" / "deeper" / f"out{SUFFIXES[name]}"
        code, err = run(args(minimal_dir, target), capsys)
        assert (name, code, err) == (
            name,
            1,
            f"Error: {target}: the folder {target.parent} does not exist; kz-timeline creates no folders\n",
        )
        assert not (tmp_path / f"{name}-missing").exists(), name


def test_a_folder_that_is_a_file_is_refused(minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, args in FILE_WRITERS.items():
        blocker = tmp_path / f"{name}-file"
        blocker.write_text("x", encoding="utf-8")
        target = blocker / f"out{SUFFIXES[name]}"
        code, err = run(args(minimal_dir, target), capsys)
        assert (name, code, err) == (name, 1, f"Error: {target}: {blocker} is not a directory\n")
        assert blocker.read_text(encoding="utf-8") == "x", name


def test_serve_refuses_a_fifo_database_before_serving(minimal_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "kz.db"
    make_fifo(target)
    command = [sys.executable, "-m", "kz_timeline", "serve", "--data-dir", str(minimal_dir), "--db", str(target), "--port", "0"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("serve replaced the FIFO with a database and started serving")
    assert result.returncode == 1
    assert result.stderr == f"Error: {target}: is not a regular file; kz-timeline writes only regular files\n"
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_fmt_refuses_a_symlinked_csv_and_rewrites_nothing(
    minimal_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere.csv"
    events = minimal_dir / "events.csv"
    elsewhere.write_bytes(events.read_bytes().replace(b"\n", b"\r\n"))  # CRLF: fmt would rewrite it
    events.unlink()
    events.symlink_to(elsewhere)
    actors = minimal_dir / "actors.csv"
    actors.write_bytes(actors.read_bytes().replace(b"\n", b"\r\n"))  # fmt would rewrite this one too
    before = {path.name: path.read_bytes() for path in (elsewhere, actors)}
    code, err = run(["fmt", "--data-dir", str(minimal_dir)], capsys)
    assert (code, err) == (1, f"Error: {events}: is a symbolic link; kz-timeline never writes through links\n")
    assert events.is_symlink()
    assert {path.name: path.read_bytes() for path in (elsewhere, actors)} == before


def test_generate_refuses_a_symlinked_generated_file_and_writes_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "src" / "kz_timeline" / "site" / "templates" / "pages").mkdir(parents=True)  # where the methodology page goes
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "minimal", root / "data")
    (root / "README.md").write_text("# x\n<!-- data-dictionary:start -->\n<!-- data-dictionary:end -->\n", encoding="utf-8")
    precious = tmp_path / "precious.yml"
    precious.write_text("keep me\n", encoding="utf-8")
    (root / "metadata.yml").symlink_to(precious)
    readme = (root / "README.md").read_text(encoding="utf-8")
    code, err = run(["generate", "--root", str(root)], capsys)
    assert (code, err) == (1, f"Error: {root / 'metadata.yml'}: is a symbolic link; kz-timeline never writes through links\n")
    assert precious.read_text(encoding="utf-8") == "keep me\n"
    assert (root / "README.md").read_text(encoding="utf-8") == readme
    assert sorted(path.name for path in root.iterdir()) == ["README.md", "data", "docs", "metadata.yml", "src"]
