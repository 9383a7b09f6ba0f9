"""Root conftest: loaded for tests/ and notebooks/ alike, so the figure check covers every notebook cell."""

pytest_plugins = ("tools.figure_check",)
