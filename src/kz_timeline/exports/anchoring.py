"""Re-anchor the op-ed's claims on another copy of its text: new offsets for every quote, and how each was found.

Each quote is looked for in four steps, the first that finds it wins:

1. `exact`: the quote, character for character;
2. `normalised`: the quote with whitespace runs made one space and curly quotation marks, apostrophes and dashes
   made plain, in the copy made the same way;
3. `context`: the text between the selectors' prefix and suffix (from `export annotations`), when the quote itself
   changed (a typo fixed) but its surroundings did not;
4. `fuzzy`: the passage most like the quote (rapidfuzz's partial ratio on the normalised texts), with its score, when
   that is at least `min_score` out of 100 and the quote has at least FUZZY_MIN_CHARS characters.

When a quote occurs more than once, the selectors' prefix and suffix pick the occurrence whose surroundings agree
best, then the one nearest the old offset. A claim none of the steps places is reported as not found.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from kz_timeline.errors import KzTimelineError
from kz_timeline.exports.annotations import QuoteSelector

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset

#: How a claim was placed, in the order the steps are tried; NOT_FOUND when none placed it.
EXACT, NORMALISED, CONTEXT, FUZZY, NOT_FOUND = "exact", "normalised", "context", "fuzzy", "not_found"
#: The lowest partial-ratio score (0 to 100) at which the fuzzy step places a quote.
DEFAULT_MIN_SCORE = 90.0
#: A shorter quote is not looked for fuzzily: a word or two match unrelated passages too easily.
FUZZY_MIN_CHARS = 20
#: The lowest similarity (0 to 100) of the passage between prefix and suffix to the quote, for the context step.
CONTEXT_MIN_SCORE = 50.0
#: Characters made plain before the normalised steps compare texts (each is replaced by one character).
_PLAIN = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―", "-"),
    }
)
#: The columns of the CSV that `kz-timeline anchor --out` writes.
CSV_COLUMNS = ("claim_id", "quote_start", "quote_end", "method", "score", "candidates", "old_start", "old_end", "found")


class AnchorError(KzTimelineError):
    """The other copy of the op-ed cannot be read, or there is nothing to anchor."""


@dataclass(frozen=True)
class Anchor:
    """Where one claim's quote is in the other copy (start and end None when it was not found), and how it was found."""

    claim_id: str
    start: int | None
    end: int | None
    method: str
    #: Similarity of the passage found to the quote, 0 to 100 (100 for the exact and normalised steps).
    score: float
    #: How many passages the step found before choosing one (1 when there was no choice to make).
    candidates: int
    old_start: int
    old_end: int

    @property
    def placed(self) -> bool:
        """Return whether the claim was placed."""
        return self.start is not None

    def describe(self) -> str:
        """Return one line for people: 'claim_id: 120-171 (exact)', '... (fuzzy, score 93.2)', 'claim_id: not found'."""
        if self.start is None:
            return f"{self.claim_id}: not found"
        how = self.method if self.method != FUZZY else f"fuzzy, score {self.score:.1f}"
        if self.candidates > 1:
            how += f", 1 of {self.candidates} by context"
        return f"{self.claim_id}: {self.start}-{self.end} ({how}; was {self.old_start}-{self.old_end})"


@dataclass(frozen=True)
class Anchoring:
    """Every claim of the op-ed re-anchored on another copy of its text."""

    article: Path
    anchors: tuple[Anchor, ...]

    @property
    def not_found(self) -> list[str]:
        """Return the claim_id of every claim that could not be placed."""
        return [anchor.claim_id for anchor in self.anchors if not anchor.placed]

    def csv_text(self, text: str) -> str:
        """Return the anchors as CSV (CSV_COLUMNS; `found` is the passage of `text` each one covers)."""
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for anchor in self.anchors:
            found = text[anchor.start : anchor.end] if anchor.start is not None else ""
            writer.writerow(
                [
                    anchor.claim_id,
                    "" if anchor.start is None else anchor.start,
                    "" if anchor.end is None else anchor.end,
                    anchor.method,
                    f"{anchor.score:.1f}" if anchor.placed else "",
                    anchor.candidates if anchor.placed else "",
                    anchor.old_start,
                    anchor.old_end,
                    found,
                ]
            )
        return out.getvalue()


class NormalisedText:
    """A text made plain (see `plain`), with the span of the original that each of its characters stands for."""

    def __init__(self, original: str) -> None:
        chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        translated = original.translate(_PLAIN)
        index = 0
        while index < len(translated):
            if translated[index].isspace():
                run = index
                while index < len(translated) and translated[index].isspace():
                    index += 1
                chars.append(" ")
                self.starts.append(run)
                self.ends.append(index)
                continue
            chars.append(translated[index])
            self.starts.append(index)
            self.ends.append(index + 1)
            index += 1
        self.text = "".join(chars)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the original text that the span [start, end) of this one stands for."""
        return self.starts[start], self.ends[end - 1] if end > start else self.starts[start]

    def index_of(self, original_index: int) -> int:
        """Return the index of the character standing for the original character at `original_index`."""
        return max(0, bisect.bisect_right(self.starts, original_index) - 1)


def plain(text: str) -> str:
    """Return `text` with its quotation marks, apostrophes and dashes plain and each whitespace run one space."""
    return NormalisedText(text).text


def _occurrences(text: str, sought: str) -> list[int]:
    found, at = [], text.find(sought)
    while sought and at != -1:
        found.append(at)
        at = text.find(sought, at + 1)
    return found


def _agreement(text: NormalisedText, start: int, end: int, prefix: str, suffix: str) -> int:
    """Return how many characters of `prefix` (from its end) and `suffix` (from its start) surround [start, end)."""
    before = 0
    while before < len(prefix) and before < start and text.text[start - before - 1] == prefix[-before - 1]:
        before += 1
    after = 0
    while after < len(suffix) and end + after < len(text.text) and text.text[end + after] == suffix[after]:
        after += 1
    return before + after


def _choose(text: NormalisedText, spans: Sequence[tuple[int, int]], selector: QuoteSelector) -> tuple[int, int]:
    """Return the span (in `text`) whose surroundings agree best with the selector's, then the nearest its old start."""
    prefix, suffix = plain(selector.prefix), plain(selector.suffix)
    return max(
        spans,
        key=lambda span: (_agreement(text, span[0], span[1], prefix, suffix), -abs(text.starts[span[0]] - selector.start)),
    )


def anchor_quote(
    claim_id: str, selector: QuoteSelector, copy: str, normalised: NormalisedText, min_score: float = DEFAULT_MIN_SCORE
) -> Anchor:
    """Place one quote in `copy` (`normalised` is the same text made plain), trying each step in turn."""

    def placed(start: int, end: int, method: str, score: float = 100.0, candidates: int = 1) -> Anchor:
        return Anchor(claim_id, start, end, method, score, candidates, selector.start, selector.end)

    exact = _occurrences(copy, selector.exact)
    if exact:
        length = len(selector.exact)
        spans = [(normalised.index_of(at), normalised.index_of(at + length - 1) + 1) for at in exact]
        chosen = spans.index(_choose(normalised, spans, selector)) if len(spans) > 1 else 0
        return placed(exact[chosen], exact[chosen] + length, EXACT, candidates=len(exact))
    quote = plain(selector.exact)
    found = [(at, at + len(quote)) for at in _occurrences(normalised.text, quote)]
    if found:
        start, end = _choose(normalised, found, selector) if len(found) > 1 else found[0]
        return placed(*normalised.original_span(start, end), NORMALISED, candidates=len(found))
    between = _between_context(normalised, selector, quote)
    if between is not None:
        start, end, score = between
        return placed(*normalised.original_span(start, end), CONTEXT, score)
    if len(quote) >= FUZZY_MIN_CHARS:
        alignment = fuzz.partial_ratio_alignment(quote, normalised.text, score_cutoff=min_score)
        if alignment is not None and alignment.dest_end > alignment.dest_start:
            start, end = _refine(quote, normalised.text, alignment.dest_start, alignment.dest_end)
            return placed(*normalised.original_span(start, end), FUZZY, float(alignment.score))
    return Anchor(claim_id, None, None, NOT_FOUND, 0.0, 0, selector.start, selector.end)


def _refine(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Return where the quote's first and last characters fall in an edit alignment around text[start:end].

    The partial ratio's window is as long as the quote; a passage that lost or gained characters begins or ends a
    little elsewhere, which aligning the quote with the window widened on both sides finds.
    """
    slack = max(8, len(quote) // 10)
    low, high = max(0, start - slack), min(len(text), end + slack)
    first: int | None = None
    last: int | None = None
    for op in Levenshtein.opcodes(quote, text[low:high]):
        if op.tag in ("equal", "replace") and op.src_end > op.src_start:
            if first is None:
                first = low + op.dest_start
            last = low + op.dest_start + (op.src_end - op.src_start)
    return (first, last) if first is not None and last is not None and last > first else (start, end)


def _between_context(text: NormalisedText, selector: QuoteSelector, quote: str) -> tuple[int, int, float] | None:
    """Return the span between the selector's prefix and suffix, if both are found and what lies between is like the quote.

    An empty prefix stands for the start of the text, an empty suffix for its end (the quote was there).
    """
    prefix, suffix = plain(selector.prefix), plain(selector.suffix)
    if not prefix and not suffix:
        return None
    starts = [at + len(prefix) for at in _occurrences(text.text, prefix)] if prefix else [0]
    best: tuple[int, int, float] | None = None
    slack = max(8, len(quote) // 4)
    for start in starts:
        if suffix:
            end = text.text.find(suffix, start)
            if end == -1 or end - start > len(quote) + slack:
                continue
        else:
            end = len(text.text)
        if abs((end - start) - len(quote)) > slack or end <= start:
            continue
        score = fuzz.ratio(quote, text.text[start:end])
        if score >= CONTEXT_MIN_SCORE and (best is None or score > best[2]):
            best = (start, end, float(score))
    return best


def op_ed_selectors(dataset: Dataset) -> dict[str, QuoteSelector]:
    """Return a selector without context for every claim that quotes a copy of the op-ed: its quote and offsets."""
    from kz_timeline.dataset.op_ed import op_ed_source_ids

    claims = dataset.text_tables["claims"]
    copies = op_ed_source_ids(dataset.sources)
    rows = claims[claims["source_id"].isin(list(copies))].sort_values("claim_id")
    columns = (rows[name].astype(str).tolist() for name in ("claim_id", "quote", "quote_start", "quote_end"))
    return {
        claim_id: QuoteSelector(quote, "", "", int(start), int(end)) for claim_id, quote, start, end in zip(*columns, strict=True)
    }


def anchor_claims(
    article: str | Path,
    *,
    annotations: str | Path | None = None,
    data_dir: str | Path | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> Anchoring:
    """Re-anchor every claim that quotes the op-ed on `article`, another copy of the op-ed's text.

    The selectors are the claims' quotes and offsets; with `annotations` (a file written by `kz-timeline export
    annotations`) they also have the 32 characters before and after each quote, which find a quote whose words
    changed and choose between repeated passages.
    """
    from kz_timeline.dataset.loader import load

    path = Path(article)
    try:
        copy = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AnchorError(f"{path}: cannot be read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise AnchorError(f"{path}: not valid UTF-8 at byte {error.start}") from error
    dataset = load(data_dir)
    selectors = op_ed_selectors(dataset)
    if annotations is not None:
        from kz_timeline.exports.annotations import read_selectors

        selectors.update(read_selectors(annotations, selectors))
    if not selectors:
        raise AnchorError("no claim quotes the op-ed: there is nothing to anchor")
    normalised = NormalisedText(copy)
    anchors = tuple(anchor_quote(claim_id, selector, copy, normalised, min_score) for claim_id, selector in selectors.items())
    return Anchoring(path, anchors)
