"""The README a newcomer reads in five minutes: short, every link resolving, the two commands CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
#: A Markdown link or image, `[text](target)`; a target may carry an #anchor.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")


def heading_anchors(markdown: str) -> set[str]:
    """Return the anchors GitHub and MkDocs give the headings of a Markdown text (lower case, punctuation dropped)."""
    anchors = set()
    for line in _FENCE.sub("", markdown).splitlines():
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            words = re.sub(r"[^\w\- ]", "", match.group(1).replace("`", "").lower())
            anchors.add(re.sub(r"[\s]+", "-", words.strip()))
    return anchors


def broken_links(path: Path) -> list[str]:
    """Return every link of a Markdown file that does not resolve, with why; code spans and blocks are not links."""
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in _LINK.findall(_CODE.sub("", _FENCE.sub("", text))):
        if re.match(r"[a-z]+:", target):
            broken.append(f"{target}: points outside the repository (no test can check it offline)")
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in heading_anchors(linked.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


def test_readme_is_under_10000_characters() -> None:
    assert len(README.read_text(encoding="utf-8")) < 10_000


def test_every_link_in_the_readme_resolves() -> None:
    assert _LINK.findall(README.read_text(encoding="utf-8")), "no link found: the scan is broken"
    assert broken_links(README) == []


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("[a](docs/python.md#which-data)", []),
        ("[a](docs/python.md#no-such-heading)", ["docs/python.md#no-such-heading: no heading #no-such-heading in python.md"]),
        ("![a](docs/no-such.svg)", ["docs/no-such.svg: no such file"]),
        ("[a](#a-heading)\n\n## A heading", []),
        ("[a](https://example.org/)", ["https://example.org/: points outside the repository (no test can check it offline)"]),
        ("`[a](docs/no-such.md)` and\n```\n[a](docs/no-such.md)\n```", []),
    ],
)
def test_the_link_check_finds_what_is_broken(tmp_path: Path, text: str, broken: list[str]) -> None:
    (tmp_path / "docs").symlink_to(REPO_ROOT / "docs")
    page = tmp_path / "README.md"
    page.write_text(text, encoding="utf-8")
    assert broken_links(page) == broken


def readme_commands() -> list[str]:
    """Return the shell commands of the README's first code block, without comments."""
    block = _FENCE.findall(README.read_text(encoding="utf-8"))[0]
    return [line for line in block.splitlines()[1:-1] if line.strip() and not line.startswith("#")]


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_test_command_exactly() -> None:
    serve, tests = readme_commands()
    assert serve.endswith("pip install . && .venv/bin/kz-timeline serve")
    assert tests.endswith("&& .venv/bin/python -m pytest")
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_the_readme_keeps_the_label_counts_block() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## How the claims stand\n", 1)[1].split("\n## ", 1)[0]
    assert "<!-- label-counts:start -->" in section and "<!-- label-counts:end -->" in section
