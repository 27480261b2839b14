"""The README's Scale section: the targets of BENCHMARKS.md (written by benchmarks/run.py), met and not met."""

from __future__ import annotations

import re

from kz_timeline.errors import GeneratedFileError

_ROW = re.compile(r"^\| (?P<target>[^|]+) \| (?P<measured>[^|]+) \| (?P<bound>[^|]+) \| (?P<met>yes|no) \|$")


def scale_section(benchmarks: str) -> str:
    """Return the README's summary of the Targets section of `benchmarks` (the text of BENCHMARKS.md)."""
    targets = benchmarks.split("\n## Targets\n", 1)[1].split("\n## ", 1)[0] if "\n## Targets\n" in benchmarks else ""
    rows = [match.groupdict() for line in targets.splitlines() if (match := _ROW.match(line.strip()))]
    if not rows:
        raise GeneratedFileError("BENCHMARKS.md has no Targets table; run benchmarks/run.py")
    where = next((line for line in targets.strip().splitlines() if line.startswith("Issue")), "")
    size = re.search(r"N = ([\d,]*\d)", where)
    measured = re.search(r"^- measured: (.+)$", benchmarks, flags=re.MULTILINE)
    missed = [row for row in rows if row["met"] == "no"]
    lines = [
        f"At {size.group(1) if size else 'the largest size'} events, measured "
        f"{measured.group(1) if measured else 'as BENCHMARKS.md says'} on 2 cores: "
        f"{len(rows) - len(missed)} of {len(rows)} targets met "
        "([BENCHMARKS.md](BENCHMARKS.md), [how it is measured](docs/scale.md)).",
    ]
    if missed:
        lines += ["", "Not met yet:", ""]
        lines += [f"- {row['target'].strip()}: {row['measured'].strip()} ({row['bound'].strip()})" for row in missed]
    return "\n".join(lines) + "\n"
