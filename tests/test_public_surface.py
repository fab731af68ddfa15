"""Each package's `__all__` is its public surface: other packages import only what it names.

The layers contract (import-linter, `make check`) says which package may import which; this test
says *what* they may import. A package's `__all__` names the functions and classes its `__init__`
re-exports and, where a submodule is itself the interface (a router, a worker loop, the kernel's
small modules), that submodule. Everything else in a package is private to it, so it can change
without touching its callers. Tests and benchmarks reach into internals on purpose and are exempt.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Product code and the operator's tools; tests and benchmarks may import internals.
CHECKED = ("platform/sp404", "analysis_engine", "gateway", "scripts", "drills", "loadtests")


def package_dir(package: str) -> Path:
    base = REPO / "platform" if package.startswith("sp404.") else REPO
    return base.joinpath(*package.split("."))


def packages() -> list[str]:
    """Every package one level below `sp404` and `analysis_engine`, the units of the layers."""
    found = [f"sp404.{d.name}" for d in (REPO / "platform/sp404").iterdir()]
    found += [f"analysis_engine.{d.name}" for d in (REPO / "analysis_engine").iterdir()]
    return sorted(p for p in found if (package_dir(p) / "__init__.py").exists())


def declared_all(package: str) -> set[str] | None:
    tree = ast.parse((package_dir(package) / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                assert node.value is not None
                return set(ast.literal_eval(node.value))
    return None


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in ("sp404", "analysis_engine") and len(parts) >= 2:
        candidate = ".".join(parts[:2])
        if (package_dir(candidate) / "__init__.py").exists():
            return candidate
    return None


def owner_of(path: Path) -> str | None:
    """The package a source file belongs to (None for files outside every package)."""
    rel = path.relative_to(REPO).with_suffix("").parts
    if rel[0] == "platform" and len(rel) > 3:
        return f"sp404.{rel[2]}"
    if rel[0] == "analysis_engine" and len(rel) > 2:
        return f"analysis_engine.{rel[1]}"
    return None


def imported_names(path: Path) -> Iterator[tuple[str, str, int]]:
    """(package, name taken from it, line) for each import of another package's surface."""
    me = owner_of(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            package = package_of(node.module)
            if package is None or package == me:
                continue
            if node.module == package:
                for alias in node.names:
                    yield package, alias.name, node.lineno
            else:
                yield package, node.module[len(package) + 1 :].split(".")[0], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                package = package_of(alias.name)
                if package and package != me and alias.name != package:
                    yield package, alias.name[len(package) + 1 :].split(".")[0], node.lineno


def test_every_package_declares_its_public_surface() -> None:
    missing = [p for p in packages() if declared_all(p) is None]
    assert missing == [], f"packages without __all__: {missing}"


def test_packages_import_only_what_others_export() -> None:
    surfaces = {p: declared_all(p) or set() for p in packages()}
    outside: list[str] = []
    for root in CHECKED:
        for path in sorted((REPO / root).rglob("*.py")):
            for package, name, line in imported_names(path):
                if name not in surfaces[package]:
                    where = path.relative_to(REPO)
                    outside.append(f"{where}:{line} takes {name!r} from {package}")
    assert outside == [], "imports outside a package's __all__:\n" + "\n".join(outside)


def test_every_name_in_all_exists() -> None:
    """A stale `__all__` entry would pass the check above while the import fails."""
    for package in packages():
        names = declared_all(package) or set()
        module = __import__(package, fromlist=["__name__"])
        for name in names:
            if not hasattr(module, name):
                # A listed submodule need not be imported by the __init__; it must exist.
                sub = package_dir(package)
                assert (sub / f"{name}.py").exists() or (sub / name / "__init__.py").exists(), (
                    f"{package}.__all__ names {name!r}, which is neither defined nor a submodule"
                )
