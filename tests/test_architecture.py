"""The engine stays usable from a notebook (numpy and pandas only); the pages show charts one way."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "initcore"
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


def test_pages_show_charts_formulas_metrics_and_tables_through_ui_show():
    """ui.show.chart turns Streamlit's chart theme off: with it on, every chart is drawn twice. ui.show.formula
    leaves room for KaTeX's overshoot, which would scroll. ui.show.metrics keeps a metric's words whole.
    ui.show.table shows every row of a short table."""
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        calls = [node.func.attr for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
        assert "plotly_chart" not in calls, f"{path.name} calls plotly_chart; use ui.show.chart"
        assert "latex" not in calls, f"{path.name} calls latex; use ui.show.formula"
        assert "metric" not in calls, f"{path.name} calls metric; use ui.show.metrics"
        assert "dataframe" not in calls, f"{path.name} calls dataframe; use ui.show.table"
