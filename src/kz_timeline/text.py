"""How the package shows text to people: a vocabulary term as a label, and a long text clipped to a length.

One rule each, used everywhere: chart legends and lanes, Datasette's lookup tables and page titles, the TimelineJS
slides and the spreadsheet, tooltips and error messages.
"""

from __future__ import annotations

#: Terms whose label is not the capitalised term with spaces for underscores.
_LABELS = {"ngo": "NGO", "op_ed": "Op-ed"}
#: Characters dropped from the end of a clipped text, before its ellipsis.
_TRAILING = " \t\r\n,;:"


def term_label(term: str) -> str:
    """Return a vocabulary term as people read it: 'court_ruling' -> 'Court ruling', 'ngo' -> 'NGO'."""
    if term in _LABELS:
        return _LABELS[term]
    text = term.replace("_", " ")
    return text[:1].upper() + text[1:]


def clip(text: str, limit: int) -> str:
    """Return `text` whole when it has at most `limit` characters, else cut to fit with an ellipsis ('…') at the end."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(_TRAILING) + "…"
