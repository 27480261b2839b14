"""Colours a reader can tell apart: few per legend, Okabe-Ito only, the same in the charts and on the site's labels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from kz_timeline.charts.builders import CHART_KINDS, make_chart
from kz_timeline.charts.layout import NARROW_WIDTH, WIDTH
from kz_timeline.charts.palette import GREY, MAX_LEGEND_COLOURS, OKABE_ITO, VERIFICATION_COLOURS, categorical
from kz_timeline.dataset.loader import Dataset, load
from kz_timeline.site.server import STATIC_DIR

#: Sequential schemes of one hue, for counts: light to dark reads the same with any colour vision.
ONE_HUE_SCHEMES = {"blues", "purples"}
ALLOWED = {colour.upper() for colour in OKABE_ITO.values()} | {GREY.upper()}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load()


def colour_scales(spec: Any) -> Iterator[dict[str, Any]]:
    """Yield the scale of every colour encoding of a spec."""
    if isinstance(spec, dict):
        colour = spec.get("color")
        if isinstance(colour, dict) and "field" in colour:
            yield colour.get("scale") or {}
        for value in spec.values():
            yield from colour_scales(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from colour_scales(value)


def palette_problems(spec: dict[str, Any]) -> list[str]:
    """Return what breaks the palette rules in a chart spec: too many colours in a legend, or colours not Okabe-Ito."""
    problems = []
    for scale in colour_scales(spec):
        scheme = scale.get("scheme")
        if scheme is not None and scheme not in ONE_HUE_SCHEMES:
            problems.append(f"scheme {scheme}")
        domain = scale.get("domain")
        if isinstance(domain, list) and len(domain) > MAX_LEGEND_COLOURS:
            problems.append(f"{len(domain)} colours in one legend")
        problems += [f"colour {colour}" for colour in scale.get("range", []) if str(colour).upper() not in ALLOWED]
    return problems


#: Every chart at both widths; the timeline in both its lanes (the other charts have no lanes).
SPECS = [
    (kind, lane, width)
    for kind in CHART_KINDS
    for width in (WIDTH, NARROW_WIDTH)
    for lane in (("theme", "event_type") if kind == "timeline" else (None,))
]


@pytest.mark.parametrize(("kind", "lane", "width"), SPECS, ids=lambda value: str(value))
def test_no_legend_has_more_than_eight_colours_and_every_colour_is_okabe_ito(
    dataset: Dataset, kind: str, lane: Any, width: int
) -> None:
    spec = make_chart(dataset, kind, lane=lane, width=width).to_dict()
    assert list(colour_scales(spec)), "the chart has no colour legend to check"
    assert palette_problems(spec) == []


def test_the_palette_check_catches_twenty_colours_and_a_rainbow_scheme() -> None:
    twenty = [f"type {n}" for n in range(20)]
    spec = {"encoding": {"color": {"field": "type", "scale": {"domain": twenty, "scheme": "category20"}}}}
    assert palette_problems(spec) == ["scheme category20", "20 colours in one legend"]
    assert palette_problems({"color": {"field": "x", "scale": {"range": ["#1a9850"]}}}) == ["colour #1a9850"]


def test_a_legend_of_more_groups_than_colours_is_refused() -> None:
    assert categorical(7) == [OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion", "sky_blue")] + [
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["yellow"],
    ]
    with pytest.raises(ValueError, match="8 groups in one legend: at most 7 colours"):
        categorical(8)


def stylesheet_label_colours(css: str) -> dict[str, str]:
    """Return the colour the stylesheet gives each label's marker (`.kz-label-<term> { --kz-label-colour: #... }`)."""
    found = re.findall(r"\.kz-label-([a-z_]+)\s*\{\s*--kz-label-colour:\s*(#[0-9A-Fa-f]{6})\s*;", css)
    return {term: colour.upper() for term, colour in found}


def test_the_sites_labels_use_the_charts_colours() -> None:
    css = (STATIC_DIR / "kz-timeline.css").read_text(encoding="utf-8")
    assert stylesheet_label_colours(css) == {term: colour.upper() for term, colour in VERIFICATION_COLOURS.items()}
    changed = css.replace(VERIFICATION_COLOURS["contested"], "#fdae61")
    assert stylesheet_label_colours(changed) != {term: colour.upper() for term, colour in VERIFICATION_COLOURS.items()}
