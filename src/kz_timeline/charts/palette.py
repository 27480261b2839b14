"""The colours of every chart and of the site's labels: few, and told apart by people with colour-vision deficiencies.

The palette is Okabe and Ito's: M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people" (2002, 2008), https://jfly.uni-koeln.de/color/ — eight colours
that stay distinct under protanopia, deuteranopia and tritanopia. Colour is only ever a second cue: every legend,
label and tooltip names its value in words. The site's stylesheet uses the same colours for the labels (a test keeps
them equal).
"""

from __future__ import annotations

from typing import Final

#: The Okabe-Ito colours, by their authors' names.
OKABE_ITO: Final = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: A grey for what is not rated or not known; not one of the eight, and never the only cue.
GREY: Final = "#8C8C8C"
#: The colours of a categorical legend, in order: at most seven groups (black is kept for outlines and labels).
CATEGORICAL: Final = tuple(
    OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple", "yellow")
)
#: Most entries in any colour legend.
MAX_LEGEND_COLOURS: Final = 8

#: Each label of a claim (Verification term).
VERIFICATION_COLOURS: Final = {
    "corroborated": OKABE_ITO["bluish_green"],
    "partly_corroborated": OKABE_ITO["sky_blue"],
    "contested": OKABE_ITO["orange"],
    "contradicted": OKABE_ITO["vermillion"],
    "unverified": GREY,
    "opinion": OKABE_ITO["reddish_purple"],
}
#: How a source bears on a claim, by the label of its EvidenceRelation term.
EVIDENCE_COLOURS: Final = {
    "Supports": OKABE_ITO["bluish_green"],
    "Qualifies": OKABE_ITO["orange"],
    "Contradicts": OKABE_ITO["vermillion"],
}


def categorical(count: int) -> list[str]:
    """Return the colours of a legend of `count` groups; more groups than colours is a design error."""
    if count > len(CATEGORICAL):
        raise ValueError(f"{count} groups in one legend: at most {len(CATEGORICAL)} colours tell apart; group them")
    return list(CATEGORICAL[:count])
