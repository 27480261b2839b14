"""A file's bytes are proved UTF-8 a block at a time exactly when Python's strict decoder takes them whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.reading.utf8_blocks import Utf8Blocks, is_utf8

#: Whole characters of one to four bytes, and the byte runs a decoder must refuse: stray and missing continuation
#: bytes, overlong forms, surrogates, code points past U+10FFFF, bytes that never begin a character.
PIECES = st.sampled_from(
    [
        b"a",
        "М".encode(),
        "€".encode(),
        "𝟘".encode(),
        b"\x80",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xe0\x80\x80",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xff",
        b"\xe2\x82",
        b"\xf0\x9d",
        b"\xd0",
    ]
)


def decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def in_blocks(data: bytes, size: int) -> bool:
    blocks = Utf8Blocks()
    return all(blocks.add(data[start : start + size]) for start in range(0, len(data), size)) and blocks.finish()


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=12), st.integers(min_value=1, max_value=9))
def test_blocks_of_any_size_are_utf8_exactly_when_the_whole_decodes(pieces: list[bytes], size: int) -> None:
    data = b"".join(pieces)
    assert is_utf8(data) == decodes(data)
    assert in_blocks(data, size) == decodes(data)


def test_a_character_cut_at_the_end_of_the_file_is_refused_there() -> None:
    blocks = Utf8Blocks()
    assert blocks.add("aМ".encode()[:-1])
    assert not blocks.finish()
