"""The Vega bundle that HTML charts inline is made once per vl-convert version and then read from the user's cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import vl_convert

from kz_timeline.charts import rendering


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rendering.javascript_bundle.cache_clear()
    yield tmp_path / "cache"
    rendering.javascript_bundle.cache_clear()


def test_bundle_is_written_to_the_cache_and_read_back_without_vl_convert(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = rendering.javascript_bundle()
    cached = rendering.bundle_cache_path()
    assert cached.parent == cache_home / "kz-timeline" / "vega"
    assert cached.read_text(encoding="utf-8").split("\n", 1)[1] == bundle  # after its signature line
    assert "vegaEmbed" in bundle and "</script" not in bundle.lower()

    def fail(*args: object, **kwargs: object) -> str:
        raise AssertionError("the cached bundle should have been used")

    monkeypatch.setattr(vl_convert, "javascript_bundle", fail)
    rendering.javascript_bundle.cache_clear()
    assert rendering.javascript_bundle() == bundle


def test_unusable_cache_directory_still_gives_the_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    rendering.javascript_bundle.cache_clear()
    try:
        assert "vegaEmbed" in rendering.javascript_bundle()
    finally:
        rendering.javascript_bundle.cache_clear()
