"""The documentation site builds with MkDocs in strict mode, offline, and a broken link fails the build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    env = {"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(site.parent)}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)


def pages_of(entries: list[dict[str, str | list[dict[str, str]]]]) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        for value in entry.values():
            pages.extend(pages_of(value) if isinstance(value, list) else [value])
    return pages


def nav_pages() -> list[str]:
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return pages_of(config["nav"])


def test_every_page_of_docs_is_in_the_nav_and_the_methodology_is_one() -> None:
    pages = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
    assert sorted(nav_pages()) == pages
    assert "METHODOLOGY.md" in pages and "data-dictionary.md" in pages and "cli.md" in pages


@pytest.mark.slow
def test_the_site_builds_strictly_with_every_page_and_the_api_reference(tmp_path: Path) -> None:
    result = mkdocs_build(REPO_ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    built = {path.relative_to(tmp_path / "site").as_posix() for path in (tmp_path / "site").rglob("*.html")}
    assert {page.replace(".md", ".html") for page in nav_pages()} <= built
    api = (tmp_path / "site" / "python.html").read_text(encoding="utf-8")
    assert 'id="kz_timeline.dataset.loader.load"' in api and "Load and validate the dataset" in api
    scale = (tmp_path / "site" / "scale.html").read_text(encoding="utf-8")
    assert "pandas.read_csv, all CSVs as str (floor)" in scale  # BENCHMARKS.md, included


@pytest.mark.slow
def test_a_broken_anchor_fails_the_strict_build(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(DOCS, root / "docs")
    snippet = re.compile(r'^--8<-- "([^"]+)"', re.MULTILINE)
    included = {name for page in DOCS.rglob("*.md") for name in snippet.findall(page.read_text(encoding="utf-8"))}
    for name in ("mkdocs.yml", *sorted(included)):  # the files the pages include, as snippets, from the top level
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "src", root / "src")
    page = root / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](python.md#no-such-section)\n", encoding="utf-8")
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-section" in result.stderr
