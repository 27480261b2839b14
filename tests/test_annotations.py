"""`kz-timeline export annotations`: the claims as a W3C Web Annotation collection whose selectors give back every quote."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from kz_timeline.dataset.loader import resolve_data_dir
from kz_timeline.exports.annotations import (
    ANNOTATION_CONTEXT,
    CONTEXT_CHARS,
    AnnotationError,
    QuoteSelector,
    annotation_id,
    read_selectors,
)
from kz_timeline.exports.formats import render_export
from kz_timeline.schema.rubric import carrying_evidence
from kz_timeline.schema.vocabularies import Verification
from tests.conftest import DATA_DIR, REPO_ROOT

SCHEMA = json.loads((REPO_ROOT / "docs" / "schemas" / "annotations.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
DAY = dt.date(2026, 12, 1)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def collection(article: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_export("annotations", articles=[article], date=DAY))
    return document


@pytest.fixture(scope="module")
def items(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    by_id = {annotation_id(row["claim_id"]): row["claim_id"] for row in rows("claims")}
    return {by_id[item["id"]]: item for item in collection["first"]["items"]}


def selectors_of(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {selector["type"]: selector for selector in item["target"]["selector"]}


def errors(document: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_draft_2020_12_written_from_the_w3c_recommendation() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert "https://www.w3.org/TR/annotation-model/" in SCHEMA["description"]


def test_the_export_is_a_collection_the_schema_accepts(collection: dict[str, Any]) -> None:
    assert errors(collection) == []
    assert collection["@context"] == ANNOTATION_CONTEXT == "http://www.w3.org/ns/anno.jsonld"
    assert (collection["type"], collection["first"]["type"]) == ("AnnotationCollection", "AnnotationPage")
    assert collection["total"] == len(collection["first"]["items"]) == len(rows("claims"))
    assert collection["created"] == "2026-12-01T00:00:00Z"


def test_every_claim_has_one_annotation_with_a_stable_id(items: dict[str, dict[str, Any]]) -> None:
    assert sorted(items) == sorted(row["claim_id"] for row in rows("claims"))
    assert len({item["id"] for item in items.values()}) == len(items)
    assert annotation_id("oped_president_said") == "urn:uuid:428dbc9c-86c7-525b-b44e-4e3fd34f7a16"


def test_the_selectors_applied_to_the_op_ed_give_back_every_quote(items: dict[str, dict[str, Any]], article: Path) -> None:
    text = article.read_text(encoding="utf-8")
    quotes = {row["claim_id"]: row for row in rows("claims")}
    for claim_id, item in items.items():
        found = selectors_of(item)
        position, quote = found["TextPositionSelector"], found["TextQuoteSelector"]
        assert text[position["start"] : position["end"]] == quotes[claim_id]["quote"], claim_id
        assert (position["start"], position["end"]) == (int(quotes[claim_id]["quote_start"]), int(quotes[claim_id]["quote_end"]))
        whole = quote["prefix"] + quote["exact"] + quote["suffix"]
        assert text.count(whole) == 1, f"{claim_id}: the quote selector matches {text.count(whole)} passages"
        at = text.index(whole) + len(quote["prefix"])
        assert text[at : at + len(quote["exact"])] == quotes[claim_id]["quote"] and at == position["start"], claim_id


def test_prefix_and_suffix_are_the_32_characters_around_the_quote() -> None:
    text = "a" * 40 + "QUOTE" + "b" * 40
    selector = QuoteSelector.of(text, 40, 45)
    assert (selector.prefix, selector.exact, selector.suffix) == ("a" * CONTEXT_CHARS, "QUOTE", "b" * CONTEXT_CHARS)
    assert CONTEXT_CHARS == 32
    edge = QuoteSelector.of("QUOTE and more", 0, 5)
    assert (edge.prefix, edge.suffix) == ("", " and more")


def test_the_body_says_the_label_the_verdict_the_statement_and_the_carrying_sources(items: dict[str, dict[str, Any]]) -> None:
    claims = rows("claims")
    evidence, sources = rows("evidence"), {row["source_id"]: row for row in rows("sources")}
    frames = [pd.DataFrame(table, dtype="str") for table in (claims, evidence, list(sources.values()))]
    carrying = [row for row, carries in zip(evidence, carrying_evidence(*frames), strict=True) if carries]
    for claim in claims:
        item = items[claim["claim_id"]]
        body = item["body"]
        assert body[0] == {"type": "TextualBody", "purpose": "tagging", "value": Verification(claim["verification"]).label}
        assert (body[1]["purpose"], body[1]["value"]) == ("assessing", claim["verdict"])
        assert (body[2]["purpose"], body[2]["value"]) == ("describing", claim["statement"])
        links = [part["source"] for part in body[3:]]
        opinion = claim["verification"] == "opinion"
        urls = (sources[row["source_id"]]["url"] for row in carrying if row["claim_id"] == claim["claim_id"])
        expected = [] if opinion else list(dict.fromkeys(url for url in urls if url))
        assert links == expected, claim["claim_id"]
        assert item["motivation"] == ("describing" if opinion else "assessing")
        assert item["target"]["source"] == sources[claim["source_id"]]["url"]
    assert any(len(item["body"]) > 3 for item in items.values())


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ((), "@context"),
        ((), "id"),
        ((), "type"),
        ((), "first"),
        (("first",), "items"),
        (("first", "items", 0), "id"),
        (("first", "items", 0), "type"),
        (("first", "items", 0), "target"),
        (("first", "items", 0, "target"), "source"),
        (("first", "items", 0, "target", "selector", 0), "exact"),
        (("first", "items", 0, "target", "selector", 1), "start"),
        (("first", "items", 0, "target", "selector", 1), "end"),
        (("first", "items", 0, "body", 0), "value"),
    ],
    ids=lambda part: ".".join(map(str, part)) if isinstance(part, tuple) else part,
)
def test_a_collection_without_a_part_the_model_requires_fails_the_schema(
    collection: dict[str, Any], path: tuple[Any, ...], name: str
) -> None:
    document = copy.deepcopy(collection)
    holder: Any = document
    for step in path:
        holder = holder[step]
    del holder[name]
    assert errors(document), f"the schema accepts a collection without {name}"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("@context",), "https://schema.org"),
        (("first", "items", 0, "target", "selector", 1, "start"), -1),
        (("first", "items", 0, "target", "selector", 1, "end"), "311"),
        (("first", "items", 0, "created"), "2026-12-01T00:00:00+01:00"),
        (("first", "items", 0, "type"), "Note"),
    ],
)
def test_a_collection_with_a_part_of_the_wrong_kind_fails_the_schema(
    collection: dict[str, Any], path: tuple[Any, ...], value: Any
) -> None:
    document = copy.deepcopy(collection)
    holder: Any = document
    *parents, name = path
    for step in parents:
        holder = holder[step]
    holder[name] = value
    assert errors(document)


def test_without_the_op_eds_text_the_export_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "annotations.jsonld"
    result = run_cli("export", "annotations", "--out", str(out))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: the annotations export needs --article FILE, the op-ed's text (its SHA-256 is in sources.csv): "
        "the selectors' prefix and suffix come from it\n"
    )
    assert not out.exists()


def test_a_text_that_is_not_the_op_eds_is_reported_and_nothing_written(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Not the op-ed.\n", encoding="utf-8")
    out = tmp_path / "annotations.jsonld"
    result = run_cli("export", "annotations", "--article", str(other), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{other}: its SHA-256 ")
    assert not out.exists()


def test_the_cli_writes_what_the_library_returns(tmp_path: Path, article: Path, collection: dict[str, Any]) -> None:
    out = tmp_path / "annotations.jsonld"
    result = run_cli("export", "annotations", "--article", str(article), "--date", DAY.isoformat(), "--out", str(out))
    assert (result.returncode, result.stdout) == (0, f"wrote {out} from {resolve_data_dir(None)}\n")
    assert json.loads(out.read_text(encoding="utf-8")) == collection


def test_created_is_the_moment_of_the_export_in_utc_without_date(minimal_dir: Path) -> None:
    document = json.loads(render_export("annotations", minimal_dir, articles=[minimal_dir / "article.txt"]))
    created = dt.datetime.strptime(document["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - created).total_seconds()) < 120
    assert errors(document) == []


def test_read_selectors_gives_back_the_selectors_of_each_claim(tmp_path: Path, collection: dict[str, Any], article: Path) -> None:
    path = tmp_path / "annotations.jsonld"
    path.write_text(json.dumps(collection), encoding="utf-8")
    text = article.read_text(encoding="utf-8")
    claims = rows("claims")
    selectors = read_selectors(path, [row["claim_id"] for row in claims])
    assert selectors == {
        row["claim_id"]: QuoteSelector.of(text, int(row["quote_start"]), int(row["quote_end"])) for row in claims
    }
    assert read_selectors(path, ["not_a_claim"]) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a JSON file"),
        ('{"type": "AnnotationPage"}', "is not a Web Annotation collection (its type is not AnnotationCollection)"),
    ],
)
def test_a_file_that_is_not_a_collection_is_one_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonld"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AnnotationError, match=f"^{re.escape(f'{path}: {message}')}"):
        read_selectors(path, ["x"])


def test_an_annotation_without_its_selectors_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonld"
    item = {"id": annotation_id("x"), "type": "Annotation", "target": {"source": "https://example.org", "selector": []}}
    path.write_text(json.dumps({"type": "AnnotationCollection", "first": {"items": [item]}}), encoding="utf-8")
    with pytest.raises(
        AnnotationError, match=f"^{re.escape(str(path))}: annotation 1 lacks a TextQuoteSelector or TextPositionSelector$"
    ):
        read_selectors(path, ["x"])


def test_the_worked_example_in_the_docs_is_what_the_export_writes(items: dict[str, dict[str, Any]]) -> None:
    text = (REPO_ROOT / "docs" / "annotations.md").read_text(encoding="utf-8")
    example = json.loads(text.split("## A worked example", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0])
    assert f"--date {DAY.isoformat()}" in text
    assert example == items["oped_president_said"]
