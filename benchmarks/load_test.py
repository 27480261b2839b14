"""Load test: many concurrent clients against `kz-timeline serve` on loopback, for a bounded time.

    PYTHONPATH=src python benchmarks/load_test.py                   # 50 clients, 30 s, shipped data
    PYTHONPATH=src python benchmarks/load_test.py --clients 2 --duration 2 --output /tmp/B.md

Each client requests, in turn, table, row, facet, search and chart pages (HTML and JSON). Every answer that is not
200 is an error. Requests served, errors, throughput and latency percentiles go into the `## Load test` section of
the output file (BENCHMARKS.md by default); the rest of that file is left as it is. Exit code 1 when any request
failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Load test"
URL_LINE = re.compile(r"Serving kz-timeline at (http://127\.0\.0\.1:\d+/)")
DB = "kz-timeline"


@dataclass
class Results:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def percentile(self, q: float) -> float:
        """Return the q-th percentile latency in milliseconds (of the requests that were answered)."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1] * 1000


@contextmanager
def serving(data_dir: Path | None, db: Path) -> Iterator[str]:
    """Run `kz-timeline serve` on a free loopback port; yield its base URL."""
    command = [sys.executable, "-m", "kz_timeline", "serve", "--db", str(db), "--port", "0"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            match = URL_LINE.search(line)
            if match:
                url = match.group(1)
                break
        if url is None:
            raise SystemExit(f"serve exited with {process.wait()} before printing its URL")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_until_up(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(600):
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"{url} never answered")


async def page_list(client: httpx.AsyncClient, url: str) -> list[tuple[str, str]]:
    """Return (kind, path) pairs across table, row, facet, search and chart pages, with ids read from the server."""
    events = (await client.get(f"{url}{DB}/events.json?_shape=array&_size=20&_col=event_id")).json()
    actors = (await client.get(f"{url}{DB}/actors.json?_shape=array&_size=20&_col=actor_id")).json()
    claims = (await client.get(f"{url}{DB}/claims.json?_shape=array&_size=20&_col=claim_id")).json()
    pages = [
        ("table", f"{DB}/events"),
        ("table", f"{DB}/actors"),
        ("table", f"{DB}/claims"),
        ("table", f"{DB}/sources"),
        ("table", f"{DB}/participants"),
        ("table", f"{DB}/events.json?_shape=array"),
        ("facet", f"{DB}/events?_facet=event_type&_facet=year"),
        ("facet", f"{DB}/claims?_facet=verification"),
        ("facet", f"{DB}/actors?_facet=actor_type&_facet=country_code"),
        ("search", f"{DB}/events?_search=court"),
        ("search", f"{DB}/claims?_search=protest"),
        ("search", f"{DB}/events.json?_search=president"),
        ("chart", "timeline"),
        ("chart", "-/kz-timeline/charts/timeline.json"),
        ("chart", "-/kz-timeline/charts/actors.json"),
    ]
    pages += [("row", f"{DB}/events/{row['event_id']}") for row in events[:8]]
    pages += [("row", f"{DB}/actors/{row['actor_id']}") for row in actors[:4]]
    pages += [("row", f"{DB}/claims/{row['claim_id']}") for row in claims[:4]]
    return pages


async def client_loop(
    client: httpx.AsyncClient, url: str, pages: list[tuple[str, str]], start: int, deadline: float, results: Results
) -> None:
    index = start
    while time.monotonic() < deadline:
        kind, path = pages[index % len(pages)]
        index += 1
        began = time.perf_counter()
        try:
            response = await client.get(url + path)
            await response.aread()
        except httpx.HTTPError as error:
            results.errors[f"{type(error).__name__} on {path}"] += 1
            continue
        if response.status_code != 200:
            results.errors[f"HTTP {response.status_code} on {path}"] += 1
            continue
        results.latencies.append(time.perf_counter() - began)
        results.by_kind[kind] += 1


async def run_load(url: str, clients: int, duration: float) -> tuple[Results, list[tuple[str, str]]]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await wait_until_up(client, url)
        pages = await page_list(client, url)
        for _, path in pages:  # warm every page once (chart specs are computed on first use)
            (await client.get(url + path)).raise_for_status()
        results = Results()
        began = time.monotonic()
        deadline = began + duration
        await asyncio.gather(*(client_loop(client, url, pages, i * 7, deadline, results) for i in range(clients)))
        results.elapsed = time.monotonic() - began
    return results, pages


def section(results: Results, clients: int, duration: float, data_label: str, pages: int) -> str:
    """Return the `## Load test` section in Markdown."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(results.by_kind.items()))
    errors = "\n".join(f"- {count} x {what}" for what, count in results.errors.most_common(10))
    lines = [
        SECTION,
        "",
        f"`benchmarks/load_test.py --clients {clients} --duration {duration:g}`: {clients} concurrent clients (httpx, asyncio) "
        f"for {duration:g} s on loopback against `kz-timeline serve` of {data_label}, cycling through {pages} table, row, facet, "
        f"search and chart pages (HTML and JSON). Machine: {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}; client and server share it.",
        "",
        "| requests served | errors | requests/s | p50 (ms) | p99 (ms) |",
        "|---:|---:|---:|---:|---:|",
        f"| {len(results.latencies)} | {sum(results.errors.values())} | {len(results.latencies) / results.elapsed:.1f} | "
        f"{results.percentile(50):.1f} | {results.percentile(99):.1f} |",
        "",
        f"Requests by kind: {kinds}.",
    ]
    if errors:
        lines += ["", "Errors:", errors]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Put `text` in place of the file's `## Load test` section (up to the next `## `), or append it."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + ("\n" if not text.endswith("\n\n") else ""), current, count=1)
        updated = updated.rstrip("\n") + "\n"
    else:
        updated = (current.rstrip("\n") + "\n\n" if current.strip() else "") + text
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(updated, encoding="utf-8")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data to serve (default: the shipped data)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="Markdown file to write the section into")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary, serving(args.data_dir, Path(temporary) / "kz-timeline.db") as url:
        results, pages = asyncio.run(run_load(url, args.clients, args.duration))
    label = "the shipped data" if args.data_dir is None else f"`{args.data_dir.name}`"
    text = section(results, args.clients, args.duration, label, len(pages))
    write_section(args.output, text)
    print(text)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
