"""The house stays drawn: imports run one way between crosswire's packages, no import circle, small modules,
SQL only in storage, Scrapy only in crawlers, and no import hidden inside a function without a reason."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The folders the wheel installs, and the package each becomes (pyproject.toml's package-dir).
FOLDERS = {"crosswire": "crosswire", "crawlers": "crosswire.crawlers", "storage": "crosswire.storage"}

# What each package may import of crosswire, lowest floor first. Everything a package may import is on a
# floor below it; nothing imports the CLI, and only the CLI imports the crawler, the web reader and the demo.
ALLOWED: dict[str, set[str]] = {
    "crosswire": set(),                      # the version and the project's URL
    "crosswire.core": set(),                 # types, config, errors, times: nothing of ours
    "crosswire.demo": set(),                 # the demo's fictional outlets and their server
    "crosswire.extraction": {"crosswire.core"},
    "crosswire.identity": {"crosswire.core"},
    "crosswire.analysis": {"crosswire.core", "crosswire.identity"},
    "crosswire.storage": {"crosswire.core", "crosswire.identity", "crosswire.analysis"},
    "crosswire.crawlers": {"crosswire", "crosswire.core", "crosswire.extraction", "crosswire.identity",
                           "crosswire.analysis", "crosswire.storage"},
    "crosswire.exports": {"crosswire.core", "crosswire.identity", "crosswire.analysis", "crosswire.storage"},
    "crosswire.web": {"crosswire", "crosswire.core", "crosswire.identity", "crosswire.analysis", "crosswire.storage",
                      "crosswire.exports"},
    "crosswire.cli": {"crosswire", "crosswire.core", "crosswire.extraction", "crosswire.identity",
                      "crosswire.analysis", "crosswire.storage", "crosswire.crawlers", "crosswire.exports",
                      "crosswire.web", "crosswire.demo"},
    "crosswire.__main__": {"crosswire.cli"},
}
MAX_LINES = 500


@dataclass(frozen=True)
class Import:
    """One import statement of ours: where it is and what it names."""

    module: str          # the importing module
    target: str          # the imported module (or the package an imported name lives in)
    line: int
    in_function: bool
    commented: bool      # a comment on the line before or on the same line says why


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    parts[0] = FOLDERS[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def sources() -> dict[str, Path]:
    """Every module of the wheel, by dotted name."""
    return {module_name(p): p for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))}


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """The imports of crosswire modules in one file, at any depth."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(sub) for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom)))
    out: list[Import] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from pkg import mod` names a module when pkg.mod is one; else the name lives in pkg.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        if not names:
            continue
        before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        commented = before.startswith("#") or "#" in lines[node.lineno - 1]
        out += [Import(module, name, node.lineno, id(node) in inside, commented)
                for name in names if name == "crosswire" or name.startswith("crosswire.")]
    return out


MODULES = sources()
IMPORTS = [imp for name, path in MODULES.items() for imp in imports_of(name, path, set(MODULES))]


def test_every_package_has_a_floor() -> None:
    assert set() == {package_of(m) for m in MODULES} - set(ALLOWED)


def test_imports_run_one_way_between_packages() -> None:
    wrong = sorted(f"{imp.module}:{imp.line} imports {imp.target}" for imp in IMPORTS
                   if package_of(imp.target) != package_of(imp.module)
                   and package_of(imp.target) not in ALLOWED[package_of(imp.module)])
    assert [] == wrong


def test_no_import_circle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in IMPORTS:
        target = imp.target if imp.target in MODULES else package_of(imp.target)
        if target != imp.module and target in MODULES:
            graph[imp.module].add(target)
    # Tarjan's strongly connected components: any component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert [] == circles


def function_imports(path: Path) -> list[int]:
    """Lines of the imports (of anything) inside functions, without a comment on the line or the one before."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    before = lines[sub.lineno - 2].strip() if sub.lineno > 1 else ""
                    if not before.startswith("#") and "#" not in lines[sub.lineno - 1]:
                        found.append(sub.lineno)
    return found


def test_imports_inside_functions_say_why() -> None:
    hidden = sorted(f"{name}:{line}" for name, path in MODULES.items() for line in function_imports(path))
    assert [] == hidden


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it into the ideas it holds"


def _third_party(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def test_only_the_crawler_speaks_scrapy_and_twisted() -> None:
    speakers = sorted(name for name, path in MODULES.items()
                      if _third_party(path) & {"scrapy", "twisted"} and package_of(name) != "crosswire.crawlers")
    assert [] == speakers


def test_only_storage_speaks_sql() -> None:
    # A call that passes a statement (a Redis pipeline's `.execute()` takes none, and is no SQL).
    sql_calls = re.compile(r"\.(?:execute|executemany|query)\((?!\))|sqlite3\.connect\(")
    speakers = sorted(name for name, path in MODULES.items() if package_of(name) != "crosswire.storage"
                      and sql_calls.search(path.read_text(encoding="utf-8")))
    assert [] == speakers


def test_the_core_and_the_demo_import_nothing_of_ours_but_themselves() -> None:
    assert [] == sorted(f"{imp.module} imports {imp.target}" for imp in IMPORTS
                        if package_of(imp.module) in ("crosswire.core", "crosswire.demo")
                        and package_of(imp.target) != package_of(imp.module))


def test_pyproject_installs_every_package_of_the_tree() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    # The rest of the list are folders of data shipped as they are: each one a folder, none holding code.
    data = set(config["packages"]) - packages
    folders = {name: ROOT / config["package-dir"]["crosswire"] / Path(*name.split(".")[1:]) for name in data}
    assert ({"crosswire.data", "crosswire.web.templates", "crosswire.web.static", "crosswire.demo.data"}, []) == (
        data, [name for name, folder in folders.items() if not folder.is_dir() or any(folder.glob("*.py"))])
    assert packages <= set(config["packages"])
