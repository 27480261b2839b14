"""The command line's arguments: every subcommand, option, default and help text.

The standard library and `defaults` only: `kz-timeline --help` stays quick, and the command-line reference in the
docs is generated from `build_parser()` (`kz_timeline.metadata.cli_reference`).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from kz_timeline import defaults


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="directory of the CSV files (default: ./data in a kz-timeline checkout, else the data shipped with the package)",
    )


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    """Add --debug; a subcommand's leaves the value alone unless given, so it works before or after the subcommand."""
    parser.add_argument("--debug", action="store_true", default=default, help="show a traceback on errors")


def _add_article(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--article",
        type=Path,
        action="append",
        metavar="FILE",
        default=[],
        help="text of a source (matched by its SHA-256) to check quotes against",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="kz-timeline", description="Validate, format, chart, serve and export the kz-timeline dataset."
    )
    _add_debug(parser, False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _subcommands(commands)
    for subparser in commands.choices.values():
        _add_debug(subparser, argparse.SUPPRESS)
    return parser


def _subcommands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    validate = commands.add_parser("validate", help="check every table; print every problem as FILE:LINE: column 'x': message")
    _add_data_dir(validate)
    _add_article(validate)

    fmt = commands.add_parser("fmt", help="rewrite the CSV files canonically (derived columns, order, quoting)")
    _add_data_dir(fmt)
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")

    generate = commands.add_parser(
        "generate",
        help="regenerate the files computed from the code and data (docs: data dictionary, command line; metadata.yml, ...)",
    )
    generate.add_argument("--root", type=Path, default=Path("."), help="repository root (default: the current directory)")
    generate.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is stale")

    build = commands.add_parser("build", help="validate the data and build the SQLite database that Datasette serves")
    _add_data_dir(build)
    build.add_argument(
        "--db",
        type=Path,
        default=defaults.DEFAULT_DB_PATH,
        metavar="FILE",
        help=f"database file to write (default: {defaults.DEFAULT_DB_PATH})",
    )
    _add_article(build)

    serve = commands.add_parser(
        "serve", help="build the database if the data changed, then serve it read-only with Datasette (charts at /timeline)"
    )
    _add_data_dir(serve)
    serve.add_argument(
        "--db",
        type=Path,
        default=defaults.DEFAULT_DB_PATH,
        metavar="FILE",
        help=f"database file (default: {defaults.DEFAULT_DB_PATH})",
    )
    serve.add_argument(
        "--host",
        default=defaults.DEFAULT_HOST,
        help=f"address to listen on (default: {defaults.DEFAULT_HOST}, this machine only)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=defaults.DEFAULT_PORT,
        help=f"port to listen on (default: {defaults.DEFAULT_PORT}; 0 picks a free one)",
    )

    publish = commands.add_parser(
        "publish-files",
        help="write the database, metadata, templates, plugins and static charts that `datasette publish` sends, "
        "and print the command",
    )
    publish.add_argument(
        "directory", type=Path, help="folder to write, replaced whole (created if missing; its parent must exist)"
    )
    publish.add_argument(
        "--replace", action="store_true", help="replace DIRECTORY even if it holds files publish-files did not write"
    )
    _add_data_dir(publish)

    chart = commands.add_parser(
        "chart",
        help="draw the timeline, actors or claims chart as self-contained HTML, PNG, SVG or Vega-Lite JSON",
        description="Draw a chart of the dataset. HTML is self-contained (no network); PNG and SVG are rendered by "
        "vl-convert; JSON is the Vega-Lite spec. Without --out, JSON goes to standard output and the other formats to "
        "KIND.FORMAT in the current directory.",
    )
    _add_data_dir(chart)
    chart.add_argument(
        "--kind",
        choices=defaults.CHART_KINDS,
        default=defaults.DEFAULT_CHART_KIND,
        help=f"which chart (default: {defaults.DEFAULT_CHART_KIND})",
    )
    chart.add_argument(
        "--format",
        choices=defaults.CHART_FORMATS,
        default=None,
        help=f"output format (default: from --out's suffix, else {defaults.DEFAULT_CHART_FORMAT})",
    )
    chart.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="file to write, written atomically, whose suffix (if any) is the format's; '-' for standard output",
    )
    chart.add_argument(
        "--lane",
        choices=defaults.LANES,
        default=None,
        help=f"the timeline's lanes: by theme or by event type (default: {defaults.DEFAULT_LANE}; the timeline only)",
    )

    formats = {**defaults.EXPORT_FORMATS, **defaults.FOLDER_EXPORTS}
    export = commands.add_parser("export", help="write the dataset for another tool, or as a static site: " + ", ".join(formats))
    export.add_argument(
        "format", choices=list(formats), metavar="FORMAT", help="; ".join(f"{name}: {text}" for name, text in formats.items())
    )
    export.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="file to write (replaced atomically), '-' for standard output; for reader, the folder to write "
        "(replaced whole: a new or empty folder, or a reader written before)",
    )
    export.add_argument(
        "--claims", action="store_true", help="graph exports only: add the claims as nodes (who asserts them, what about)"
    )
    export.add_argument(
        "--base-url",
        metavar="URL",
        help="claimreview: where the site is served; each review's url is URL/kz-timeline/claims/CLAIM_ID",
    )
    export.add_argument(
        "--no-url", action="store_true", help="claimreview: write the reviews without url (a draft, not for publication)"
    )
    export.add_argument(
        "--date", type=_day, metavar="YYYY-MM-DD", help="claimreview's datePublished, the annotations' created (default: now)"
    )
    export.add_argument(
        "--article",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="annotations: the op-ed's text (matched by its SHA-256)",
    )
    _add_data_dir(export)

    anchor = commands.add_parser(
        "anchor",
        help="re-anchor every claim on another copy of the op-ed: print the new offsets and how each was found",
        description="Find each claim's quote in another copy of the op-ed: exactly, then with whitespace, quotation "
        "marks and dashes made plain, then between its selectors' prefix and suffix, then fuzzily. Exits 1 naming the "
        "claims it could not place.",
    )
    anchor.add_argument("--article", type=Path, required=True, metavar="FILE", help="the other copy of the op-ed (UTF-8 text)")
    anchor.add_argument(
        "--annotations",
        type=Path,
        metavar="FILE",
        help="the selectors, as `export annotations` wrote them (prefix and suffix help find changed or repeated quotes)",
    )
    anchor.add_argument(
        "--out", metavar="CSV", help="also write the new offsets as CSV (written atomically; '-' for standard output)"
    )
    anchor.add_argument(
        "--min-score",
        type=float,
        default=90.0,
        metavar="SCORE",
        help="lowest similarity (0-100) at which a quote is placed fuzzily (default: 90)",
    )
    _add_data_dir(anchor)


def _version() -> str:
    from kz_timeline import __version__

    return __version__
