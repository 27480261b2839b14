"""Render an Altair chart to HTML, PNG, SVG or Vega-Lite JSON, offline and deterministically, through vl-convert."""

from __future__ import annotations

import contextlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import altair as alt

from kz_timeline.defaults import CHART_FORMATS, DEFAULT_CHART_FORMAT
from kz_timeline.errors import KzTimelineError, UsageError, WriteTargetError
from kz_timeline.files import write_bytes_atomically
from kz_timeline.private_cache import UntrustedEntry, private_folder, read_signed, warn_refused, write_signed

#: The output formats `render_chart` writes, in the order the CLI lists them.
FORMATS: Final = CHART_FORMATS
#: Vega-Lite version used to compile specs, matching the schema Altair writes.
VL_VERSION: Final = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
PNG_SCALE: Final = 2.0


class RenderError(KzTimelineError):
    """A chart cannot be rendered in the asked format."""


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Return the chart's Vega-Lite spec as a dict, with its data inline (no external URLs)."""
    with alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = chart.to_dict()
    return spec


def spec_json(spec: dict[str, Any]) -> str:
    """Serialise a spec deterministically (sorted keys, UTF-8, no trailing spaces)."""
    return json.dumps(spec, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def script_safe_json(value: Any) -> str:
    """Serialise `value` as JSON that can sit inside a <script> element.

    Every '<', '>', '&' and line separator is escaped, so data holding '</script><script>' or '<!--' cannot end the
    element or start a comment.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def spec_fingerprint(spec: dict[str, Any]) -> str:
    """Return the SHA-256 of the spec's canonical JSON: equal specs draw equal charts."""
    import hashlib

    return hashlib.sha256(spec_json(spec).encode("utf-8")).hexdigest()


@lru_cache(maxsize=2)
def javascript_bundle(vl_version: str = VL_VERSION) -> str:
    """Return Vega, Vega-Lite and Vega-Embed as one script (about 1 MB), made safe to inline in a <script>.

    Bundling takes vl-convert seconds, so the result is kept in the user's private cache, one file per vl-convert and
    Vega-Lite version, signed: a cached bundle is used only if it is what this package wrote (see
    `kz_timeline.private_cache`); one that is not is refused on stderr and made again. A cache that cannot be read or
    written is simply not used.
    """
    label = f"vega bundle {vl_version}"
    try:
        cached = read_signed(bundle_cache_path(vl_version), label)
        if cached is not None:
            return cached.decode("utf-8")
    except UntrustedEntry as error:  # the cache folder itself is not the user's own and private
        warn_refused(error)
    except (OSError, UnicodeDecodeError):
        pass
    import vl_convert

    make_bundle: Any = vl_convert.javascript_bundle  # its stub wants a snippet; None means the default one
    bundle: str = make_bundle(None, vl_version=vl_version)
    # A literal "</script" inside the bundle would end the element; the escape means the same in any JS string.
    safe = re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.IGNORECASE)
    with contextlib.suppress(OSError, UntrustedEntry, WriteTargetError):  # no cache then: the next call bundles again
        write_signed(bundle_cache_path(vl_version), label, safe.encode("utf-8"))
    return safe


#: How every chart is embedded in a page, in one place: the served charts page and self-contained HTML both call
#: `kzTimelineEmbed(element, spec)`, which `chart_script` adds after the Vega bundle.
EMBED_SCRIPT: Final = """
/* kz-timeline: draw a chart in `element` (an element or a selector) with vega-embed, as SVG, offline. */
window.kzTimelineEmbed = function (element, spec) {
  /* The brush of an overview has no words of its own: hide it from screen readers (the chart's description says
     what the chart shows). */
  function quiet(vega) {
    (function walk(node) {
      (node.marks || []).forEach(function (mark) {
        if (/_brush(_bg)?$/.test(mark.name || "")) { mark.aria = false; }
        walk(mark);
      });
    })(vega);
    return vega;
  }
  var root = typeof element === "string" ? document.querySelector(element) : element;
  return vegaEmbed(root, spec, {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false},
                                tooltip: {theme: "light"}, patch: quiet}).then(function (result) {
    /* vega-embed's menu button has no name of its own. */
    root.querySelectorAll("details > summary").forEach(function (summary) {
      summary.setAttribute("aria-label", "Save the chart as SVG or PNG");
    });
    return result;
  });
};
"""


def chart_script() -> str:
    """Return the script every chart page loads: the Vega bundle, then `kzTimelineEmbed` (EMBED_SCRIPT)."""
    return javascript_bundle() + "\n" + EMBED_SCRIPT


def bundle_cache_path(vl_version: str = VL_VERSION) -> Path:
    """Return where the Vega bundle of this vl-convert and Vega-Lite version is cached (a private folder, made here)."""
    from importlib.metadata import version

    return private_folder("vega") / f"vega-bundle-vl-convert-{version('vl-convert-python')}-{vl_version}.js"


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ margin: 16px; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fff; }}
  #vis {{ max-width: 100%; overflow-x: auto; }}
  #vg-tooltip-element {{ max-width: 460px; white-space: normal; }}
  #vg-tooltip-element td.value {{ white-space: normal; max-width: 340px; }}
</style>
</head>
<body>
<main><div id="vis"></div></main>
<script>{bundle}</script>
<script>
  const spec = {spec};
  kzTimelineEmbed("#vis", spec).then((result) => {{ window.vegaView = result.view; }}).catch((error) => {{
      document.getElementById("vis").textContent = "The chart could not be drawn: " + error;
      console.error(error);
    }});
</script>
</body>
</html>
"""


def chart_title(spec: dict[str, Any]) -> str:
    """Return the title of a chart's spec as one line of plain text (its lines joined)."""
    title = spec.get("title", "kz-timeline chart")
    if isinstance(title, dict):
        title = title.get("text", "kz-timeline chart")
    if isinstance(title, list):
        title = " ".join(str(part) for part in title)
    return str(title)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _title(spec: dict[str, Any]) -> str:
    return _escaped(chart_title(spec))


def spec_html(spec: dict[str, Any]) -> str:
    """Return a self-contained HTML page that draws `spec`: the Vega bundle inlined, no network request."""
    return _HTML.format(title=_title(spec), bundle=chart_script(), spec=script_safe_json(spec))


_CLIP_ID = re.compile(r"\b(clip|gradient|pattern|mask|marker)(\d+)\b")


def _renumber_ids(svg: str) -> str:
    """Renumber Vega's generated ids (clip0, clip17, ...) in order of first appearance, so output is reproducible."""
    seen: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in seen:
            prefix = match.group(1)
            seen[key] = f"{prefix}{sum(1 for value in seen.values() if value.startswith(prefix))}"
        return seen[key]

    return _CLIP_ID.sub(replace, svg)


_SVG_OPENING = re.compile(r"<svg\b[^>]*>")


def _with_text_alternative(svg: str, title: str, description: str) -> str:
    """Return `svg` as an image with a text alternative: role="img", and <title> and <desc> as its first children.

    vl-convert writes neither; a screen reader reads the title and description of an SVG shown inline or alone.
    """
    opening = _SVG_OPENING.search(svg)
    if opening is None:
        raise RenderError("vl-convert wrote no <svg> element")
    tag = opening.group(0)[:-1] + ' role="img">'
    text = f"<title>{_escaped(title)}</title>" + (f"<desc>{_escaped(description)}</desc>" if description else "")
    return svg[: opening.start()] + tag + text + svg[opening.end() :]


def spec_svg(spec: dict[str, Any]) -> str:
    """Render `spec` to SVG offline, with its title and description as text alternative, and ids renumbered.

    Renumbered ids make the same chart give the same bytes.
    """
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, allowed_base_urls=[])
    return _with_text_alternative(_renumber_ids(svg), chart_title(spec), str(spec.get("description", "")))


def render_chart(chart: alt.TopLevelMixin, fmt: str) -> bytes:
    """Render `chart` as html, png, svg or json and return the bytes; nothing is written, nothing is fetched."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    spec = chart_spec(chart)
    if fmt == "json":
        return spec_json(spec).encode("utf-8")
    if fmt == "html":
        return spec_html(spec).encode("utf-8")
    try:
        if fmt == "svg":
            return spec_svg(spec).encode("utf-8")
        import vl_convert

        png: bytes = vl_convert.vegalite_to_png(spec, vl_version=VL_VERSION, scale=PNG_SCALE, allowed_base_urls=[])
        return png
    except ValueError as error:
        raise RenderError(f"vl-convert could not render the chart: {error}") from error


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """Return the output format: `fmt` when given, else the suffix of `path`, else html.

    Raise UsageError when `path`'s suffix is no chart format (`q.pdf`) or names another format than `fmt` (`x.svg`
    for png): the file would hold what its name denies. A path without a suffix, or '-' (standard output), takes any.
    """
    suffix = Path(path).suffix if path is not None and str(path) != "-" else ""
    named = suffix.lstrip(".").lower()
    if suffix and named not in FORMATS:
        names = ", ".join(f".{name}" for name in FORMATS[:-1]) + f" or .{FORMATS[-1]}"
        raise UsageError(f"{path}: {suffix} is not a chart format; name the file {names}")
    if suffix and fmt is not None and named != fmt:
        raise UsageError(f"{path}: a {suffix} file cannot hold {fmt}; name it .{fmt}, or choose --format {named}")
    return fmt or named or DEFAULT_CHART_FORMAT


def write_chart(chart: alt.TopLevelMixin, fmt: str, path: str | Path) -> int:
    """Render `chart` and write it to `path` atomically (never half a file); return the number of bytes written.

    Raise UsageError when `path`'s suffix contradicts `fmt` (see `format_for`).
    """
    format_for(path, fmt)
    data = render_chart(chart, fmt)
    target = Path(path)
    try:
        write_bytes_atomically(target, data)
    except OSError as error:
        raise RenderError(f"{target}: cannot write the chart: {error.strerror or error}") from error
    return len(data)
