"""The package layout is the architecture: each subpackage imports only what its ``__init__`` docstring allows,
no module imports another in a cycle, names never repeat across subpackages, and no module grows past ~500 lines.

Imports are read from the source with :mod:`ast` (top-level imports, imports inside functions and those under
``TYPE_CHECKING`` alike: a lazy import is still a dependency), so the check needs no import of rmkit itself.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

import rmkit

PACKAGE = Path(rmkit.__file__).resolve().parent
MAX_LINES = 500

# What each part of rmkit may import from the rest of rmkit (the rules written in each ``__init__`` docstring).
LEAVES = {"errors", "resources", "_version"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "resources": set(),
    "_version": set(),
    "cohort": {"errors", "resources"},
    "pairing": {"cohort", "errors"},
    "evaluation": {"cohort", "errors"},
    "phases": {"cohort", "pairing", "evaluation", "errors", "resources"},
    "charts": {"cohort", "resources"},
    "dashboards": {"cohort", "pairing", "evaluation", "phases", "charts", "errors", "resources"},
    "kit": {"cohort", "pairing", "phases", "errors", "resources"},
    "runs": {"cohort", "pairing", "evaluation", "phases", "charts", "errors", "resources", "_version"},
    "cli": {"cohort", "pairing", "evaluation", "phases", "charts", "runs", "dashboards", "kit", "errors", "resources",
            "_version"},
    "__init__": {"errors", "_version"},
    "__main__": {"cli"},
}
# Module-level exceptions, each with its reason.
EXCEPTIONS = {
    # a preheated Voilà kernel runs the dashboard's warm-up from the helper every phase notebook calls first
    ("rmkit.runs.phase_context", "rmkit.dashboards.preheat"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "_bundled" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The rmkit modules that ``name`` imports (resolving relative imports and ``from pkg import module``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            submodules = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in known]
            # `from pkg import module` depends on the module; `from module import name` on the module
            targets = submodules or [origin]
        else:
            continue
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


def part_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_every_part_imports_only_what_its_rules_allow(graph: dict[str, set[str]]) -> None:
    broken = []
    for module, targets in graph.items():
        part = part_of(module)
        assert part in ALLOWED, f"{module}: a new part of rmkit; add its import rule here and in its docstring"
        for target in targets:
            other = part_of(target)
            if other == part:
                continue
            if other == "__init__":
                broken.append(f"{module} imports the top-level package rmkit; import the module that defines it")
            elif other not in ALLOWED[part] and (module, target) not in EXCEPTIONS:
                broken.append(f"{module} imports {target}")
    assert broken == []


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    """Tarjan's strongly connected components over every import: any component of two or more modules is a cycle.
    A package ``__init__`` that re-exports its own modules is not a cycle of theirs, so those edges are left out."""
    edges = {m: {t for t in ts if not (m.startswith(t + ".") and (PACKAGE.parent / (t.replace(".", "/"))).is_dir())}
             for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check above is not vacuous: two modules that import each other are reported."""
    known = {"rmkit.a", "rmkit.b"}
    assert imports_of("rmkit.a", _write("from .b import x\n"), known) == {"rmkit.b"}
    assert imports_of("rmkit.b", _write("def f():\n    from . import a\n"), known) == {"rmkit.a"}


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "m.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_subpackage_says_what_lives_there_and_what_it_may_import() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        if init.parent.name.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "Import rule" in doc, f"{init}: its docstring has no 'Import rule'"
        for module in sorted(init.parent.glob("*.py")):
            if module.name != "__init__.py" and not module.name.startswith("_"):
                assert module.stem in doc, f"{init}: its docstring does not mention {module.stem}"


def test_module_names_never_repeat_across_subpackages() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for name in modules():
        leaf = name.rpartition(".")[2]
        if leaf not in {"rmkit"} and not leaf.startswith("_") and name.count(".") >= 1:
            seen[leaf].append(name)
    repeated = {leaf: names for leaf, names in seen.items() if len(names) > 1}
    assert repeated == {}


def test_no_module_grows_past_the_limit() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines (usually two concerns): {long}"


def test_the_public_surface_resolves() -> None:
    """Every name ``rmkit.__all__`` promises imports from the module rmkit's lazy table names."""
    for name in rmkit.__all__:
        assert getattr(rmkit, name) is not None
    for name, module in rmkit._LAZY.items():
        assert hasattr(importlib.import_module(module), name), (name, module)


def test_no_module_of_the_package_is_ignored_by_git() -> None:
    """A package folder whose name a .gitignore pattern matches (``runs/`` once did) would leave its new modules out
    of the repository and the wheel."""
    import shutil
    import subprocess

    root = PACKAGE.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    files = [str(p.relative_to(root)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *files], cwd=root, capture_output=True, text=True)
    assert ignored.stdout.split() == []


def test_docstrings_and_notebooks_cite_only_what_ships() -> None:
    """The design notes outside the package (DESIGN.md, STACK.md, DOMAIN.md, STYLE.md) are not part of what a user
    installs: the package and the notebooks cite the README or a module instead."""
    root = Path(__file__).resolve().parents[1]
    cited = [f"{path.relative_to(root)}:{number}" for folder in ("rmkit", "notebooks")
             for path in sorted((root / folder).rglob("*")) if path.suffix in {".py", ".ipynb"}
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if any(name in line for name in ("DESIGN.md", "STACK.md", "DOMAIN.md", "STYLE.md", "shared/"))]
    assert cited == []
