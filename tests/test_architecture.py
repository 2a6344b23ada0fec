"""The shape of the code (docs/architecture.md), checked on the source text.

import-linter (``make lint``) checks the layers; these tests check what it cannot see:
file size, private names used across modules, literal error codes, writes to another app's models,
imports hidden inside functions, and that each app keeps the one shape.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from django.db.models import Model

SRC = Path(__file__).resolve().parent.parent / "src" / "yiwang"
MAX_LINES = 800

#: Apps that own tables (bounded contexts); the edge apps (portal, workbench) and the demo own none.
DOMAIN_APPS = ("core", "accounts", "catalog", "seals", "licences", "workflow", "cases")
#: Test support and the demo loader may build any app's rows (they are not the running platform).
SEEDERS = ("testing", "demo")

#: Function-level ``yiwang`` imports that are truly needed, per module, with the reason.
#: Anything else goes at the top of the module (break the cycle by moving the shared piece down).
LATE_IMPORTS: dict[str, tuple[int, str]] = {
    "yiwang/cli.py": (
        8,
        "the command line sets Django up first; each command imports what it runs after (the demo side "
        "systems, with their own settings, before Django is set up)",
    ),
    "yiwang/logistics/postage.py": (
        1,
        "the paid hook submits the courier order (services.orders imports postage)",
    ),
    "yiwang/demo/dept_feed.py": (
        6,
        "the demo department process imports its node constants without Django's apps; only the loader "
        "function needs the models",
    ),
}


def _source_files(*, tests: bool = False) -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "migrations" in parts:
            continue
        if not tests and ("tests" in parts or parts[0] == "testing"):
            continue
        yield path


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_source_file_is_over_800_lines():
    too_long = {
        _rel(path): count
        for path in SRC.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def _yiwang_imports(tree: ast.Module, module: str) -> Iterator[tuple[ast.ImportFrom, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "yiwang" or target.startswith("yiwang."):
                yield node, target


def test_no_private_name_is_imported_from_another_module():
    found = []
    for path in _source_files():
        module = _module_name(path)
        for node, target in _yiwang_imports(_tree(path), module):
            for alias in node.names:
                if _is_private(alias.name) and target != module:
                    found.append(f"{_rel(path)}:{node.lineno} from {target} import {alias.name}")
    assert found == []


def _module_aliases(tree: ast.Module, module: str) -> dict[str, str]:
    """Local names bound to yiwang modules (``from yiwang.cases import services``, ``import yiwang.x as y``)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("yiwang.") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node, target in _yiwang_imports(tree, module):
        for alias in node.names:
            candidate = f"{target}.{alias.name}"
            file_base = SRC.parent / Path(*candidate.split("."))
            if file_base.with_suffix(".py").exists() or (file_base / "__init__.py").exists():
                aliases[alias.asname or alias.name] = candidate
    return aliases


def test_no_private_attribute_of_another_module_is_used():
    found = []
    for path in _source_files():
        module = _module_name(path)
        tree = _tree(path)
        aliases = _module_aliases(tree, module)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _is_private(node.attr)
                and aliases[node.value.id] != module
            ):
                found.append(f"{_rel(path)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []


ERROR_CLASSES = {"DomainError", "NotFound", "PermissionDenied", "Conflict"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def test_every_error_code_comes_from_an_enum():
    found = []
    for path in _source_files():
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name not in ERROR_CLASSES and not name.endswith("Refused"):
                continue
            literal_code = name == "DomainError" and node.args and isinstance(node.args[0], ast.Constant)
            literal_code = literal_code or any(
                keyword.arg == "code" and isinstance(keyword.value, ast.Constant) for keyword in node.keywords
            )
            if literal_code:
                found.append(f"{_rel(path)}:{node.lineno} {name}(...) with a literal code")
    assert found == []


WRITE_METHODS = {
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "update",
    "delete",
    "bulk_update",
}


def _model_imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Local names of model classes imported from another app's ``models`` → that app."""
    own = _app_of(module)
    names: dict[str, str] = {}
    for node, target in _yiwang_imports(tree, module):
        parts = target.split(".")
        if len(parts) >= 3 and parts[2] == "models" and parts[1] != own and parts[1] != "core":
            imported = importlib.import_module(target)
            for alias in node.names:
                value = getattr(imported, alias.name, None)
                if isinstance(value, type) and issubclass(value, Model):  # not choices or helpers
                    names[alias.asname or alias.name] = parts[1]
    return names


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_no_app_writes_another_apps_models():
    """Only the owning app creates, updates or deletes its rows; others call its services.

    ``core``'s shared tables (organisations, calendar, regions) are written through core's own helpers
    and read by everyone; choices classes (``XStatus.APPROVED``) are not models.
    """
    found = []
    for path in _source_files():
        module = _module_name(path)
        if _app_of(module) in SEEDERS:
            continue
        tree = _tree(path)
        foreign = _model_imports(tree, module)
        if not foreign:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in foreign and node.args + node.keywords:
                if any(keyword.arg in {"pk", "id"} for keyword in node.keywords) and len(node.keywords) == 1:
                    continue  # a reference object, not a new row
                found.append(f"{_rel(path)}:{node.lineno} {func.id}(...)")
            elif (
                isinstance(func, ast.Attribute)
                and func.attr in WRITE_METHODS
                and _root_name(func) in foreign
                and ".objects" in ast.unparse(func)
            ):
                found.append(f"{_rel(path)}:{node.lineno} {ast.unparse(func)}")
    assert found == []


def _late_imports(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                late_from = isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("yiwang")
                late_import = isinstance(inner, ast.Import) and any(
                    a.name.startswith("yiwang") for a in inner.names
                )
                if late_from or late_import:
                    lines.append(inner.lineno)
    return sorted(set(lines))


def test_imports_inside_functions_are_the_few_truly_needed():
    found = {}
    for path in _source_files():
        rel = str(path.relative_to(SRC.parent))
        lines = _late_imports(_tree(path))
        if path.name == "apps.py":
            continue  # AppConfig.ready() connects receivers once the registry is ready: that is its job
        allowed = LATE_IMPORTS.get(rel, (0, ""))[0]
        if len(lines) > allowed:
            found[rel] = lines
    assert found == {}


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_each_domain_app_has_the_one_shape(app):
    folder = SRC / app
    present = {entry.name for entry in folder.iterdir()}
    assert present & {"models", "models.py"}, "models/ (or models.py for a tiny app)"
    assert "errors.py" in present, "errors.py: the app's error-code enum"
    assert "tests" in present
    if app != "core":
        assert present & {"services", "services.py"}, "services/: the use cases"


def test_no_test_imports_another_apps_tests():
    """What tests share lives in ``yiwang.testing`` (people, fixtures, clients), not in an app's tests."""
    found = []
    roots = [*SRC.rglob("tests/**/*.py"), *(SRC.parent.parent / "tests").rglob("*.py")]
    for path in roots:
        parts = path.relative_to(SRC.parent).parts if path.is_relative_to(SRC.parent) else ("", "")
        own = parts[1] if parts[0] == "yiwang" else ""
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("yiwang."):
                module_parts = node.module.split(".")
                if len(module_parts) > 2 and module_parts[2] == "tests" and module_parts[1] != own:
                    found.append(f"{path.name}:{node.lineno} from {node.module}")
    assert found == []
