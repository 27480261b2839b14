"""Start `python -m kz_timeline serve` in a subprocess on a free port, wait until it answers, and stop it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

URL_LINE = re.compile(r"Serving kz-timeline at (http://127\.0\.0\.1:\d+/)")
STARTUP_LIMIT_S = 120.0


@dataclass
class Served:
    """A running server: its base URL (ending in '/') and everything it printed before it answered."""

    url: str
    output: str
    process: subprocess.Popen[str]


def serve_command(data_dir: Path, db: Path, port: int = 0) -> list[str]:
    return [sys.executable, "-m", "kz_timeline", "serve", "--data-dir", str(data_dir), "--db", str(db), "--port", str(port)]


@contextmanager
def served(data_dir: Path, db: Path) -> Iterator[Served]:
    """Serve `data_dir` from `db` on a free port (port 0: the server binds one and prints its URL)."""
    process = subprocess.Popen(
        serve_command(data_dir, db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
    )
    try:
        lines: list[str] = []
        url = None
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = URL_LINE.search(line)
            if match:
                url = match.group(1)
                break
        if url is None:
            process.wait(timeout=30)
            raise AssertionError(f"serve exited ({process.returncode}) without printing its URL:\n{''.join(lines)}")
        _wait_until_answering(url, process)
        yield Served(url, "".join(lines), process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_answering(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {STARTUP_LIMIT_S} s")
        time.sleep(0.1)
