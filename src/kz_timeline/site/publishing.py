"""Write everything `datasette publish` needs to put the same site online, with the charts as static files."""

from __future__ import annotations

import json
import shlex
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from kz_timeline.defaults import CHART_KINDS, DATABASE_NAME
from kz_timeline.errors import KzTimelineError
from kz_timeline.exports import claimreview
from kz_timeline.files import check_target, fresh_folder_beside, holds_foreign_content, replace_folder, write_atomically
from kz_timeline.site.database import build_database
from kz_timeline.site.server import PLUGIN_NAME, PLUGINS_DIR, SETTINGS, STATIC_DIR, STATIC_MOUNT, TEMPLATES_DIR
from kz_timeline.text import term_label

#: The published site runs the Datasette line the package is built for (1.0 ignores canned queries in metadata).
DATASETTE_REQUIREMENT = "datasette>=0.65.1,<0.66"
#: Where the published plugin finds the ClaimReview builder (kz_timeline/exports/claimreview.py), kz_timeline being absent.
PUBLISHED_CLAIMREVIEW = "kz_timeline_claimreview.py"
#: The file that says a folder was written by publish-files, which may then replace it whole.
MARKER = ".kz-timeline-publish-files"
PUBLISHED_HEADER = "# Written by `kz-timeline publish-files` for `datasette publish`: metadata.yml plus the charts' settings.\n"


class PublishError(KzTimelineError):
    """The publish directory cannot be written."""


def publish_command(directory: str | Path, platform: str = "cloudrun", service: str = DATABASE_NAME) -> list[str]:
    """Return the `datasette publish` command that sends the files written into `directory`.

    `platform`: cloudrun, or fly (with the datasette-publish-fly plugin). `publish-files` prints this command and the
    docs show it, so the two cannot differ: every setting `serve` uses goes along, and the plugins directory carries
    every plugin written.
    """
    d = Path(directory)
    args = ["datasette", "publish", platform, str(d / f"{DATABASE_NAME}.db")]
    args += ["--service" if platform == "cloudrun" else "--app", service]
    args += ["--metadata", str(d / "metadata.yml"), "--template-dir", str(d / "templates")]
    args += ["--plugins-dir", str(d / "plugins"), "--static", f"{STATIC_MOUNT}:{d / 'static'}"]
    args += ["--install", DATASETTE_REQUIREMENT, "--version-note", f"kz-timeline {_version()}"]
    settings = " ".join(f"--setting {name} {_setting_text(value)}" for name, value in SETTINGS.items())
    return [*args, "--extra-options", settings]


def command_text(args: list[str]) -> str:
    """Return a command as shell text, one option and its value per line, the lines joined by backslashes."""
    lines: list[list[str]] = [[]]
    for arg in args:
        if arg.startswith("--") and not (len(lines[-1]) == 1 and lines[-1][0].startswith("--")):
            lines.append([])
        lines[-1].append(arg)
    return " \\\n  ".join(shlex.join(line) for line in lines if line)


def plugin_files() -> list[Path]:
    """Return the Datasette plugins the package ships, each a module of the plugins directory."""
    return sorted(PLUGINS_DIR.glob("*.py"))


@dataclass(frozen=True)
class PublishFiles:
    """The files written for `datasette publish`, the data they were made from, and the command that sends them."""

    directory: Path
    files: tuple[Path, ...]
    data_dir: Path

    def command(self, platform: str = "cloudrun", service: str = DATABASE_NAME) -> list[str]:
        """Return the `datasette publish` command line (platform: cloudrun, or fly with datasette-publish-fly)."""
        return publish_command(self.directory, platform, service)

    def __str__(self) -> str:
        listing = "\n".join(f"  {path.relative_to(self.directory)}" for path in self.files)
        return (
            f"wrote {len(self.files)} files to {self.directory} from {self.data_dir}:\n{listing}\n"
            f"publish them with:\n{textwrap.indent(command_text(self.command()), '  ')}"
        )


def _version() -> str:
    from kz_timeline import __version__

    return __version__


def _setting_text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def write_publish_files(directory: str | Path, data_dir: str | Path | None = None, *, replace: bool = False) -> PublishFiles:
    """Build the database and write metadata, templates, plugins, stylesheet, Vega bundle and chart specs into `directory`.

    Everything is written into a fresh folder beside `directory`, which then replaces it in one step: nothing already
    in `directory` is kept, followed or reused (the database is always built afresh). A non-empty `directory` that
    publish-files did not write (no marker file) is refused unless `replace`. The published site needs only
    Datasette: the charts page reads the specs and the bundle as static files.
    """
    from kz_timeline.dataset.loader import resolve_data_dir

    out = Path(directory)
    check_target(out, folder=True)
    if not replace and holds_foreign_content(out, MARKER):
        raise PublishError(f"{out}: is not empty and was not written by publish-files; give an empty folder, or --replace")
    source = resolve_data_dir(data_dir)
    try:
        fresh = fresh_folder_beside(out)
    except OSError as error:
        raise PublishError(f"{out}: cannot write beside it: {error.strerror or error}") from error
    try:
        names = _write_site(fresh, source)
        replace_folder(fresh, out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return PublishFiles(out, tuple(out / name for name in names), source)


def _write_site(site: Path, data_dir: Path) -> list[Path]:
    """Write every published file into the empty folder `site`; return their paths relative to it, sorted."""
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.layout import NARROW_WIDTH, WIDTH
    from kz_timeline.charts.rendering import chart_script, chart_spec
    from kz_timeline.dataset.loader import load
    from kz_timeline.site.datasette_metadata import CHARTS_TITLE, site_metadata

    build_database(data_dir, site / f"{DATABASE_NAME}.db")  # validates; load() then reads the cache
    dataset = load(data_dir)
    for source, name in ((TEMPLATES_DIR, "templates"), (PLUGINS_DIR, "plugins")):
        shutil.copytree(source, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(Path(claimreview.__file__), site / "plugins" / PUBLISHED_CLAIMREVIEW)
    static = site / "static"
    shutil.copytree(STATIC_DIR, static, ignore=shutil.ignore_patterns("__pycache__"))
    write_atomically(static / "vega.js", chart_script())
    (static / "charts").mkdir()
    for kind in CHART_KINDS:
        for suffix, width in (("", WIDTH), ("-narrow", NARROW_WIDTH)):
            spec = chart_spec(make_chart(dataset, kind, width=width))
            write_atomically(static / "charts" / f"{kind}{suffix}.json", json.dumps(spec, ensure_ascii=False))
    metadata = site_metadata()
    charts = {kind: term_label(kind) for kind in CHART_KINDS}
    metadata["plugins"] = {PLUGIN_NAME: {"title": CHARTS_TITLE, "static_charts": {"base": f"/{STATIC_MOUNT}", "charts": charts}}}
    text = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=120)
    write_atomically(site / "metadata.yml", PUBLISHED_HEADER + text)
    write_atomically(site / MARKER, f"Written by kz-timeline {_version()} publish-files, which replaces this folder whole.\n")
    return sorted(path.relative_to(site) for path in site.rglob("*") if path.is_file())
