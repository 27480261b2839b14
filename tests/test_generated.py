"""Generated files (the data dictionary, the command-line reference, ...) match what the models and data give today."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from kz_timeline.arguments import build_parser
from kz_timeline.metadata.generated import GENERATED_FILES, generate
from kz_timeline.schema.tables import TABLES
from kz_timeline.schema.vocabularies import VOCABULARIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("generated", GENERATED_FILES, ids=lambda g: g.path)
def test_generated_file_is_up_to_date(generated) -> None:  # type: ignore[no-untyped-def]
    path = ROOT / generated.path
    current = path.read_text(encoding="utf-8") if path.exists() else None
    assert generated.wanted(ROOT, current) == current, f"{generated.path} is stale: run `kz-timeline generate`"


def test_generate_check_reports_a_stale_data_dictionary(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    page = tmp_path / "docs" / "data-dictionary.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Stable identifier of the event", "Old words"), encoding="utf-8")
    stale = [str(path.relative_to(tmp_path)) for path in generate(tmp_path, check=True)]
    assert "docs/data-dictionary.md" in stale and "docs/cli.md" not in stale


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_data_dictionary_documents_every_column_of_every_table(table) -> None:  # type: ignore[no-untyped-def]
    page = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for column in table.columns:
        assert f"| `{column.name}` |" in page
        assert column.description.replace("|", "\\|") in page


def test_data_dictionary_documents_every_vocabulary_term() -> None:
    page = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for vocabulary in VOCABULARIES.values():
        for value, description in vocabulary.terms().items():
            assert f"| `{value}` | {description} |" in page


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", list(subcommands()))
def test_cli_reference_documents_every_option_of_every_command(name: str) -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = page.split(f"\n## kz-timeline {name}\n", 1)[1].split("\n## ", 1)[0]
    parser = subcommands()[name]
    assert parser.format_help()
    for action in parser._actions:
        for option in action.option_strings:
            assert f"`{option}" in section or f", {option}" in section, f"{option} of {name} is not in docs/cli.md"
        assert (action.help or "").replace("|", "\\|") in section


def test_cli_reference_follows_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from kz_timeline.metadata import cli_reference

    def parser_with_an_option() -> argparse.ArgumentParser:
        parser = build_parser()
        subcommands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
        subcommands.choices["chart"].add_argument("--width", metavar="PIXELS", help="how wide | in pixels")
        return parser

    monkeypatch.setattr(cli_reference, "build_parser", parser_with_an_option)
    assert "| `--width PIXELS` | how wide \\| in pixels |" in cli_reference.cli_reference()


def test_the_docs_publish_command_is_the_one_publish_files_prints(tmp_path: Path) -> None:
    from kz_timeline.site.publishing import PublishFiles, command_text, plugin_files, publish_command
    from kz_timeline.site.server import SETTINGS

    page = (ROOT / "docs" / "datasette.md").read_text(encoding="utf-8")
    assert command_text(publish_command("site")) in page
    printed = str(PublishFiles(tmp_path / "site", (), tmp_path / "data"))
    assert command_text(publish_command(tmp_path / "site")) in printed.replace("\n    ", "\n  ")
    for name in SETTINGS:
        assert f"--setting {name} " in page
    assert len(plugin_files()) >= 2
    for plugin in plugin_files():
        assert f"- `{plugin.name}`: " in page


def test_generate_refuses_a_file_without_its_markers_and_writes_nothing(
    tmp_path: Path, minimal_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kz_timeline.cli import main

    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(minimal_dir, tmp_path / "data")
    (tmp_path / "src" / "kz_timeline" / "site" / "templates" / "pages").mkdir(parents=True)
    (tmp_path / "README.md").write_text("# A README without the label-counts markers\n", encoding="utf-8")
    (tmp_path / "docs" / "data-dictionary.md").write_text("stale\n", encoding="utf-8")  # written before the README
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    code = main(["generate", "--root", str(tmp_path)])
    readme = tmp_path / "README.md"
    assert (code, capsys.readouterr().err) == (
        1,
        f"Error: {readme}: needs the markers <!-- label-counts:start --> and <!-- label-counts:end -->, "
        "where the generated block goes\n",
    )
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before
