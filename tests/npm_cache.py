"""An npm package fetched once with `npm pack` into the tests' cache, and unpacked there."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kz-timeline-tests"


def npm_package(spec: str, wanted: str) -> Path:
    """Return the file `wanted` (a path inside the package) of the npm package `spec` ('name@version').

    The package is packed once into $XDG_CACHE_HOME/kz-timeline-tests/<name>-<version>-npm-pack and unpacked there;
    later runs read the cache. Fails (never skips) when npm is missing or the package cannot be fetched.
    """
    name, _, version = spec.rpartition("@")
    folder = CACHE / f"{name.strip('@').replace('/', '-')}-{version}-npm-pack"
    found = folder / "package" / wanted
    if found.is_file():
        return found
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"npm is missing: install Debian's npm (apt-get install npm) to fetch {spec} for this test")
    folder.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(folder), "--silent"], capture_output=True, text=True, check=False
    )
    if packed.returncode != 0:
        pytest.fail(f"npm pack {spec} failed: {packed.stderr.strip()}")
    with tarfile.open(folder / packed.stdout.strip().splitlines()[-1]) as archive:
        archive.extractall(folder, filter="data")
    if not found.is_file():
        pytest.fail(f"{spec} has no {wanted}")
    return found
