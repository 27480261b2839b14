"""The package's folders follow the data flow: no module imports from a stage that comes after its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kz_timeline"

#: Each stage and its place in the flow; a module may import from its own stage and from earlier ones only.
STAGES = {
    "defaults": 0,
    "errors": 0,
    "text": 0,
    "arrow_columns": 0,
    "background": 0,
    "files": 1,
    "arguments": 1,
    "private_cache": 2,
    "schema": 3,
    "reading": 4,
    "dataset": 5,
    "charts": 6,
    "exports": 6,
    "site": 7,
    "metadata": 8,
    "cli": 9,
    "__init__": 9,
    "__main__": 10,
}


def stage_of(module: str) -> str:
    """Return the stage of a dotted module name inside kz_timeline ('kz_timeline.reading.csv_files' -> 'reading')."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """Return (line, module, names) of every import of kz_timeline in a file, type-checking-only ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kz_timeline":
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.split(".")[0] == "kz_timeline"]
    return found


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def test_every_module_belongs_to_a_stage() -> None:
    for path in MODULES:
        assert path.relative_to(PACKAGE).parts[0].removesuffix(".py") in STAGES, path


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_go_only_to_the_same_or_an_earlier_stage(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    for line, module, names in imports_of(path):
        if module == "kz_timeline" and names == ["__version__"]:
            continue  # the version is written once, in the package's __init__
        target = stage_of(module) if module != "kz_timeline" else stage_of(f"kz_timeline.{names[0]}")
        assert target == own or STAGES[target] < STAGES[own], f"{path.name}:{line}: the {own} stage imports {module} ({target})"


def test_the_check_catches_an_import_against_the_flow(tmp_path: Path) -> None:
    late = tmp_path / "late.py"
    late.write_text("from kz_timeline.charts.builders import make_chart\n", encoding="utf-8")
    ((_, module, _),) = imports_of(late)
    assert STAGES[stage_of(module)] > STAGES["reading"]
