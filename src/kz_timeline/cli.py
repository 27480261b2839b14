"""The `kz-timeline` command: a thin layer that parses arguments, calls one library function, and reports."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from kz_timeline import defaults

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.loader import validate

    print(validate(args.data_dir, args.article))
    return EXIT_OK


def _fmt(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.csv_rewriter import format_data

    changed = format_data(args.data_dir, check=args.check)
    if args.check:
        for path in changed:
            print(f"{path}: would be reformatted", file=sys.stderr)
        print(f"{len(changed)} file(s) would be reformatted" if changed else "all files are formatted")
        return EXIT_INVALID if changed else EXIT_OK
    for path in changed:
        print(f"reformatted {path}")
    if not changed:
        print("all files are formatted")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from kz_timeline.metadata.generated import generate

    changed = generate(args.root, check=args.check)
    verb = "is stale" if args.check else "regenerated"
    for path in changed:
        print(f"{path}: {verb}", file=sys.stderr if args.check else sys.stdout)
    if not changed:
        print("all generated files are up to date")
    return EXIT_INVALID if args.check and changed else EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from kz_timeline.site.database import build_database

    print(build_database(args.data_dir, args.db, articles=args.article))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from kz_timeline.site.server import serve

    serve(args.data_dir, args.db, args.host, args.port)
    return EXIT_OK


def _publish_files(args: argparse.Namespace) -> int:
    from kz_timeline.site.publishing import write_publish_files

    print(write_publish_files(args.directory, args.data_dir, replace=args.replace))
    return EXIT_OK


def _chart(args: argparse.Namespace) -> int:
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.rendering import format_for, render_chart, write_chart
    from kz_timeline.dataset.loader import load

    fmt = format_for(args.out, args.format)
    out = args.out if args.out is not None else ("-" if fmt == "json" else f"{args.kind}.{fmt}")
    if str(out) != "-":
        from kz_timeline.files import check_target

        check_target(Path(out))  # before the chart is drawn, not after
    chart = make_chart(load(args.data_dir), args.kind, lane=args.lane)
    if str(out) == "-":
        sys.stdout.buffer.write(render_chart(chart, fmt))
        sys.stdout.flush()
        return EXIT_OK
    size = write_chart(chart, fmt, out)
    print(f"wrote {out} ({size:,} bytes)")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from kz_timeline.exports.formats import export, render_export

    if args.out == "-":
        sys.stdout.buffer.write(render_export(args.format, args.data_dir, claims=args.claims))
        sys.stdout.flush()
        return EXIT_OK
    print(f"wrote {export(args.format, args.out, args.data_dir, claims=args.claims)}")
    return EXIT_OK


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None, help="directory of the CSV files (default: the shipped data)")


def _add_article(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--article",
        type=Path,
        action="append",
        default=[],
        help="text of a source (matched by its SHA-256) to check quotes against",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="kz-timeline", description="Validate, format, chart, serve and export the kz-timeline dataset."
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every table; print every problem as FILE:LINE: column 'x': message")
    _add_data_dir(validate)
    _add_article(validate)
    validate.set_defaults(handler=_validate)

    fmt = commands.add_parser("fmt", help="rewrite the CSV files canonically (derived columns, order, quoting)")
    _add_data_dir(fmt)
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    fmt.set_defaults(handler=_fmt)

    generate = commands.add_parser(
        "generate", help="regenerate the files computed from the models and data (README data dictionary, metadata.yml, ...)"
    )
    generate.add_argument("--root", type=Path, default=Path("."), help="repository root (default: the current directory)")
    generate.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is stale")
    generate.set_defaults(handler=_generate)

    build = commands.add_parser("build", help="validate the data and build the SQLite database that Datasette serves")
    _add_data_dir(build)
    build.add_argument(
        "--db", type=Path, default=defaults.DEFAULT_DB_PATH, help=f"database file to write (default: {defaults.DEFAULT_DB_PATH})"
    )
    _add_article(build)
    build.set_defaults(handler=_build)

    serve = commands.add_parser(
        "serve", help="build the database if the data changed, then serve it read-only with Datasette (charts at /timeline)"
    )
    _add_data_dir(serve)
    serve.add_argument(
        "--db", type=Path, default=defaults.DEFAULT_DB_PATH, help=f"database file (default: {defaults.DEFAULT_DB_PATH})"
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
    serve.set_defaults(handler=_serve)

    publish = commands.add_parser(
        "publish-files",
        help="write the database, metadata, templates, plugin and static charts that `datasette publish` sends, "
        "and print the command",
    )
    publish.add_argument(
        "directory", type=Path, help="folder to write, replaced whole (created if missing; its parent must exist)"
    )
    publish.add_argument(
        "--replace", action="store_true", help="replace DIRECTORY even if it holds files publish-files did not write"
    )
    _add_data_dir(publish)
    publish.set_defaults(handler=_publish_files)

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
    chart.add_argument("--out", default=None, metavar="PATH", help="file to write, written atomically; '-' for standard output")
    chart.add_argument(
        "--lane",
        choices=defaults.LANES,
        default=defaults.DEFAULT_LANE,
        help="timeline lanes: by theme (default) or by event type",
    )
    chart.set_defaults(handler=_chart)

    formats = defaults.EXPORT_FORMATS
    export = commands.add_parser("export", help="write the dataset for another tool: " + ", ".join(formats))
    export.add_argument(
        "format", choices=list(formats), metavar="FORMAT", help="; ".join(f"{name}: {text}" for name, text in formats.items())
    )
    export.add_argument(
        "--out", required=True, metavar="PATH", help="file to write (replaced atomically); '-' for standard output"
    )
    export.add_argument(
        "--claims", action="store_true", help="graph exports only: add the claims as nodes (who asserts them, what about)"
    )
    _add_data_dir(export)
    export.set_defaults(handler=_export)
    return parser


def _version() -> str:
    from kz_timeline import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace], int] = args.handler
    from kz_timeline.errors import DataValidationError, KzTimelineError

    try:
        return handler(args)
    except DataValidationError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INVALID
    except KzTimelineError as error:
        print(f"Error: {error}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        else:
            print(f"Error: unexpected {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return EXIT_INVALID


def run() -> None:
    """Entry point of the console script."""
    sys.exit(main())
