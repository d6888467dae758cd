"""The engine stays usable from a notebook: numpy and pandas only."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "initcore"
ALLOWED = {"numpy", "pandas", "initcore", "__future__"}


def test_initcore_imports_only_numpy_pandas_and_the_standard_library():
    import sys

    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED or top in sys.stdlib_module_names, f"{path.name} imports {name}"
