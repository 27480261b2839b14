"""Read CSV files that are known to be clean with pyarrow, and find the line on which each row starts.

The exact reader (`kz_timeline.reading.csv_files`) is Python's csv module in strict mode, which explains every fault. This
module is its fast twin for the common case. pyarrow parses the file on every core, reading it a block at a time, and
each block is proved, as it passes to pyarrow, to be strict RFC 4180 CSV (so pyarrow and the csv module cannot read
it differently) with whole-block NumPy checks, and hashed: the file is never held whole, and the proof and the digest
are of the very bytes parsed. It returns None as soon as anything is unusual.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import BinaryIO

import blake3
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from kz_timeline.reading.csv_files import BOM
from kz_timeline.reading.text_categories import SAMPLE_ROWS, few_distinct, text_categories
from kz_timeline.reading.utf8_blocks import Utf8Blocks

QUOTE, COMMA, NEWLINE = ord('"'), ord(","), ord("\n")
#: Bytes read at a time, and pyarrow's block size, which its threads parse in parallel. Each block becomes one chunk of
#: every column, and every check pays a little per chunk: at a million events 4 MiB (70 chunks of events.csv instead of
#: 278) took validate from 6.2 to 5.9 s, and the checks' CPU down 7-9%; 16 MiB parsed on two cores less evenly and was
#: slower again (BENCHMARKS.md, Profiles, stop 28).
BLOCK_SIZE = 4 << 20


@dataclass
class CleanCsv:
    """A clean CSV file read: its columns, the 1-based start line of every row, and the BLAKE3 of its bytes.

    `longest_record`: the most bytes any row (the header too) takes in the file, its line break included: no value
    of the file, nor the values of one row together, can be longer.
    """

    frame: pd.DataFrame
    row_lines: range | npt.NDArray[np.int64]
    blake3: str
    sha256: str  # "" unless asked for
    longest_record: int


def read_clean_csv(
    source: bytes | BinaryIO,
    header_of: Callable[[bytes], list[str] | None],
    categorical: Collection[str] = (),
    sampled: Collection[str] = (),
    *,
    block_size: int = BLOCK_SIZE,
    sha256: bool = False,
) -> CleanCsv | None:
    """Return the columns of `source` (bytes, or a binary file at its start) as strings, or None if not clean.

    `header_of` turns the first line (without its newline, after a UTF-8 BOM) into the column names, or says None
    when the exact reader must word a problem with it. The `categorical` columns are returned as pandas categories
    (`text_categories`), dictionary-encoded as pyarrow parses; so is each `sampled` column whose first values are
    few (`text_categories.few_distinct`). pyarrow is told whether values hold line breaks (`newlines_in_values`,
    which parses slower) by the rows read ahead; a file whose first line break inside a value comes after them is
    read a second time, pyarrow told so. `sha256`: hash the bytes with SHA-256 too (else `CleanCsv.sha256` is "").
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    start = stream.tell()
    try:
        return _read_clean(stream, header_of, categorical, sampled, block_size, newlines_in_values=False, sha256=sha256)
    except _LineBreakInValue:
        stream.seek(start)
        return _read_clean(stream, header_of, categorical, sampled, block_size, newlines_in_values=True, sha256=sha256)


class _NotClean(Exception):
    """The bytes are not strict RFC 4180 CSV as this reader takes it: the exact reader decides."""


class _LineBreakInValue(_NotClean):
    """A value holds a line break, and pyarrow was told none does: it must parse the file again, told so."""


def _read_clean(
    stream: BinaryIO,
    header_of: Callable[[bytes], list[str] | None],
    categorical: Collection[str],
    sampled: Collection[str],
    block_size: int,
    *,
    newlines_in_values: bool,
    sha256: bool = False,
) -> CleanCsv | None:
    """Read `stream` as `read_clean_csv` does; raise _LineBreakInValue if a value holds a line break pyarrow was not told of.

    `newlines_in_values`: pyarrow is told values hold line breaks; else the rows read ahead decide.
    """
    scan = _CleanScan(block_size, newlines_in_values=newlines_in_values, sha256=sha256)
    try:
        feed = _ScannedStream(stream, scan, block_size)
        prefix = feed.read_prefix()  # at least the header, and SAMPLE_ROWS rows when the file has them
        # The header is the first line, and no line break inside a quoted name ends it.
        if scan.first_row_end < 0 or scan.first_row_end != prefix.find(b"\n"):
            return None
        header = header_of(prefix[: scan.first_row_end])
        if header is None:
            return None
        newlines_in_values = scan.decide_line_breaks()
        few: set[str] = set()
        decided_after = sampled  # a file of no more than SAMPLE_ROWS rows: its columns are sampled once parsed whole
        if sampled and scan.row_ends > SAMPLE_ROWS:
            # Decided on the first rows alone, so that a column held as categories is never built whole as strings.
            first = _parse(prefix[: scan.prefix_row_end(SAMPLE_ROWS)], header, set(categorical), newlines_in_values)
            if first is None:
                return None
            few = {name for name in sampled if _few_first_values(first.column(name))}
            decided_after = ()
        del prefix
        table = _parse(feed, header, {*categorical, *few}, newlines_in_values)
        if table is None or not feed.at_end:
            return None
        row_count, row_lines = scan.finish()
    except _LineBreakInValue:
        raise
    except (_NotClean, OSError):
        return None  # reading it again, the exact path words the problem
    if table.num_rows != row_count:
        return None
    columns: dict[str, pd.Series] = {}
    for name in header:
        column = table.column(name)
        if name in decided_after and _few_first_values(column):
            column = pc.dictionary_encode(column)
        columns[name] = _categories(column) if pa.types.is_dictionary(column.type) else _strings(column)
    frame = pd.DataFrame(columns)
    del table
    sha256_hex = scan.sha256.hexdigest() if scan.sha256 is not None else ""
    return CleanCsv(frame, row_lines, scan.digest.hexdigest(), sha256_hex, scan.longest_record)


class _ScannedStream:
    """The bytes of a binary stream, handed to pyarrow a block at a time, each scanned (`_CleanScan`) on its way.

    A UTF-8 BOM is hashed but not handed on. `read_prefix` reads the first blocks ahead, which `read` then hands on
    first.
    """

    def __init__(self, source: BinaryIO, scan: _CleanScan, block_size: int) -> None:
        self._source = source
        self._scan = scan
        self._block_size = block_size
        self._ahead = b""  # read and scanned, not yet handed on
        self._started = False
        self.at_end = False

    @property
    def closed(self) -> bool:
        """Say the stream is open (pyarrow asks before it reads)."""
        return False

    def read_prefix(self) -> bytes:
        """Read ahead until the header and SAMPLE_ROWS rows have ended (or the file has); return what was read."""
        blocks: list[bytes] = []
        while not self.at_end and (self._scan.first_row_end < 0 or self._scan.row_ends <= SAMPLE_ROWS):
            block = self._next_block()
            if block:
                blocks.append(block)
        self._ahead = b"".join(blocks)
        return self._ahead

    def read(self, size: int = -1) -> bytes:
        """Return the next `size` bytes (fewer only at the end), scanned."""
        wanted = self._block_size if size is None or size < 0 else size
        parts = [self._ahead[:wanted]] if self._ahead else []
        self._ahead = self._ahead[wanted:]
        have = len(parts[0]) if parts else 0
        while have < wanted and not self.at_end:
            block = self._next_block(wanted - have)
            parts.append(block)
            have += len(block)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _next_block(self, size: int | None = None) -> bytes:
        size = min(size or self._block_size, self._block_size)
        head = b""
        if not self._started:
            self._started = True
            head = self._source.read(len(BOM))
            if head == BOM:
                self._scan.hash(BOM)
                head = b""
        block = head + self._source.read(max(size - len(head), 0)) if head else self._source.read(size)
        if block:
            self._scan.add(block)
        else:
            self.at_end = True
        return block


class _CleanScan:
    """Prove, a block at a time, that bytes are strict RFC 4180 CSV with LF line ends; find where rows end; hash them.

    Raises _NotClean at the first block that is not: bytes that are not UTF-8 (`Utf8Blocks`), a carriage return or
    NUL byte, a quote other than one opening a field, closing it or doubled inside it, a blank line. With quotes used
    only that way, the k-th quote of the file (0-based) opens or re-opens a quoted field when k is even and closes it
    when k is odd, so a line break ends a row exactly when an even number of quotes precede it.
    """

    def __init__(self, block_size: int, *, newlines_in_values: bool, sha256: bool = False) -> None:
        self.digest = blake3.blake3()
        self.sha256 = hashlib.sha256() if sha256 else None
        self._utf8 = Utf8Blocks()
        #: Whether pyarrow is told that values hold line breaks; None while the first blocks are read ahead.
        self.line_breaks_allowed: bool | None = True if newlines_in_values else None
        self.line_breaks_in_values = False
        #: How many rows have ended (the header's end is the first), and where the first one did (-1: none yet).
        self.row_ends = 0
        self.first_row_end = -1
        #: The most bytes a row has taken so far, its line break included (the last row's is known at `finish`).
        self.longest_record = 0
        self._previous_end = -1  # where the last row ended (-1: the file's start)
        self._size = 0
        self._quotes = 0
        self._byte_before = NEWLINE  # the byte before the next block: the file's start counts as a line break
        self._closing_at_end = False  # the last block ended with a closing quote, what follows it not yet seen
        self._last_row_end = -2
        self._outside: list[npt.NDArray[np.bool_]] = []  # for each line break, whether it ends a row
        self._prefix_ends: list[npt.NDArray[np.intp]] = []  # where the first SAMPLE_ROWS + 1 rows end
        self._mask = np.empty(max(block_size, len(BOM)), dtype=bool)  # the first block holds at least a BOM's bytes

    def add(self, block: bytes) -> None:
        """Scan the next block (not empty) of the file."""
        if b"\r" in block or b"\x00" in block or not self._utf8.add(block):
            raise _NotClean
        self.hash(block)
        array = np.frombuffer(block, dtype=np.uint8)
        quotes, newlines = self._offsets(array, QUOTE), self._offsets(array, NEWLINE)
        if self._closing_at_end and not _BESIDE_QUOTES[array[0]]:
            raise _NotClean
        # An even quote of the file opens a field, an odd one closes it; which these are depends on those before.
        opening, closing = (quotes[0::2], quotes[1::2]) if self._quotes % 2 == 0 else (quotes[1::2], quotes[0::2])
        before = array[np.maximum(opening - 1, 0)]
        if len(opening) and opening[0] == 0:
            before[0] = self._byte_before
        self._closing_at_end = bool(len(closing)) and int(closing[-1]) == len(array) - 1
        after = array[closing[: len(closing) - self._closing_at_end] + 1]
        if not (_BESIDE_QUOTES[before].all() and _BESIDE_QUOTES[after].all()):
            raise _NotClean
        outside = (self._quotes + np.searchsorted(quotes, newlines)) % 2 == 0
        if not self.line_breaks_in_values and not outside.all():
            self.line_breaks_in_values = True
            if self.line_breaks_allowed is False:
                raise _LineBreakInValue  # pyarrow is parsing without expecting it
        ends = newlines[outside] + self._size
        if len(ends):
            if int(ends[0]) == self._last_row_end + 1 or (len(ends) > 1 and bool((np.diff(ends) == 1).any())):
                raise _NotClean  # a blank line (the exact reader words the problem)
            if self.first_row_end < 0:
                self.first_row_end = int(ends[0])
            if self.row_ends <= SAMPLE_ROWS:
                self._prefix_ends.append(ends)
            self._last_row_end = int(ends[-1])
            longest = int(ends[0]) - self._previous_end
            if len(ends) > 1:
                longest = max(longest, int(np.diff(ends).max()))
            self.longest_record = max(self.longest_record, longest)
            self._previous_end = int(ends[-1])
        self._outside.append(outside)
        self.row_ends += len(ends)
        self._quotes += len(quotes)
        self._size += len(array)
        self._byte_before = int(array[-1])

    def hash(self, data: bytes) -> None:
        """Hash the next bytes of the file (with SHA-256 too, if asked for)."""
        self.digest.update(data)
        if self.sha256 is not None:
            self.sha256.update(data)

    def decide_line_breaks(self) -> bool:
        """Say whether pyarrow is told that values hold line breaks: whether the blocks read ahead hold any."""
        if self.line_breaks_allowed is None:
            self.line_breaks_allowed = self.line_breaks_in_values
        return self.line_breaks_allowed

    def _offsets(self, array: npt.NDArray[np.uint8], byte: int) -> npt.NDArray[np.intp]:
        """Return the offsets of `byte` in `array`, through one mask reused for every block (no fresh pages each)."""
        mask = self._mask[: len(array)]
        np.equal(array, byte, out=mask)
        return np.flatnonzero(mask)

    def prefix_row_end(self, index: int) -> int:
        """Return the offset of the line break ending row `index` (0: the header), among the first rows."""
        return int(np.concatenate(self._prefix_ends)[index])

    def finish(self) -> tuple[int, range | npt.NDArray[np.int64]]:
        """Check the end of the file; return its number of rows and the 1-based line on which each starts."""
        if self._quotes % 2 or self.row_ends == 0 or not self._utf8.finish():
            raise _NotClean
        row_count = self.row_ends - 1 + (1 if self._size > self._last_row_end + 1 else 0)
        self.longest_record = max(self.longest_record, self._size - 1 - self._previous_end)  # a last row without a line break
        if not self.line_breaks_in_values:
            return row_count, range(2, row_count + 2)
        # Row i (0-based) starts on the line after the i-th row end (the header's end is the 0th). Kept as a range or
        # an array: a list of a million ints would cost more memory than the column it locates.
        outside = np.concatenate(self._outside)
        return row_count, (np.flatnonzero(outside)[:row_count] + 2).astype(np.int64)


def _parse(data: bytes | _ScannedStream, header: list[str], dictionary: set[str], newlines_in_values: bool) -> pa.Table | None:
    """Parse clean CSV after its header: the `dictionary` columns dictionary-encoded, the rest as strings.

    A `_ScannedStream` raises _NotClean through pyarrow, which stops there.
    """
    try:
        return pa_csv.read_csv(
            pa.BufferReader(data) if isinstance(data, bytes) else data,
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_SIZE),
            parse_options=pa_csv.ParseOptions(
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=newlines_in_values,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: _DICTIONARY if name in dictionary else pa.large_string() for name in header},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # every byte is proved UTF-8 by the scan, a block at a time
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


#: The bytes that may stand before an opening quote or after a closing one, as a lookup table by byte value.
_BESIDE_QUOTES = np.zeros(256, dtype=bool)
_BESIDE_QUOTES[[COMMA, NEWLINE, QUOTE]] = True


def _strings(column: pa.ChunkedArray) -> pd.Series:
    """Return a pyarrow string column as a pandas `str` Series without copying the characters."""
    return pd.Series(pd.array(column, dtype="str"))


#: The type a categorical column is parsed as: each block of the file gets its own dictionary.
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def _categories(column: pa.ChunkedArray) -> pd.Series:
    """Return a dictionary-encoded pyarrow column as pandas categories, in the form `text_categories` gives."""
    return text_categories(column.to_pandas().array)


def _few_first_values(column: pa.ChunkedArray) -> bool:
    """Say whether the column's first SAMPLE_ROWS values hold few distinct texts (`few_distinct`)."""
    first = column.slice(0, SAMPLE_ROWS)
    return few_distinct(pc.count_distinct(first).as_py(), len(first))
