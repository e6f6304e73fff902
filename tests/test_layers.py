"""The house rules of docs/architecture.md, checked on the source:

- imports run one way, wordkeep -> api -> lexicon, and the domain never imports the web;
- inside lexicon, packages are layered: a package imports only its own layer and lower ones;
- no import circle between the project's modules (package `__init__` files count as modules);
- no import of a project module inside a function;
- functions stay short (60 lines) and modules small (about 500 lines).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lexicon", "api", "wordkeep")
FORBIDDEN = ("api", "fastapi", "starlette", "wordkeep")

# lexicon's packages, lowest first; each may import its own layer and the ones before it.
LAYERS = (
    ("lexicon.errors", "lexicon.models", "lexicon.alphabet", "lexicon.languages"),
    ("lexicon.shape",),
    ("lexicon.db",),
    ("lexicon.accounts",),
    ("lexicon.entries",),
    ("lexicon.search",),
    ("lexicon.editing",),
    ("lexicon.media",),
    ("lexicon.texts",),
    ("lexicon.io", "lexicon.printing"),
    ("lexicon.operations",),
)
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500
# Modules allowed over MAX_MODULE_LINES, each with its reason; keep this short.
LARGE_MODULES = {
    "lexicon/accounts/access.py": "the one access rule, kept in one file on purpose",
}


def source_files(*packages: str) -> list[Path]:
    return [
        path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(p): p for p in source_files(*PACKAGES)}


def imports(path: Path, *, top_level_only: bool = False) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every absolute import in `path`. `from p import x`
    names the submodule p.x when there is one, else p itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    found.append(
                        (sub if sub in MODULES else child.module, child.lineno, in_function)
                    )
            visit(child, nested)

    visit(tree, False)
    return found


def project_imports(path: Path) -> list[tuple[str, int, bool]]:
    return [i for i in imports(path) if i[0].split(".")[0] in PACKAGES]


def layer(module: str) -> int | None:
    for number, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return number
    return None


def test_lexicon_never_imports_the_web_layer():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in source_files("lexicon")
        for module, line, _ in imports(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_every_lexicon_module_has_a_layer():
    assert [m for m in MODULES if m.startswith("lexicon.") and layer(m) is None] == []


def test_lexicon_packages_import_only_lower_layers():
    offenders = [
        f"{name} (layer {layer(name)}) imports {module} (layer {layer(module)})"
        for name, path in MODULES.items()
        if name.startswith("lexicon")
        for module, _, _ in project_imports(path)
        if layer(module) is not None and layer(module) > layer(name)
    ]
    assert offenders == []


def test_the_api_never_imports_the_command_line():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in source_files("api")
        for module, line, _ in imports(path)
        if module.split(".")[0] == "wordkeep" and module != "wordkeep.settings"
    ]
    assert offenders == []


def test_no_project_imports_inside_functions():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module} inside a function"
        for path in source_files(*PACKAGES)
        for module, line, inside in project_imports(path)
        if inside
    ]
    assert offenders == []


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for module, _, _ in project_imports(path):
            target = module
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != name:
                graph[name].add(target)
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        parts = name.split(".")
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent in MODULES and parent != name:
                graph[name].add(parent)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def without_parent_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's own modules may run its __init__ first (Python does); what must not happen
    is an __init__ importing a module that imports the package's facade back."""
    return {
        name: {t for t in targets if not (name.startswith(t + ".") and t in MODULES)}
        for name, targets in graph.items()
    }


def test_no_import_circles():
    assert cycles(without_parent_edges(import_graph())) == []


def package_graph() -> dict[str, set[str]]:
    """lexicon's packages (lexicon.search, lexicon.io, ...) and which import which."""
    top = {".".join(m.split(".")[:2]) for m in MODULES if m.startswith("lexicon.")}
    graph: dict[str, set[str]] = {p: set() for p in top}
    for name, targets in import_graph().items():
        if not name.startswith("lexicon."):
            continue
        here = ".".join(name.split(".")[:2])
        graph[here] |= {".".join(t.split(".")[:2]) for t in targets if t.startswith("lexicon.")}
        graph[here].discard(here)
    return graph


def test_no_circles_between_lexicon_packages():
    assert cycles(package_graph()) == []


@pytest.mark.parametrize(
    "package", sorted({".".join(m.split(".")[:2]) for m in MODULES if m.startswith("lexicon.")})
)
def test_each_package_imports_first(package):
    """A circle that import order hides shows when its package is the first one imported:
    each package in a fresh interpreter, then every module in it."""
    inside = sorted(m for m in MODULES if m == package or m.startswith(package + "."))
    script = f"import importlib\nfor name in {inside!r}:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_functions_are_short():
    long = []
    for path in source_files(*PACKAGES):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines}")
    assert long == []


def test_modules_are_small():
    large = []
    for path in source_files(*PACKAGES):
        relative = str(path.relative_to(ROOT))
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and relative not in LARGE_MODULES:
            large.append(f"{relative}: {lines}")
    assert large == []


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from fastapi import FastAPI\nimport starlette.requests\n",
            {"fastapi", "starlette.requests"},
        ),
        ("def f():\n    from lexicon import models\n", {"lexicon.models"}),
    ],
)
def test_the_checks_see_imports(tmp_path, source, expected):
    bad = tmp_path / "bad.py"
    bad.write_text(source)
    assert {m for m, _, _ in imports(bad)} == expected


def test_the_circle_check_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_an_import_inside_a_function_is_seen(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\ndef f():\n    from lexicon import models\n    return models\n")
    assert [(m, inside) for m, _, inside in imports(bad)] == [
        ("os", False),
        ("lexicon.models", True),
    ]
