"""One rule for how vocabulary terms read, and one for clipping long text, used by every part of the package."""

from __future__ import annotations

import pytest

from kz_timeline.schema.vocabularies import VOCABULARIES
from kz_timeline.text import clip, term_label


@pytest.mark.parametrize(
    ("term", "label"),
    [
        ("military_action", "Military action"),
        ("ngo", "NGO"),
        ("op_ed", "Op-ed"),
        ("january_2022_unrest", "January 2022 unrest"),
        ("partly_corroborated", "Partly corroborated"),
    ],
)
def test_term_labels_read_well(term: str, label: str) -> None:
    assert term_label(term) == label


@pytest.mark.parametrize("name", list(VOCABULARIES))
def test_every_term_has_a_label_that_starts_with_a_capital_and_has_no_underscore(name: str) -> None:
    for term in VOCABULARIES[name].terms():
        label = term_label(term)
        assert label[:1].isupper() and "_" not in label, (term, label)


def test_labels_tell_the_terms_of_each_vocabulary_apart() -> None:
    for name, vocabulary in VOCABULARIES.items():
        labels = [term_label(term) for term in vocabulary.terms()]
        assert len(set(labels)) == len(labels), name


def test_text_within_the_limit_is_kept_whole() -> None:
    assert clip("exactly ten", 11) == "exactly ten"
    assert clip("", 1) == ""


def test_longer_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    clipped = clip("a" * 300, 240)
    assert clipped == "a" * 239 + "…" and len(clipped) == 240


def test_a_clipped_text_does_not_end_in_a_space_or_punctuation_before_its_ellipsis() -> None:
    assert clip("one, two; three", 6) == "one…"
    assert clip("one two three", 9) == "one two…"
    assert clip("line one\nline two", 10) == "line one…"


def test_a_term_may_read_differently_in_one_vocabulary() -> None:
    assert term_label("opinion", "Verification") == "Opinion, not rated"
    assert term_label("opinion", "ClaimType") == term_label("opinion") == "Opinion"


def test_each_verification_label_reads_as_the_methodology_words_it() -> None:
    from kz_timeline.schema.vocabularies import Verification

    assert list(Verification.labels().values()) == [
        "Corroborated",
        "Partly corroborated",
        "Contested",
        "Contradicted",
        "Unverified",
        "Opinion, not rated",
    ]
    assert Verification.OPINION.label == "Opinion, not rated"
