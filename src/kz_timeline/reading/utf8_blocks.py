"""Prove, a block at a time, that a file's bytes are UTF-8 as Python's strict decoder takes it.

pyarrow can check each value of a CSV file as it converts it (`check_utf8`): one call per value, 0.45 s of CPU for
the 678 MB of a million events. Arrow's validator over a whole block at once takes a tenth of that
(BENCHMARKS.md, Profiles, stop 29). A character cut by a block's end is checked with the bytes that end it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

#: The first two bits of a byte inside a character (after its first byte).
_CONTINUATION, _TOP_TWO_BITS = 0x80, 0xC0


class Utf8Blocks:
    """The bytes of one file, taken a block at a time: say whether all of them so far are UTF-8."""

    def __init__(self) -> None:
        self._tail = b""  # the first bytes of a character the last block ended inside

    def add(self, block: bytes) -> bool:
        """Take the next block; say whether the bytes so far are UTF-8 (a character it ends inside is checked later)."""
        start = 0
        if self._tail:
            length = _character_length(self._tail[0])
            while start < len(block) and len(self._tail) + start < length and _continues(block[start]):
                start += 1
            character = self._tail + block[:start]
            if len(character) < length and start == len(block):
                self._tail = character  # the block ended inside the character too
                return True
            if not is_utf8(character):
                return False
            self._tail = b""
        end = _whole_characters_end(block, start)
        self._tail = block[end:]
        return is_utf8(memoryview(block)[start:end])

    def finish(self) -> bool:
        """Say whether the file ended on a whole character."""
        return not self._tail


def is_utf8(data: bytes | memoryview) -> bool:
    """Say whether `data` is UTF-8 (no overlong form, surrogate or code point past U+10FFFF), through Arrow."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _continues(byte: int) -> bool:
    return byte & _TOP_TWO_BITS == _CONTINUATION


def _character_length(first: int) -> int:
    """Return how many bytes a character whose first byte is `first` takes (1 for ASCII, or a byte never first)."""
    if first < 0xC0:
        return 1
    return 2 if first < 0xE0 else 3 if first < 0xF0 else 4


def _whole_characters_end(block: bytes, start: int) -> int:
    """Return where the last whole character of block[start:] ends: the bytes after it begin one the block cuts."""
    end = len(block)
    for back in range(1, min(4, end - start) + 1):
        byte = block[end - back]
        if not _continues(byte):
            return end - back if back < _character_length(byte) else end
    return end
