"""The README's part on how labels are reached: the rule in two sentences, and the op-ed's claims per label."""

from __future__ import annotations

from pathlib import Path

from kz_timeline.charts.frames import verification_counts
from kz_timeline.dataset.loader import load
from kz_timeline.reading.method import publication_date
from kz_timeline.schema.rubric import HOW_LABELS_ARE_REACHED, RULES
from kz_timeline.schema.vocabularies import Verification


def label_section(data_dir: str | Path | None = None) -> str:
    """Return the Markdown of the README's part on labels, counted from the data in `data_dir` (the shipped data)."""
    dataset = load(data_dir)
    counts = dict(zip(*(verification_counts(dataset)[name] for name in ("verification", "claims")), strict=True))
    labels = Verification.labels()
    published = publication_date(dataset.text_tables["sources"])
    as_of = f", against the record as of {published}" if published else ""
    lines = [
        HOW_LABELS_ARE_REACHED,
        "",
        "[docs/METHODOLOGY.md](docs/METHODOLOGY.md) is the method: what a claim is, who its claimant is, how sources "
        "are classed and the rubric below. `kz_timeline.assess_claims` gives, for every claim, the rule that decided "
        "its label and the evidence that carried it; so does each claim's page in Datasette.",
        "",
        f"The op-ed's {sum(counts.values())} claims by label{as_of}:",
        "",
        "| label | claims | requires (S, X, Q: carrying rows that support, contradict, qualify) |",
        "|---|---:|---|",
    ]
    for value, label in labels.items():
        rule = RULES[value].replace("|", "\\|")
        lines.append(f"| {label} | {counts.get(label, 0)} | {rule} |")
    return "\n".join(lines) + "\n"
