"""Caches that cannot lie: a cache entry is used only if it is what kz-timeline wrote, in folders only the user owns.

Each test plants or edits an entry (the validated tables, the Vega bundle) and shows that every consumer gets the
CSVs' truth or the real bundle, with one line on stderr saying the entry was refused, never the planted content.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.feather
import pytest

from kz_timeline import export, load, make_chart
from kz_timeline.charts import rendering
from kz_timeline.dataset import validated_cache
from kz_timeline.private_cache import KEY_FILE
from kz_timeline.site.database import build_database
from kz_timeline.site.publishing import write_publish_files
from kz_timeline.site.server import make_datasette

PLANTED_TITLE = "Planted title the CSVs do not have"
PLANTED_SCRIPT = "/* planted */ window.planted = true;"
TRUE_TITLE = "Editor sentenced"
OTHER_USER = 12345


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Turn the caches on, in a cache home of this test's own; return the kz-timeline cache folder."""
    monkeypatch.delenv("KZ_TIMELINE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    rendering.javascript_bundle.cache_clear()
    yield tmp_path / "xdg" / "kz-timeline"
    rendering.javascript_bundle.cache_clear()


def the_entry(cache: Path) -> Path:
    validated_cache.wait_for_stores()  # `load` stores what it validated in the background
    (entry,) = [path for path in (cache / "validated").iterdir() if not path.name.startswith(".")]
    return entry


def plant_title(entry: Path) -> None:
    """Rewrite the cached events table with another title, as someone editing the cache would."""
    path = entry / "events.arrow"
    table = pyarrow.feather.read_table(path)
    titles = pa.array([PLANTED_TITLE] * table.num_rows, type=table.schema.field("title").type)
    edited = table.set_column(table.schema.get_field_index("title"), "title", titles)
    path.unlink()  # the old file may still be memory-mapped by this process
    pyarrow.feather.write_feather(edited, path, compression="uncompressed")


def refused(stderr: str, what: str) -> None:
    lines = [line for line in stderr.splitlines() if line.startswith("kz-timeline: ignoring the cache entry")]
    assert len(lines) == 1, stderr
    assert what in lines[0] and lines[0].endswith("; computing it again"), lines[0]


def test_an_edited_table_in_the_cache_is_refused_and_the_csvs_are_loaded(
    minimal_dir: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(minimal_dir)
    plant_title(the_entry(cache))
    events = load(minimal_dir).events
    assert PLANTED_TITLE not in set(events["title"]) and TRUE_TITLE in set(events["title"])
    refused(capsys.readouterr().err, "the keyed digest differs")
    assert load(minimal_dir).events["title"].tolist() == events["title"].tolist()  # stored again, and trusted
    assert capsys.readouterr().err == ""


def test_charts_exports_and_published_charts_never_show_a_planted_entry(
    minimal_dir: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(minimal_dir)
    entry = the_entry(cache)
    plant_title(entry)
    assert PLANTED_TITLE not in json.dumps(make_chart(load(minimal_dir), "timeline").to_dict())
    plant_title(the_entry(cache))
    export("timelinejs", tmp_path / "timeline.json", minimal_dir)
    assert PLANTED_TITLE not in (tmp_path / "timeline.json").read_text(encoding="utf-8")
    plant_title(the_entry(cache))
    site = write_publish_files(tmp_path / "site", minimal_dir).directory
    for chart in (site / "static" / "charts").iterdir():
        assert PLANTED_TITLE not in chart.read_text(encoding="utf-8"), chart.name
    assert capsys.readouterr().err.count("kz-timeline: ignoring the cache entry") == 3


def test_a_planted_entry_without_the_users_key_is_refused(
    minimal_dir: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(minimal_dir)
    entry = the_entry(cache)
    plant_title(entry)
    (entry / "complete").write_text("0" * 64, encoding="ascii")  # what a planter without the key can write
    assert PLANTED_TITLE not in set(load(minimal_dir).events["title"])
    refused(capsys.readouterr().err, str(entry))


def test_an_entry_others_can_write_is_refused_although_its_digest_matches(
    minimal_dir: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(minimal_dir)
    events = the_entry(cache) / "events.arrow"
    events.chmod(0o666)
    load(minimal_dir)
    refused(capsys.readouterr().err, f"{events}: others can write it (mode 0666)")


def test_an_entry_of_another_user_is_refused(
    minimal_dir: Path, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load(minimal_dir)
    entry = the_entry(cache)
    owner = OTHER_USER
    if os.geteuid() == 0:
        os.chown(entry, OTHER_USER, -1)
    else:  # without root nothing can be given away: this process then plays another user
        owner = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    assert TRUE_TITLE in set(load(minimal_dir).events["title"])
    refused(capsys.readouterr().err, f"it belongs to user id {owner}, not to this user")


def test_cache_folders_are_made_private_and_the_key_readable_by_the_user_only(minimal_dir: Path, cache: Path) -> None:
    load(minimal_dir)
    rendering.javascript_bundle()
    for folder in (cache, cache / "validated", cache / "vega"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((cache / KEY_FILE).stat().st_mode) == 0o600
    assert len((cache / KEY_FILE).read_bytes()) == 32


def test_a_key_others_can_read_is_replaced(minimal_dir: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load(minimal_dir)
    key = cache / KEY_FILE
    old = key.read_bytes()
    key.chmod(0o644)
    assert TRUE_TITLE in set(load(minimal_dir).events["title"])
    err = capsys.readouterr().err
    assert f"ignoring the cache entry {key}: others can read it" in err
    assert key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_planted_vega_bundle_is_refused_everywhere_the_bundle_goes(
    minimal_dir: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = rendering.bundle_cache_path()
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(PLANTED_SCRIPT, encoding="utf-8")
    assert PLANTED_SCRIPT not in rendering.javascript_bundle()
    refused(capsys.readouterr().err, str(planted))

    rendering.javascript_bundle.cache_clear()
    planted.write_text(PLANTED_SCRIPT, encoding="utf-8")
    html = rendering.render_chart(make_chart(load(minimal_dir), "claims"), "html").decode("utf-8")
    assert PLANTED_SCRIPT not in html and "vegaEmbed" in html

    rendering.javascript_bundle.cache_clear()
    planted.write_text(PLANTED_SCRIPT, encoding="utf-8")
    site = write_publish_files(tmp_path / "site", minimal_dir).directory
    assert PLANTED_SCRIPT not in (site / "static" / "vega.js").read_text(encoding="utf-8")

    rendering.javascript_bundle.cache_clear()
    planted.write_text(PLANTED_SCRIPT, encoding="utf-8")
    database = tmp_path / "kz.db"
    build_database(minimal_dir, database)
    datasette = make_datasette(database, data_dir=minimal_dir)

    async def fetch() -> str:
        response = await datasette.client.get("/-/kz-timeline/vega.js")
        assert response.status_code == 200
        text: str = response.text
        return text

    served = asyncio.run(fetch())
    assert PLANTED_SCRIPT not in served and "vegaEmbed" in served


def test_an_edited_vega_bundle_is_refused(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = rendering.javascript_bundle()
    cached = rendering.bundle_cache_path()
    cached.write_bytes(cached.read_bytes() + PLANTED_SCRIPT.encode("utf-8"))  # its signature line kept
    rendering.javascript_bundle.cache_clear()
    assert rendering.javascript_bundle() == real
    refused(capsys.readouterr().err, f"{cached}: its content is not what kz-timeline wrote")


def test_the_keyed_digest_is_one_mac_over_each_parts_own_mac_in_the_parts_order(cache: Path, tmp_path: Path) -> None:
    import hashlib
    import hmac

    import blake3

    from kz_timeline.private_cache import keyed_digest, signing_key

    files = []
    for index in range(5):  # more parts than threads, so that the parts' order could be lost
        path = tmp_path / f"part{index}.arrow"
        path.write_bytes(bytes([index]) * (1 << 20) * (index + 1))
        files.append(path)
    parts: list[bytes | Path] = [b"first", *files, b"last"]
    key = signing_key()
    outer = hmac.new(key, b"label", hashlib.sha256)
    for part in parts:
        if isinstance(part, bytes):
            name, inner = b"bytes", hmac.digest(key, part, "sha256")
        else:
            name, inner = f"file {part.name}".encode(), blake3.blake3(part.read_bytes(), key=key).digest()
        outer.update(b"\0" + name + b"\0" + inner)
    assert keyed_digest("label", parts) == outer.hexdigest()
    assert keyed_digest("label", [parts[0], parts[2], parts[1], *parts[3:]]) != outer.hexdigest()


def test_a_files_mac_taken_as_it_was_written_stands_for_reading_it_again(cache: Path, tmp_path: Path) -> None:
    from kz_timeline.private_cache import file_mac, keyed_digest, signing_key

    key = signing_key()
    written, other = tmp_path / "written.arrow", tmp_path / "other.arrow"
    written.write_bytes(b"table" * 1000)
    other.write_bytes(b"other" * 1000)
    taken = file_mac(key, written)
    read_again = keyed_digest("label", [written, other], key=key)
    assert keyed_digest("label", [written, other], key=key, file_macs={written: taken}) == read_again
    # The MAC given is used, not the file: a wrong one gives another digest.
    assert keyed_digest("label", [written, other], key=key, file_macs={written: file_mac(key, other)}) != read_again
