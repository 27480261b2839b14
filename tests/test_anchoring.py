"""`kz-timeline anchor`: every claim re-anchored on altered copies of the op-ed, or named when it cannot be placed.

The copies are made here from the op-ed's text, each with a map from every old character to where it went, so that
each claim's new offsets are known in advance: the whitespace changed, the quotation marks made straight, a paragraph
moved, one sentence removed, and two typos fixed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kz_timeline.dataset.loader import resolve_data_dir
from kz_timeline.exports.anchoring import (
    CONTEXT,
    CSV_COLUMNS,
    EXACT,
    FUZZY,
    FUZZY_MIN_CHARS,
    NORMALISED,
    NOT_FOUND,
    AnchorError,
    NormalisedText,
    anchor_claims,
    anchor_quote,
)
from kz_timeline.exports.annotations import QuoteSelector
from kz_timeline.exports.formats import export
from tests.conftest import DATA_DIR

#: Old text -> (new text, where each old character went: its new index, or None when it was removed).
Alteration = Callable[[str], tuple[str, list[int | None]]]
#: The sentence removed from the copy, and the one claim that quotes it.
REMOVED = " Ablyazov has already lost various court cases in the United States, Great Britain and France."
REMOVED_CLAIM = "oped_ablyazov_lost_cases"
#: The paragraph moved to the end of the copy (it holds five claims, one quoting words the op-ed uses twice).
MOVED_PARAGRAPH = 5


def replaced(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, list[int | None]]:
    """Apply (start, end, replacement) edits, in order and apart; the replaced characters go nowhere."""
    out: list[str] = []
    where: list[int | None] = [None] * len(text)
    at = 0
    length = 0
    for start, end, replacement in [*edits, (len(text), len(text), "")]:
        for index in range(at, start):
            where[index] = length + index - at
        out.append(text[at:start])
        length += start - at
        out.append(replacement)
        length += len(replacement)
        at = end
    return "".join(out), where


def respaced(text: str) -> tuple[str, list[int | None]]:
    """Double every space and put a space before every line break, as another outlet's markup might."""
    return replaced(text, [(index, index, " ") for index, char in enumerate(text) if char in " \n"])


def straight_quotes(text: str) -> tuple[str, list[int | None]]:
    """Make every curly quotation mark and apostrophe straight."""
    plain = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    assert plain != text
    return plain, list(range(len(text)))


def paragraph_moved(text: str) -> tuple[str, list[int | None]]:
    """Move one paragraph to the end of the text."""
    paragraphs = text.split("\n\n")
    starts = [sum(len(p) + 2 for p in paragraphs[:index]) for index in range(len(paragraphs))]
    order = [index for index in range(len(paragraphs)) if index != MOVED_PARAGRAPH] + [MOVED_PARAGRAPH]
    where: list[int | None] = [None] * len(text)
    position = 0
    for index in order:
        for offset in range(len(paragraphs[index])):
            where[starts[index] + offset] = position + offset
        position += len(paragraphs[index]) + 2
    return "\n\n".join(paragraphs[index] for index in order), where


def sentence_removed(text: str) -> tuple[str, list[int | None]]:
    """Remove one sentence (with the space before it)."""
    assert text.count(REMOVED) == 1
    start = text.index(REMOVED)
    return replaced(text, [(start, start + len(REMOVED), "")])


def typos_fixed(text: str) -> tuple[str, list[int | None]]:
    """Fix the op-ed's two typos: "the President sad" and "high[1]profile"."""
    said = text.index("the President sad") + len("the President sa")
    hyphen = text.index("high[1]profile") + len("high")
    return replaced(text, [(said, said, "i"), (hyphen, hyphen + 3, "-")])


ALTERATIONS: dict[str, tuple[Alteration, set[str]]] = {
    # name: (the alteration, how the claims are expected to be found)
    "whitespace": (respaced, {NORMALISED}),
    "quotes": (straight_quotes, {EXACT, NORMALISED}),
    "paragraph": (paragraph_moved, {EXACT}),
    "sentence": (sentence_removed, {EXACT}),
    "typos": (typos_fixed, {EXACT, CONTEXT}),
}


def expected_span(where: list[int | None], start: int, end: int) -> tuple[int, int] | None:
    """Return where a quote's first and last characters went, or None when either was removed."""
    first, last = where[start], where[end - 1]
    return None if first is None or last is None else (first, last + 1)


@pytest.fixture(scope="module")
def annotations(article: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("anchor") / "annotations.jsonld"
    return export("annotations", path, DATA_DIR, articles=[article], date=dt.date(2026, 12, 1))


@pytest.fixture(scope="module")
def claims() -> list[dict[str, str]]:
    with (DATA_DIR / "claims.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name", list(ALTERATIONS))
def test_every_claim_is_placed_where_its_words_went_or_named(
    name: str, article: Path, annotations: Path, claims: list[dict[str, str]], tmp_path: Path
) -> None:
    alteration, methods = ALTERATIONS[name]
    copy, where = alteration(article.read_text(encoding="utf-8"))
    path = tmp_path / f"{name}.txt"
    path.write_text(copy, encoding="utf-8")
    anchoring = anchor_claims(path, annotations=annotations, data_dir=DATA_DIR)
    by_id = {anchor.claim_id: anchor for anchor in anchoring.anchors}
    assert sorted(by_id) == sorted(claim["claim_id"] for claim in claims)
    missing = []
    for claim in claims:
        anchor = by_id[claim["claim_id"]]
        span = expected_span(where, int(claim["quote_start"]), int(claim["quote_end"]))
        if span is None:
            missing.append(claim["claim_id"])
            assert (anchor.placed, anchor.method) == (False, NOT_FOUND), claim["claim_id"]
        else:
            assert (anchor.start, anchor.end) == span, f"{claim['claim_id']} ({anchor.method})"
            assert anchor.method in methods, f"{claim['claim_id']}: {anchor.method}"
    assert anchoring.not_found == missing == ([REMOVED_CLAIM] if name == "sentence" else [])


def test_a_moved_paragraph_with_repeated_words_is_placed_by_context(article: Path, annotations: Path, tmp_path: Path) -> None:
    copy, where = paragraph_moved(article.read_text(encoding="utf-8"))
    path = tmp_path / "moved.txt"
    path.write_text(copy, encoding="utf-8")
    repeated = [
        anchor for anchor in anchor_claims(path, annotations=annotations, data_dir=DATA_DIR).anchors if anchor.candidates > 1
    ]
    assert [anchor.claim_id for anchor in repeated] == ["oped_old_regime"]
    assert (repeated[0].start, repeated[0].end) == expected_span(where, repeated[0].old_start, repeated[0].old_end)
    assert "1 of 2 by context" in repeated[0].describe()


def test_without_annotations_a_changed_quote_is_not_found_but_whitespace_is_no_obstacle(
    article: Path, claims: list[dict[str, str]], tmp_path: Path
) -> None:
    text = article.read_text(encoding="utf-8")
    spaced, where = respaced(text)
    path = tmp_path / "spaced.txt"
    path.write_text(spaced, encoding="utf-8")
    anchoring = anchor_claims(path, data_dir=DATA_DIR)
    for anchor in anchoring.anchors:
        assert (anchor.start, anchor.end) == expected_span(where, anchor.old_start, anchor.old_end), anchor.claim_id
    fixed, _ = typos_fixed(text)
    path.write_text(fixed, encoding="utf-8")
    anchoring = anchor_claims(path, data_dir=DATA_DIR)
    assert anchoring.not_found == ["oped_president_said"]  # 17 characters: too short for the fuzzy step
    (ngos,) = [anchor for anchor in anchoring.anchors if anchor.claim_id == "oped_local_ngos"]
    assert ngos.method == FUZZY and ngos.score >= 90


def test_the_cli_prints_each_claim_writes_the_csv_and_exits_1_naming_what_it_could_not_place(
    article: Path, annotations: Path, tmp_path: Path
) -> None:
    copy, _ = sentence_removed(article.read_text(encoding="utf-8"))
    path, out = tmp_path / "copy.txt", tmp_path / "anchors.csv"
    path.write_text(copy, encoding="utf-8")
    result = run_cli("anchor", "--article", str(path), "--annotations", str(annotations), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr == f"Error: 1 claim(s) not found in {path}: {REMOVED_CLAIM}\n"
    lines = result.stdout.splitlines()
    assert f"{REMOVED_CLAIM}: not found" in lines and lines[-1] == f"wrote {out} from {resolve_data_dir(None)}"
    assert "oped_ablyazov_fled: 4366-4391 (exact; was 4366-4391)" in lines
    anchoring = anchor_claims(path, annotations=annotations, data_dir=DATA_DIR)
    assert out.read_text(encoding="utf-8") == anchoring.csv_text(copy)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row["claim_id"]: row for row in rows}
    assert (by_id[REMOVED_CLAIM]["quote_start"], by_id[REMOVED_CLAIM]["method"]) == ("", NOT_FOUND)
    assert all(copy[int(row["quote_start"]) : int(row["quote_end"])] == row["found"] for row in rows if row["quote_start"])


def test_the_cli_exits_0_when_every_claim_is_placed(article: Path, tmp_path: Path) -> None:
    copy, _ = straight_quotes(article.read_text(encoding="utf-8"))
    path = tmp_path / "copy.txt"
    path.write_text(copy, encoding="utf-8")
    result = run_cli("anchor", "--article", str(path))
    assert (result.returncode, result.stderr) == (0, "")
    assert "amnesty_act_of_retribution: 3967-4056 (normalised; was 3967-4056)" in result.stdout.splitlines()


def test_out_dash_writes_the_csv_alone_to_standard_output(article: Path, tmp_path: Path) -> None:
    copy, _ = straight_quotes(article.read_text(encoding="utf-8"))
    path = tmp_path / "copy.txt"
    path.write_text(copy, encoding="utf-8")
    result = run_cli("anchor", "--article", str(path), "--out", "-")
    assert result.returncode == 0
    assert result.stdout == anchor_claims(path, data_dir=DATA_DIR).csv_text(copy)
    assert "amnesty_act_of_retribution: 3967-4056 (normalised; was 3967-4056)" in result.stderr.splitlines()


def test_the_cli_needs_the_other_copy_and_reports_an_unreadable_one_in_one_line(tmp_path: Path) -> None:
    result = run_cli("anchor")
    assert result.returncode == 2 and "the following arguments are required: --article" in result.stderr
    result = run_cli("anchor", "--article", str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert result.stderr == f"Error: {tmp_path / 'missing.txt'}: cannot be read: No such file or directory\n"
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    result = run_cli("anchor", "--article", str(latin))
    assert result.stderr == f"Error: {latin}: not valid UTF-8 at byte 3\n"


def test_annotations_that_are_not_a_collection_are_one_error_line(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text("text", encoding="utf-8")
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps({"type": "Annotation"}), encoding="utf-8")
    result = run_cli("anchor", "--article", str(copy), "--annotations", str(bad))
    assert result.returncode == 1
    assert result.stderr == f"Error: {bad}: is not a Web Annotation collection (its type is not AnnotationCollection)\n"


def test_a_dataset_without_op_ed_claims_has_nothing_to_anchor(minimal_dir: Path, tmp_path: Path) -> None:
    from tests.helpers import replace_in

    replace_in(minimal_dir / "claims.csv", ",president,article,", ",president,record,", count=2)
    copy = tmp_path / "copy.txt"
    copy.write_text("text", encoding="utf-8")
    with pytest.raises(AnchorError, match=r"^no claim quotes the op-ed: there is nothing to anchor$"):
        anchor_claims(copy, data_dir=minimal_dir)


def test_the_normalised_text_maps_each_character_back_to_its_original_span() -> None:
    text = "It’s  a\n\n“quote” — here"
    normalised = NormalisedText(text)
    assert normalised.text == 'It\'s a "quote" - here'
    start = normalised.text.index('"quote"')
    assert text[slice(*normalised.original_span(start, start + 7))] == "“quote”"
    assert normalised.original_span(4, 5) == (4, 6)  # one space stands for two
    assert normalised.index_of(5) == 4 and normalised.index_of(text.index("h")) == normalised.text.index("h")


def test_repeated_words_go_where_the_context_agrees() -> None:
    text = "First we said the same words here. Later they said the same words there."
    second = text.rindex("the same words")
    selector = QuoteSelector("the same words", "Later they said ", " there.", 0, 14)
    anchor = anchor_quote("c", selector, text, NormalisedText(text))
    assert (anchor.start, anchor.method, anchor.candidates) == (second, EXACT, 2)
    no_context = QuoteSelector("the same words", "", "", second + 1, second + 15)
    assert anchor_quote("c", no_context, text, NormalisedText(text)).start == second  # nearest the old offset
    assert anchor_quote("c", QuoteSelector("the same words", "", "", 0, 14), text, NormalisedText(text)).start == text.index(
        "the"
    )


def test_the_context_step_finds_changed_words_and_refuses_what_is_unlike_them() -> None:
    text = "Before the change: a sentence with new words in it. After."
    selector = QuoteSelector("a sentence with old words", "Before the change: ", " in it. After.", 19, 44)
    anchor = anchor_quote("c", selector, text, NormalisedText(text))
    assert (text[anchor.start : anchor.end], anchor.method) == ("a sentence with new words", CONTEXT)
    unlike = QuoteSelector("nothing of the sort at all", "Before the change: ", " in it. After.", 19, 45)
    assert anchor_quote("c", unlike, text, NormalisedText(text)).method == NOT_FOUND


def test_the_fuzzy_step_scores_and_bounds_the_passage_and_skips_short_quotes() -> None:
    text = "Some preface. The government has implemented reforms swiftly, critics say. More text follows."
    selector = QuoteSelector("The government implemented reforms swiftly", "", "", 14, 56)
    anchor = anchor_quote("c", selector, text, NormalisedText(text))
    assert anchor.method == FUZZY and 90 <= anchor.score < 100
    assert text[anchor.start : anchor.end] == "The government has implemented reforms swiftly"
    strict = anchor_quote("c", selector, text, NormalisedText(text), min_score=99.5)
    assert strict.method == NOT_FOUND
    short = QuoteSelector("critic says", "", "", 0, 11)
    assert len(short.exact) < FUZZY_MIN_CHARS
    assert anchor_quote("c", short, text, NormalisedText(text)).method == NOT_FOUND
