"""Root conftest: loaded for tests/ and notebooks/ alike, so the figure check covers every notebook cell and
pytest-xdist keeps each notebook's cells on one worker (tests/xdist_plan.py)."""

pytest_plugins = ("tools.figure_check", "tests.xdist_plan")
