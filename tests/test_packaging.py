"""The wheel carries the data and py.typed: installed elsewhere, load() works from any directory."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kz_timeline.schema.tables import TABLES
from tests.conftest import ARTICLE_SHA256

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kz_timeline-*.whl")
    return built


def install_elsewhere(wheel: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Install `wheel` into a directory of its own; return it and an unrelated working directory."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return target, elsewhere


def test_wheel_contains_every_table_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kz_timeline/py.typed" in names
    for table in TABLES:
        assert f"kz_timeline/data/{table.filename}" in names
        assert (ROOT / "data" / table.filename).read_bytes() == zipfile.ZipFile(wheel).read(f"kz_timeline/data/{table.filename}")


def test_the_op_eds_text_is_in_neither_the_wheel_nor_the_repository(wheel: Path, git_checkout: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    in_wheel = [name for name in archive.namelist() if hashlib.sha256(archive.read(name)).hexdigest() == ARTICLE_SHA256]
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=git_checkout, capture_output=True, check=True).stdout.decode().split("\0")
    )
    files = [ROOT / name for name in tracked if name and (ROOT / name).is_file()]
    assert len(files) > 100, "git ls-files found too few files: the scan is broken"
    in_repository = [str(path) for path in files if hashlib.sha256(path.read_bytes()).hexdigest() == ARTICLE_SHA256]
    assert in_wheel == [] and in_repository == []


def test_installed_wheel_loads_its_data_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target, elsewhere = install_elsewhere(wheel, tmp_path)
    code = (
        "import kz_timeline; d = kz_timeline.load(); "
        "print(kz_timeline.__file__); print(d.data_dir); print(len(d.events) > 0, len(d.claims) > 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    module_file, data_dir, counts = result.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert data_dir == str(target / "kz_timeline" / "data")
    assert counts == "True True"


def test_wheel_carries_the_datasette_templates_plugin_and_static_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    site = ROOT / "src" / "kz_timeline" / "site"
    shipped = [path for folder in ("templates", "plugins", "static") for path in (site / folder).rglob("*")]
    shipped_names = {
        str(path.relative_to(ROOT / "src")) for path in shipped if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped_names and shipped_names <= names
    assert "kz_timeline/site/templates/row-kz-timeline-events.html" in names
    assert "kz_timeline/site/plugins/kz_timeline_site.py" in names
    assert "kz_timeline/site/static/kz-timeline.css" in names


def test_installed_wheel_serves_its_pages_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target, elsewhere = install_elsewhere(wheel, tmp_path)
    code = """
import asyncio
from kz_timeline.site.database import build_database
from kz_timeline.site.server import make_datasette
build_database(None, "kz-timeline.db")
ds = make_datasette("kz-timeline.db")
async def main():
    for path in ["/", "/timeline", "/kz-timeline/events/mamai_convicted_2023", "/kz-timeline-static/kz-timeline.css"]:
        response = await ds.client.get(path)
        print(path, response.status_code, "kz-" in response.text)
asyncio.run(main())
"""
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "/ 200 True",
        "/timeline 200 True",
        "/kz-timeline/events/mamai_convicted_2023 200 True",
        "/kz-timeline-static/kz-timeline.css 200 True",
    ]
