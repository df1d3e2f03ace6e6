"""The package's layout is its map: concerns in folders, imports that only point down, no cycles.

Layers, lowest first: the pipeline (colorizer's top-level modules, models/, video/); evaluation/ (metrics,
aging, the evaluate command); then train/ and demo/, which may use everything below them and not each other.
`__main__` (the CLI) is an entry point over all of them, as app.py and train.py are."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "colorizer"
LAYER = {"": 0, "models": 0, "reference": 0, "repair": 0, "video": 0, "evaluation": 1, "train": 2, "demo": 2}
ENTRY_POINTS = {"colorizer.__main__"}
MAX_TOP_LEVEL = 18


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(mod: str, is_pkg: bool, node: ast.ImportFrom) -> list[str]:
    """Absolute names a `from ... import ...` reaches: the module, or each imported submodule."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = mod.split(".") if is_pkg else mod.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        p = PKG.parent / Path(*sub.split("."))
        out.append(sub if p.with_suffix(".py").exists() or (p / "__init__.py").exists() else base)
    return out


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for path in PKG.rglob("*.py"):
        mod = module_name(path)
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):  # lazy imports inside functions count too
            if isinstance(node, ast.ImportFrom):
                edges.update(resolve(mod, path.name == "__init__.py", node))
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
        graph[mod] = {e for e in edges if e == "colorizer" or e.startswith("colorizer.")}
    return graph


def concern(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYER) else ""


def test_top_level_is_short():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top
    assert {"train", "evaluation", "demo", "video", "models"} <= {p.name for p in PKG.iterdir() if p.is_dir()}


def test_imports_only_point_down():
    upward = []
    for mod, edges in import_graph().items():
        if mod in ENTRY_POINTS or mod == "colorizer":
            continue
        a = concern(mod)
        for e in edges:
            b = concern(e)
            if e == "colorizer":  # the package's own names (__version__): the pipeline's
                b = ""
            sideways = b != a and LAYER[b] == LAYER[a] > 0  # train and demo stand side by side
            if LAYER[b] > LAYER[a] or sideways:
                upward.append(f"{mod} -> {e}")
    assert not upward, upward


def test_no_import_cycles():
    graph = import_graph()
    graph["colorizer"] = {e for e in graph["colorizer"]}
    state, cycles = {}, []

    def visit(m, stack):
        state[m] = 1
        for e in sorted(graph.get(m, ())):
            if e in ENTRY_POINTS:
                continue
            if state.get(e) == 1:
                cycles.append(stack[stack.index(e):] + [e] if e in stack else [m, e])
            elif e not in state:
                visit(e, stack + [e])
        state[m] = 2

    for m in sorted(graph):
        if m not in state and m not in ENTRY_POINTS:
            visit(m, [m])
    assert not cycles, cycles


def test_the_pipeline_never_imports_training_demo_or_evaluation():
    for mod, edges in import_graph().items():
        if concern(mod) in ("", "models", "video") and mod not in ENTRY_POINTS:
            assert not [e for e in edges if concern(e) in ("train", "demo", "evaluation")], mod
