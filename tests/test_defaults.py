"""The command line takes its defaults and choices from kz_timeline.defaults, and they are the library's own."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import subprocess
import sys
from typing import Any

import pytest

from kz_timeline import defaults
from kz_timeline.charts import builders, rendering
from kz_timeline.cli import build_parser
from kz_timeline.exports import formats
from kz_timeline.site import database, server


def subcommand(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    commands = next(action for action in parser._actions if action.dest == "command")
    chosen: argparse.ArgumentParser = commands.choices[name]  # type: ignore[index]
    return chosen


def option(command: str, dest: str) -> argparse.Action:
    return next(action for action in subcommand(command)._actions if action.dest == dest)


def default_of(function: Any, parameter: str) -> Any:
    return inspect.signature(function).parameters[parameter].default


def test_serve_defaults_are_the_librarys() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.db, args.host, args.port) == (
        default_of(server.serve, "db_path"),
        default_of(server.serve, "host"),
        default_of(server.serve, "port"),
    )
    assert (args.db, args.host, args.port) == (defaults.DEFAULT_DB_PATH, "127.0.0.1", 8001)
    assert default_of(server.make_datasette, "db_path") == args.db


def test_build_default_database_is_the_librarys() -> None:
    args = build_parser().parse_args(["build"])
    assert args.db == default_of(database.build_database, "db_path") == default_of(database.ensure_database, "db_path")
    assert args.db.name == f"{defaults.DATABASE_NAME}.db"


def test_chart_kinds_and_lanes_are_those_the_library_draws() -> None:
    args = build_parser().parse_args(["chart"])
    assert tuple(option("chart", "kind").choices or ()) == tuple(builders.CHARTS) == defaults.CHART_KINDS
    assert args.kind == default_of(builders.make_chart, "kind")
    assert tuple(option("chart", "lane").choices or ()) == defaults.LANES
    # No lane unless asked for (only the timeline has lanes); the timeline's default lane is the library's.
    assert args.lane is None and default_of(builders.make_chart, "lane") is None
    assert default_of(builders.timeline_chart, "lane") == defaults.DEFAULT_LANE


def test_chart_formats_are_those_the_renderer_writes() -> None:
    assert tuple(option("chart", "format").choices or ()) == rendering.FORMATS == defaults.CHART_FORMATS
    assert rendering.format_for(None, None) == defaults.DEFAULT_CHART_FORMAT


def test_export_formats_are_those_the_exporter_writes_with_their_descriptions() -> None:
    assert list(formats.FORMATS) == list(defaults.EXPORT_FORMATS)
    # The folder exports (the static reader) come after the file exports; they are written by the site stage.
    assert list(option("export", "format").choices or ()) == [*defaults.EXPORT_FORMATS, *defaults.FOLDER_EXPORTS]
    help_text = subcommand("export").format_help()
    assert "reader:" in " ".join(help_text.split())
    for name, export_format in formats.FORMATS.items():
        assert export_format.description == defaults.EXPORT_FORMATS[name]
        assert name in help_text


@pytest.mark.parametrize("module", ["kz_timeline.defaults", "kz_timeline.arguments", "kz_timeline.cli"])
def test_the_light_modules_import_nothing_heavy(module: str) -> None:
    code = f"import sys, {module}; print(sorted({{'pandas', 'altair', 'pydantic', 'datasette'}} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


def test_the_published_plugin_names_the_database_and_plugin_as_the_library_does() -> None:
    """The plugin runs without kz_timeline on a published site, so it spells the names itself: they must agree."""
    path = server.PLUGINS_DIR / "kz_timeline_site.py"
    spec = importlib.util.spec_from_file_location("kz_timeline_site_under_test", path)
    assert spec is not None and spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    assert (plugin.DATABASE, plugin.PLUGIN) == (defaults.DATABASE_NAME, server.PLUGIN_NAME)
