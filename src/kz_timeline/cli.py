"""The `kz-timeline` command: a thin layer that parses arguments, calls one library function, and reports."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from kz_timeline.arguments import build_parser
from kz_timeline.defaults import FOLDER_EXPORTS

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.loader import validate

    print(validate(args.data_dir, args.article))
    return EXIT_OK


def _fmt(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.csv_rewriter import format_data
    from kz_timeline.dataset.loader import resolve_data_dir

    directory = resolve_data_dir(args.data_dir)
    changed = format_data(directory, check=args.check)
    if args.check:
        for path in changed:
            print(f"{path}: would be reformatted", file=sys.stderr)
        print(
            f"{len(changed)} file(s) in {directory} would be reformatted"
            if changed
            else f"all files in {directory} are formatted"
        )
        return EXIT_INVALID if changed else EXIT_OK
    for path in changed:
        print(f"reformatted {path}")
    if not changed:
        print(f"all files in {directory} are formatted")
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
    from kz_timeline.charts.builders import check_chart_options, make_chart
    from kz_timeline.charts.rendering import format_for, render_chart, write_chart
    from kz_timeline.dataset.loader import load

    fmt = format_for(args.out, args.format)  # refuses a contradiction before the data is read
    check_chart_options(args.kind, args.lane)
    out = args.out if args.out is not None else ("-" if fmt == "json" else f"{args.kind}.{fmt}")
    if str(out) != "-":
        from kz_timeline.files import check_target

        check_target(Path(out))  # before the chart is drawn, not after
    dataset = load(args.data_dir)
    chart = make_chart(dataset, args.kind, lane=args.lane)
    if str(out) == "-":
        sys.stdout.buffer.write(render_chart(chart, fmt))
        sys.stdout.flush()
        return EXIT_OK
    size = write_chart(chart, fmt, out)
    print(f"wrote {out} ({size:,} bytes) from {dataset.data_dir}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    if args.format in FOLDER_EXPORTS:
        return _export_folder(args)
    from kz_timeline.dataset.loader import resolve_data_dir
    from kz_timeline.exports.formats import export, render_export

    directory = resolve_data_dir(args.data_dir)
    options = {
        "claims": args.claims,
        "base_url": args.base_url,
        "without_url": args.no_url,
        "date": args.date,
        "articles": args.article,
    }
    if args.out == "-":
        sys.stdout.buffer.write(render_export(args.format, directory, **options))
        sys.stdout.flush()
        return EXIT_OK
    print(f"wrote {export(args.format, args.out, directory, **options)} from {directory}")
    return EXIT_OK


def _export_folder(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.loader import resolve_data_dir
    from kz_timeline.errors import UsageError
    from kz_timeline.site.reader import write_reader

    given = {"--claims": args.claims, "--base-url": args.base_url, "--no-url": args.no_url, "--date": args.date}
    for flag, value in {**given, "--article": args.article}.items():
        if value:
            raise UsageError(f"the {args.format} export takes no {flag}; it writes the op-ed's reader as it is")
    if args.out == "-":
        raise UsageError(f"the {args.format} export is a folder, not a stream: give a folder with --out DIR")
    print(write_reader(args.out, resolve_data_dir(args.data_dir)))
    return EXIT_OK


def _anchor(args: argparse.Namespace) -> int:
    from kz_timeline.dataset.loader import resolve_data_dir
    from kz_timeline.exports.anchoring import anchor_claims

    directory = resolve_data_dir(args.data_dir)
    anchoring = anchor_claims(args.article, annotations=args.annotations, data_dir=directory, min_score=args.min_score)
    report = sys.stderr if args.out == "-" else sys.stdout  # standard output carries the CSV alone
    for anchor in anchoring.anchors:
        print(anchor.describe(), file=report)
    if args.out is not None:
        from kz_timeline.files import write_atomically

        text = anchoring.article.read_text(encoding="utf-8")
        if args.out == "-":
            sys.stdout.write(anchoring.csv_text(text))
        else:
            write_atomically(Path(args.out), anchoring.csv_text(text))
            print(f"wrote {args.out} from {directory}")
    missing = anchoring.not_found
    if missing:
        print(f"Error: {len(missing)} claim(s) not found in {args.article}: {', '.join(missing)}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


#: The function that runs each subcommand of `build_parser()`.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _validate,
    "fmt": _fmt,
    "generate": _generate,
    "build": _build,
    "serve": _serve,
    "publish-files": _publish_files,
    "chart": _chart,
    "export": _export,
    "anchor": _anchor,
}


#: The environment variable by which Arrow's users choose its memory pool (jemalloc, mimalloc or system).
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def choose_arrow_memory_pool() -> None:
    """Give Arrow jemalloc in kz-timeline's own process, unless ARROW_DEFAULT_MEMORY_POOL chooses, or pyarrow lacks it.

    Measured at a million events (BENCHMARKS.md, Profiles), against pyarrow's default mimalloc: less kernel time
    faulting in fresh pages, and less memory at the peak, for validate, build and charts. Not done on import of the
    library: an analyst's process keeps the pool it has.
    """
    if os.environ.get(ARROW_POOL_VARIABLE, "").strip():
        return
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc keeps its default
        pa.set_memory_pool(pa.jemalloc_memory_pool())


#: The environment variable that sets how many threads OpenBLAS (NumPy's and SciPy's, each its own) starts.
BLAS_THREADS_VARIABLE = "OPENBLAS_NUM_THREADS"


def keep_blas_to_one_thread() -> None:
    """Have OpenBLAS start no threads of its own in kz-timeline's process, unless OPENBLAS_NUM_THREADS says otherwise.

    kz-timeline does no linear algebra, but NumPy and SciPy (imported for the links' cycle check) each load an
    OpenBLAS that starts a thread per core, and each thread spins a while before it sleeps: 1.2% of validate's CPU at a
    million events, SciPy's part of it while the checks run (`perf`, BENCHMARKS.md, Profiles, stop 29). Only before
    NumPy is imported, and not on import of the library: an analyst's process keeps its BLAS threads.
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault(BLAS_THREADS_VARIABLE, "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    keep_blas_to_one_thread()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler = HANDLERS[args.command]
    from kz_timeline.errors import DataValidationError, KzTimelineError, UsageError

    choose_arrow_memory_pool()

    try:
        return handler(args)
    except UsageError as error:
        print(f"Error: {error}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_USAGE
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
    """Entry point of the console script.

    Once the command has ended (its files closed, its threads joined), the objects alive are frozen out of the garbage
    collector: the interpreter's exit then frees them without three full collections over the modules of pandas,
    pyarrow and pydantic, 0.13-0.16 s of a validate at a million events (BENCHMARKS.md, Profiles, stop 29). Standard
    streams are still flushed and `atexit` handlers still run; only cycles left at exit stay unfreed, as the system
    takes the process's memory back whole.
    """
    code = main()
    gc.freeze()
    sys.exit(code)
