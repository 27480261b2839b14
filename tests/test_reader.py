"""The op-ed, claim by claim: /oped in Datasette and the static reader (`kz-timeline export reader`), one template."""

from __future__ import annotations

import asyncio
import csv
import html
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from kz_timeline.charts.builders import CHART_KINDS
from kz_timeline.site import reader as reader_module
from kz_timeline.site.database import build_database
from kz_timeline.site.reader import MARKER, ReaderError, write_reader
from kz_timeline.site.server import make_datasette
from tests.conftest import DATA_DIR


def csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def op_ed_claims() -> list[dict[str, str]]:
    """Return the op-ed's claims in the op-ed's order: by quote start, a passage before the claims inside it."""
    copies = {row["source_id"] for row in csv_rows("sources") if row["source_type"] == "op_ed"}
    claims = [row for row in csv_rows("claims") if row["source_id"] in copies]
    return sorted(claims, key=lambda row: (int(row["quote_start"]), -int(row["quote_end"]), row["claim_id"]))


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reader") / "reader"
    write_reader(out, DATA_DIR)
    return out


@pytest.fixture(scope="module")
def served_oped(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("served") / "kz-timeline.db"
    build_database(DATA_DIR, path)
    datasette = make_datasette(path, data_dir=DATA_DIR)

    async def fetch() -> str:
        response = await datasette.client.get("/oped")
        assert response.status_code == 200
        return str(response.text)

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def oped(reader: Path) -> str:
    return (reader / "oped.html").read_text(encoding="utf-8")


def claims_section(page: str) -> str:
    """Return the section of a page that lists the claims (it ends where a claim's card is followed by its end)."""
    found = re.search(r'<section class="kz-claims".*?</article>\s*</section>', page, flags=re.S)
    assert found is not None
    return found.group(0)


def test_the_reader_writes_an_index_the_oped_page_its_events_the_charts_and_the_method(reader: Path) -> None:
    names = {path.relative_to(reader).as_posix() for path in reader.rglob("*") if path.is_file()}
    assert {"index.html", "oped.html", "charts.html", "methodology.html", "kz-timeline.css", MARKER} <= names
    for kind in CHART_KINDS:
        assert {f"charts/{kind}.svg", f"charts/{kind}-narrow.svg", f"charts/{kind}.html"} <= names
    assert "events/mamai_convicted_2023.html" in names
    assert "The label rubric" in (reader / "methodology.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["served", "static"])
def test_every_claim_of_the_op_ed_in_its_order_with_its_quote_its_label_in_words_and_its_verdict(
    page: str, oped: str, served_oped: str
) -> None:
    text = served_oped if page == "served" else oped
    claims = op_ed_claims()
    ids = re.findall(r'<article class="kz-claim kz-label-[a-z_]+" id="claim-([a-z0-9_]+)"', text)
    assert ids == [row["claim_id"] for row in claims]
    labels = {"opinion": "Opinion, not rated", "partly_corroborated": "Partly corroborated"}
    for row in claims:
        card = html.unescape(text.split(f'id="claim-{row["claim_id"]}"', 1)[1].split("</article>", 1)[0])
        assert f"“{row['quote']}”" in card
        label = labels.get(row["verification"], row["verification"].capitalize())
        assert f'<span class="kz-label kz-label-{row["verification"]}">{label}</span>' in card
        assert f'<p class="kz-verdict">{row["verdict"]}</p>' in card


def test_the_served_and_the_static_page_share_one_markup_of_the_claims(oped: str, served_oped: str) -> None:
    def without_hrefs(section: str) -> str:
        # Links differ (Datasette's pages, or the reader's files, where an actor has no page); the served page alone
        # links each claim to its own page.
        section = re.sub(r'<a href="[^"]*">(.*?)</a>', r"\1", html.unescape(section))
        return section.replace(" · the claim’s own page", "")

    assert without_hrefs(claims_section(served_oped)) == without_hrefs(claims_section(oped))
    assert 'href="/kz-timeline/events/mamai_convicted_2023"' in served_oped
    assert 'href="events/mamai_convicted_2023.html"' in oped


def test_text_between_two_quotes_is_an_ellipsis_and_the_op_eds_own_text_is_not_republished(oped: str, article: Path) -> None:
    text = article.read_text(encoding="utf-8")
    furthest, gaps, passages = 0, 0, []
    for row in op_ed_claims():
        start, end = int(row["quote_start"]), int(row["quote_end"])
        if start > furthest:
            gaps += 1
            passages.append(text[furthest:start].strip())
        furthest = max(furthest, end)
    assert oped.count('<p class="kz-gap">') == gaps > 10
    page = html.unescape(oped)
    unquoted = [passage for passage in passages if len(passage) > 40]
    assert unquoted, "no long passage between quotes to check"
    for passage in unquoted:
        assert passage not in page


def test_a_claimant_is_named_only_when_it_is_not_the_op_eds_author(oped: str) -> None:
    asserted = re.findall(r'id="claim-([a-z0-9_]+)".*?</article>', oped, flags=re.S)
    named = [
        claim_id for claim_id in asserted if "Asserted by" in oped.split(f'id="claim-{claim_id}"', 1)[1].split("</article>")[0]
    ]
    others = [row["claim_id"] for row in op_ed_claims() if row["claimant_id"] != "rodehefer"]
    assert named == others == ["tokayev_spief_nonrecognition"]


def test_the_head_counts_claims_per_label_names_the_byline_date_and_copies_and_links_the_method(oped: str) -> None:
    totals = oped.split('class="kz-label-totals"', 1)[1].split("</ul>", 1)[0]
    counts = re.findall(r'kz-label-([a-z_]+)">[^<]+</span> <span class="kz-count">(\d+)</span>', totals)
    expected: dict[str, int] = {}
    for row in op_ed_claims():
        expected[row["verification"]] = expected.get(row["verification"], 0) + 1
    assert {label: int(count) for label, count in counts if int(count)} == expected
    assert "By Luc Rodehefer; earliest dated copy 17 May 2023" in oped
    copies = [row for row in csv_rows("sources") if row["source_type"] == "op_ed"]
    for copy in copies:
        assert f'href="{html.escape(copy["url"])}"' in oped
    assert 'href="methodology.html"' in oped
    key = [row for row in csv_rows("events") if row["is_key_event"] == "true"]
    timeline = oped.split('class="kz-mini-timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("<li>") == len(key)


def test_each_claim_shows_the_evidence_that_carried_its_label_and_later_developments_apart(oped: str) -> None:
    card = oped.split('id="claim-oped_sanctions_compliance"', 1)[1].split("</article>", 1)[0]
    body, later = card.split('<section class="kz-later"', 1)
    carrying = body.split("<h4>How the label was reached</h4>", 1)[1].split("<h4>", 1)[0]
    assert "S = 3, X = 1, Q = 3" in carrying
    assert carrying.count('<li class="kz-evidence-row"') == 7
    for part in ("(established source)", 'class="kz-excerpt"', "Just Passing Through"):
        assert part in carrying
    later_rows = [row for row in csv_rows("evidence") if row["claim_id"] == "oped_sanctions_compliance"]
    later_rows = [row for row in later_rows if row["timing"] == "later_development"]
    assert later.count('<li class="kz-evidence-row"') == len(later_rows) > 0


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src", "srcset"):
            if values.get(name):
                self.links.append((tag, name, str(values[name])))


def link_problems(folder: Path) -> list[str]:
    """Return every link of the reader's pages that does not resolve: a missing file, a missing anchor, a fetch."""
    parsed: dict[Path, _Links] = {}
    for page in folder.rglob("*.html"):
        links = _Links()
        links.feed(page.read_text(encoding="utf-8"))
        parsed[page] = links
    problems = []
    for page, links in parsed.items():
        for tag, name, value in links.links:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") or value.startswith("//"):
                if not (tag == "a" and name == "href"):
                    problems.append(f"{page.name}: {tag} {name} fetches {value}")
                continue
            if parts.scheme in ("data", "mailto"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                problems.append(f"{page.name}: {value}: no such file")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parsed[target].ids:
                problems.append(f"{page.name}: {value}: no such anchor")
    return problems


def test_every_link_of_the_reader_resolves_to_one_of_its_files_and_nothing_is_fetched_from_elsewhere(reader: Path) -> None:
    assert link_problems(reader) == []


def test_the_link_check_finds_a_missing_file_a_missing_anchor_and_a_fetch(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<a href="b.html">b</a> <a href="a.html#nowhere">x</a> <img src="https://example.org/x.png"> <a href="https://x.org">ok</a>',
        encoding="utf-8",
    )
    assert link_problems(tmp_path) == [
        "a.html: b.html: no such file",
        "a.html: a.html#nowhere: no such anchor",
        "a.html: img src fetches https://example.org/x.png",
    ]


def test_the_readers_charts_are_svgs_with_a_text_alternative_and_a_narrow_one_fits_a_phone(reader: Path) -> None:
    for kind in CHART_KINDS:
        for name in (f"{kind}.svg", f"{kind}-narrow.svg"):
            svg = (reader / "charts" / name).read_text(encoding="utf-8")
            assert re.match(r'<svg [^>]*role="img"><title>[^<]+</title><desc>[^<]{40,}</desc>', svg), name
        width = re.search(r'<svg [^>]*width="([0-9.]+)"', (reader / "charts" / f"{kind}-narrow.svg").read_text(encoding="utf-8"))
        assert width is not None and float(width.group(1)) <= 358
    charts = (reader / "charts.html").read_text(encoding="utf-8")
    assert '<source media="(max-width: 720px)" srcset="charts/timeline-narrow.svg">' in charts
    assert re.search(r'<img src="charts/timeline.svg" alt="Timeline of \d+ events', charts)


def test_a_later_export_replaces_the_reader_whole(tmp_path: Path) -> None:
    out = tmp_path / "reader"
    write_reader(out, DATA_DIR)
    (out / "stale.html").write_text("left over", encoding="utf-8")
    write_reader(out, DATA_DIR)
    assert not (out / "stale.html").exists() and (out / "oped.html").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["reader"]


def test_a_failed_export_leaves_the_previous_reader_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "reader"
    write_reader(out, DATA_DIR)
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}

    def broken(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reader_module, "_charts", broken)
    with pytest.raises(ReaderError, match="cannot write the reader: No space left on device"):
        write_reader(out, DATA_DIR)
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["reader"]


def test_the_reader_replaces_only_a_reader_or_an_empty_folder(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ReaderError, match="is not empty and was not written by the reader; give a new or empty folder"):
        write_reader(mine, DATA_DIR)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_reader(empty, DATA_DIR).directory == empty


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def test_cli_export_reader_writes_the_folder_and_says_where_to_open_it(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("export", "reader", "--out", str(out), "--data-dir", str(minimal_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote the reader to {out} from {minimal_dir}: ") and result.stdout.strip().endswith(
        f"open {out / 'index.html'}"
    )
    assert (out / "oped.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "-"], "Error: the reader export is a folder, not a stream: give a folder with --out DIR\n"),
        (["--out", "x", "--claims"], "Error: the reader export takes no --claims; it writes the op-ed's reader as it is\n"),
        (
            ["--out", "x", "--base-url", "https://example.org"],
            "Error: the reader export takes no --base-url; it writes the op-ed's reader as it is\n",
        ),
        (
            ["--out", "x", "--article", "a.txt"],
            "Error: the reader export takes no --article; it writes the op-ed's reader as it is\n",
        ),
    ],
)
def test_cli_export_reader_refuses_a_stream_and_other_exports_options_in_one_line(args: list[str], message: str) -> None:
    result = run_cli("export", "reader", *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_cli_export_reader_over_a_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = run_cli("export", "reader", "--out", str(target))
    assert (result.returncode, result.stderr) == (1, f"Error: {target}: is not a directory\n")
    assert target.read_text(encoding="utf-8") == "x"


def test_the_reader_follows_the_writers_rule_no_link_and_no_new_parent_folder(minimal_dir: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    result = run_cli("export", "reader", "--out", str(link), "--data-dir", str(minimal_dir))
    assert (result.returncode, result.stderr) == (
        1,
        f"Error: {link}: is a symbolic link; kz-timeline never writes through links\n",
    )
    assert link.is_symlink() and list(real.iterdir()) == []
    deep = tmp_path / "missing" / "reader"
    result = run_cli("export", "reader", "--out", str(deep), "--data-dir", str(minimal_dir))
    assert (result.returncode, result.stderr) == (
        1,
        f"Error: {deep}: the folder {deep.parent} does not exist; kz-timeline creates no folders\n",
    )
    assert not deep.parent.exists()


def test_each_claim_links_to_the_pages_of_its_events_and_to_the_timeline(oped: str, reader: Path) -> None:
    for row in op_ed_claims():
        card = oped.split(f'id="claim-{row["claim_id"]}"', 1)[1].split("</article>", 1)[0]
        assert '<a href="charts.html#timeline">The timeline</a>' in card
        if row["event_id"]:
            assert f'<a href="events/{row["event_id"]}.html">' in card
            assert (reader / "events" / f"{row['event_id']}.html").is_file()


def test_a_framing_claim_inside_another_claims_passage_comes_after_it_and_says_so(oped: str) -> None:
    ids = re.findall(r'<article class="kz-claim kz-label-[a-z_]+" id="claim-([a-z0-9_]+)"', oped)
    assert ids.index("oped_old_regime") == ids.index("oped_democracy_steps") + 1
    inner = oped.split('id="claim-oped_old_regime"', 1)[1].split("</h3>", 1)[0]
    assert "Framing, within the passage above" in inner
    between = oped.split('id="claim-oped_democracy_steps"', 1)[1].split('id="claim-oped_old_regime"', 1)[0]
    assert '<p class="kz-gap">' not in between


def test_the_static_charts_page_has_the_served_charts_pages_title(reader: Path) -> None:
    from kz_timeline.site.datasette_metadata import CHARTS_TITLE

    page = (reader / "charts.html").read_text(encoding="utf-8")
    assert f"<h1>{html.escape(CHARTS_TITLE)}</h1>" in page and f"<title>{html.escape(CHARTS_TITLE)} · kz-timeline</title>" in page


def test_a_claim_that_is_not_the_op_eds_links_to_its_own_page_not_to_the_op_ed_page(minimal_dir: Path, tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "kz-timeline.db"
    build_database(minimal_dir, path)

    async def pages(datasette: Any) -> tuple[str, str]:
        claim = await datasette.client.get("/kz-timeline/claims/editor_sentenced_in_2017")
        event = await datasette.client.get("/kz-timeline/events/editor_sentenced")
        assert claim.status_code == event.status_code == 200
        return str(claim.text), str(event.text)

    claim, event = asyncio.run(pages(make_datasette(path, data_dir=minimal_dir)))
    assert '/oped#claim-editor_sentenced_in_2017">This claim in the op-ed' in claim
    assert '/oped#claim-editor_sentenced_in_2017">The article says a court sentenced' in event
    with sqlite3.connect(path) as connection:  # the claim's source is now a news report, not the op-ed
        connection.execute("update sources set source_type = 'news_report' where source_id = 'article'")
    connection.close()
    claim, event = asyncio.run(pages(make_datasette(path, data_dir=minimal_dir)))
    assert "/oped#claim-editor_sentenced_in_2017" not in claim + event
    assert '/kz-timeline/claims/editor_sentenced_in_2017">The article says a court sentenced' in event
