"""`kz-timeline export` and kz_timeline.export(): every format, clear errors, and no half-written or clobbered file."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kz_timeline
from kz_timeline.exports.formats import FORMATS, ExportError, export, render_export
from tests.helpers import replace_in


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def needs(name: str, data_dir: Path) -> tuple[list[str], dict[str, Any]]:
    """Return what an export needs besides --out: its command-line arguments and the library call's keywords."""
    if name == "claimreview":
        return ["--base-url", "https://example.org", "--date", "2026-01-31"], {
            "base_url": "https://example.org",
            "date": dt.date(2026, 1, 31),
        }
    if name == "annotations":
        article = data_dir / "article.txt"
        return ["--article", str(article), "--date", "2026-01-31"], {"articles": [article], "date": dt.date(2026, 1, 31)}
    return [], {}


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_is_written_by_the_cli_and_equals_the_library_call(name: str, tmp_path: Path, minimal_dir: Path) -> None:
    (tmp_path / "new").mkdir()
    out = tmp_path / "new" / f"export{FORMATS[name].suffixes[0]}"
    arguments, keywords = needs(name, minimal_dir)
    result = run_cli("export", name, "--out", str(out), "--data-dir", str(minimal_dir), *arguments)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"wrote {out} from {minimal_dir}\n", "")
    again = kz_timeline.export(name, tmp_path / "again", minimal_dir, **keywords)
    assert out.read_bytes() == again.read_bytes()
    assert not [path.name for path in out.parent.iterdir() if path.name.startswith(".")], "a temporary file was left behind"


@pytest.mark.parametrize("name", list(FORMATS))
def test_out_dash_writes_the_export_to_standard_output(name: str, minimal_dir: Path) -> None:
    arguments, keywords = needs(name, minimal_dir)
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "export", name, "--out", "-", "--data-dir", str(minimal_dir), *arguments],
        capture_output=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == render_export(name, minimal_dir, **keywords)
    assert not Path("-").exists()


@pytest.mark.parametrize("name", [name for name, export in FORMATS.items() if export.takes_claims])
def test_claims_flag_adds_every_claim_to_a_graph_export_that_reads_back(name: str, tmp_path: Path, minimal_dir: Path) -> None:
    import networkx as nx

    out = tmp_path / f"graph{FORMATS[name].suffixes[0]}"
    result = run_cli("export", name, "--claims", "--out", str(out), "--data-dir", str(minimal_dir))
    assert result.returncode == 0, result.stderr
    read = nx.read_graphml(out) if name == "graphml" else nx.read_gexf(out)
    claims = {node for node, kind in read.nodes(data="kind") if kind == "claim"}
    assert claims == {"claim:editor_sentenced_in_2017", "claim:president_spoke"}
    plain = render_export(name, minimal_dir)
    assert b"claim:" not in plain and out.read_bytes() == render_export(name, minimal_dir, claims=True)


@pytest.mark.parametrize("name", [name for name, export in FORMATS.items() if not export.takes_claims])
def test_claims_flag_on_an_export_without_a_graph_is_one_line_and_writes_nothing(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("export", name, "--claims", "--out", str(out))
    assert result.returncode == 1
    assert result.stderr == f"Error: the {name} export cannot carry claims; claims go into the graph exports (graphml, gexf)\n"
    assert not out.exists()


def test_unknown_format_is_a_usage_error() -> None:
    result = run_cli("export", "pdf", "--out", "x.pdf")
    assert result.returncode == 2
    formats = "'timelinejs', 'graphml', 'gexf', 'spreadsheet', 'claimreview', 'annotations', 'reader'"
    assert f"invalid choice: 'pdf' (choose from {formats})" in result.stderr


def test_unknown_format_from_python_names_the_formats(tmp_path: Path) -> None:
    formats = "timelinejs, graphml, gexf, spreadsheet, claimreview, annotations"
    with pytest.raises(ExportError, match=f"unknown export format 'pdf'; the formats are {formats}"):
        export("pdf", tmp_path / "x")


def test_a_directory_as_output_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_cli("export", "graphml", "--out", str(tmp_path))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: {tmp_path}: is a directory; give the path of a file\n"


def test_an_output_below_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run_cli("export", "timelinejs", "--out", str(tmp_path / "file" / "timeline.json"))
    assert result.returncode == 1
    assert result.stderr == f"Error: {tmp_path / 'file' / 'timeline.json'}: {tmp_path / 'file'} is not a directory\n"


def test_invalid_data_leaves_the_previous_export_untouched(tmp_path: Path, minimal_dir: Path) -> None:
    out = tmp_path / "events.csv"
    out.write_text("previous export\n", encoding="utf-8")
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    result = run_cli("export", "spreadsheet", "--out", str(out), "--data-dir", str(minimal_dir))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "1 problem(s) found"
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["events.csv", "minimal"]


def test_a_missing_data_directory_is_one_line(tmp_path: Path) -> None:
    result = run_cli("export", "gexf", "--out", str(tmp_path / "x.gexf"), "--data-dir", str(tmp_path / "nowhere"))
    assert (result.returncode, result.stderr) == (1, f"Error: {tmp_path / 'nowhere'}: data directory not found\n")
    assert not (tmp_path / "x.gexf").exists()


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_a_control_character_is_refused_before_it_makes_ill_formed_xml(name: str, minimal_dir: Path, tmp_path: Path) -> None:
    replace_in(minimal_dir / "events.csv", "Editor sentenced", "Editor\x0bsentenced")
    out = tmp_path / f"kz.{name}"
    result = run_cli("export", name, "--data-dir", str(minimal_dir), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{minimal_dir / 'events.csv'}:2: column 'title': holds the control character U+000B at character 7; "
        "only tab, line feed and carriage return may appear in text"
    )
    assert not out.exists()
