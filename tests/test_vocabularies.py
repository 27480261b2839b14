"""Vocabularies: every event type and every role belongs to one of a few families, the colours of the charts."""

from __future__ import annotations

from kz_timeline.charts.palette import CATEGORICAL
from kz_timeline.schema.vocabularies import (
    EVENT_FAMILIES,
    ROLE_FAMILIES,
    EventFamily,
    EventType,
    Role,
    RoleFamily,
    families_missing,
)


def test_every_event_type_and_every_role_has_a_family() -> None:
    assert families_missing(EventType, EVENT_FAMILIES) == []
    assert families_missing(Role, ROLE_FAMILIES) == []


def test_a_term_left_without_a_family_is_found() -> None:
    partial = {term: family for term, family in EVENT_FAMILIES.items() if term != EventType.VERDICT}
    assert families_missing(EventType, partial) == ["verdict"]


def test_every_family_has_a_term_and_there_are_no_more_families_than_colours() -> None:
    for families, vocabulary in ((EVENT_FAMILIES, EventFamily), (ROLE_FAMILIES, RoleFamily)):
        assert set(families.values()) == set(vocabulary)
        assert len(vocabulary) <= len(CATEGORICAL)


def test_families_read_in_words() -> None:
    assert EVENT_FAMILIES[EventType.COURT_RULING].label == "Trials and rulings"
    assert ROLE_FAMILIES[Role.DEFENDANT].label == "Accused or targeted"
