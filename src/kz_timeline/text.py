"""How the package shows text to people: a vocabulary term as a label, and a long text clipped to a length.

One rule each, used everywhere: chart legends and lanes, Datasette's lookup tables and page titles, the TimelineJS
slides and the spreadsheet, tooltips and error messages.
"""

from __future__ import annotations

#: Terms whose label is not the capitalised term with spaces for underscores.
_LABELS = {"ngo": "NGO", "op_ed": "Op-ed"}
#: Terms that read differently in one vocabulary (named as its class is): a claim labelled "opinion" is not rated.
_VOCABULARY_LABELS = {("Verification", "opinion"): "Opinion, not rated"}
#: Characters dropped from the end of a clipped text, before its ellipsis.
_TRAILING = " \t\r\n,;:"


def term_label(term: str, vocabulary: str = "") -> str:
    """Return a vocabulary term as people read it: 'court_ruling' -> 'Court ruling', 'ngo' -> 'NGO'.

    `vocabulary` names the term's vocabulary (its class name) where a term reads differently in it: the verification
    'opinion' reads 'Opinion, not rated'.
    """
    if (vocabulary, term) in _VOCABULARY_LABELS:
        return _VOCABULARY_LABELS[vocabulary, term]
    if term in _LABELS:
        return _LABELS[term]
    text = term.replace("_", " ")
    return text[:1].upper() + text[1:]


def clip(text: str, limit: int) -> str:
    """Return `text` whole when it has at most `limit` characters, else cut to fit with an ellipsis ('…') at the end."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(_TRAILING) + "…"
