"""The test suite's own layout, read from the source: where shared test code lives (issue 26).

Every module under tests/ is parsed with ``ast`` and each of its imports, at the top or inside
a function, is checked against three rules:

* no module imports from a test module (``test_*.py``): a helper two test files need lives in
  tests/helpers/, so a test file can be moved, renamed or deleted without breaking another;
* a ``conftest.py`` is imported only for its fixtures (functions decorated with
  ``pytest.fixture``), the documented way to share a fixture across directories; constants,
  functions and classes that are not fixtures come from tests/helpers/;
* outside tests/helpers/ the suite holds only test modules, conftest files and packages'
  ``__init__.py``, so there is one place to look for what the tests share.
"""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ALLOWED_OUTSIDE_HELPERS = ("conftest.py", "__init__.py")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if not any(part.startswith(".") for part in p.relative_to(root).parts))


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr == "fixture" and isinstance(target.value, ast.Name) and target.value.id == "pytest"
    return isinstance(target, ast.Name) and target.id == "fixture"


def fixtures_of(path: Path) -> set[str]:
    """The names a module defines as pytest fixtures."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(_is_fixture(d) for d in node.decorator_list)}


def _imports(path: Path, root: Path) -> list[tuple[str, list[str], int]]:
    """Every import of the module: (module imported, names taken from it, line), relative ones resolved."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([target] if target else []))
            found.append((target, [alias.name for alias in node.names], node.lineno))
    return found


def violations(root: Path) -> list[str]:
    """What breaks the rules above in the test package at ``root``, one line each."""
    modules = {_module_name(p, root): p for p in _sources(root)}
    problems = []
    for path in _sources(root):
        where = path.relative_to(root.parent)
        inside_helpers = (root / "helpers") in path.parents
        if not inside_helpers and not (path.name.startswith("test_") or path.name in ALLOWED_OUTSIDE_HELPERS):
            problems.append(f"{where}: neither a test module nor a conftest; shared test code lives in "
                            f"{root.name}/helpers/")
        for target, names, line in _imports(path, root):
            # "from tests.x import test_y" imports a module too
            imported = [target] + [f"{target}.{name}" for name in names if f"{target}.{name}" in modules]
            for module in imported:
                last = module.rpartition(".")[2]
                if module in modules and last.startswith("test_"):
                    problems.append(f"{where}:{line} imports the test module {module}; move what it shares "
                                    f"to {root.name}/helpers/")
            if target in modules and target.rpartition(".")[2] == "conftest":
                fixtures = fixtures_of(modules[target])
                plain = [name for name in names if name not in fixtures] if names else ["the module itself"]
                for name in plain:
                    problems.append(f"{where}:{line} imports {name} from {target}, which is not a fixture "
                                    f"there; move it to {root.name}/helpers/")
            elif f"{target}.conftest" in modules and "conftest" in names:
                problems.append(f"{where}:{line} imports {target}.conftest as a module; import its fixtures "
                                f"by name, and helpers from {root.name}/helpers/")
    return problems


def test_no_test_module_or_conftest_is_used_as_a_helper_library():
    assert violations(TESTS) == []


def test_the_rules_catch_what_they_forbid_and_allow_fixtures(tmp_path):
    root = tmp_path / "tests"
    files = {
        "__init__.py": "",
        "conftest.py": """
            import pytest
            from tests.helpers.web import PASSWORD

            LIMIT = 3

            @pytest.fixture
            def client():
                return PASSWORD

            @pytest.fixture(scope="session")
            def server():
                return LIMIT

            def plain():
                return 1
        """,
        "helpers/__init__.py": "",
        "helpers/web.py": "PASSWORD = 'x'\n",
        "a/__init__.py": "",
        "a/test_one.py": """
            from tests.conftest import client, server  # noqa: F401  (fixtures: allowed)
            from tests.helpers.web import PASSWORD

            def _shared():
                return PASSWORD
        """,
        "a/test_two.py": """
            from tests.a.test_one import _shared
            from tests.conftest import LIMIT, client

            def test_it():
                from tests import conftest
                from tests.a import test_one
                from ..conftest import plain
                return _shared, LIMIT, client, conftest, test_one, plain
        """,
        "a/builders.py": "import tests.a.test_one\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    assert fixtures_of(root / "conftest.py") == {"client", "server"}
    found = violations(root)
    expected = [
        ("tests/a/builders.py: neither a test module nor a conftest",),
        ("tests/a/builders.py:1 imports the test module tests.a.test_one",),
        ("tests/a/test_two.py:2 imports the test module tests.a.test_one",),
        ("tests/a/test_two.py:3 imports LIMIT from tests.conftest",),
        ("tests/a/test_two.py:6 imports tests.conftest as a module",),
        ("tests/a/test_two.py:7 imports the test module tests.a.test_one",),
        ("tests/a/test_two.py:8 imports plain from tests.conftest",),
    ]
    for (start,) in expected:
        assert any(problem.startswith(start) for problem in found), (start, found)
    assert len(found) == len(expected), found
    assert not any("test_one.py" in problem.split(":")[0] for problem in found)  # fixtures and helpers are fine
