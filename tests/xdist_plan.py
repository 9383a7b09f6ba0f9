"""What runs together under pytest-xdist, and in which order (a plugin: the root conftest.py loads it, so it holds
for notebooks/ and tests/ alike, whatever paths pytest is given).

`make test` runs `pytest -n auto --dist loadgroup`. With it, this plugin gives xdist its scheduler: a work unit is a
group of tests that one worker runs in order, in the same process, and the workers take the units in the order of
the collection, which each worker sorts alike (LONGEST_FIRST).
- A notebook's cells share one kernel and run in order: strict nbval needs the whole notebook on one worker.
- A test module is one unit too, so that its module fixtures are built once; except the modules in PER_TEST,
  whose tests are long and independent (each one a notebook in the browser, on the worker's own JupyterLab,
  tests/lab_fixtures.py): they spread over the workers; and the modules in PER_PARAMETER, whose tests of one
  notebook share a page (a module fixture with the notebook as its parameter): a notebook's tests are one unit.
- Modules that share something outside pytest are one unit (SHARED): the hub tests (each creates Unix users, and
  the hub's log has one name). The decks and pages that several modules check are built once per run, by whichever
  worker needs them first, under a lock (tests/builds.py), as are each notebook's pictures in
  artifacts/pictures/ (tools/html_export.py); so their tests spread like the other browser tests.
The groups come from the test ids, not from xdist_group marks: xdist 3.8.0 puts a mark's group into
`item._nodeid`, which pytest 9.2's items no longer read, so marked tests would be spread one by one.
Without xdist nothing changes: the order is pytest's own.
"""

from __future__ import annotations

import os

import pytest

PER_TEST = {
    "tests/test_rerun.py",  # each notebook's sections run again in a kernel of their own: 100 s in all
    "tests/test_a11y_browser.py",
    "tests/test_static_views_browser.py",
    "tests/test_lab_alt.py",
}
PER_PARAMETER = {"tests/test_browser.py"}
SHARED = {
    "tests/test_hub.py": "hub",
}
# The longest units first, so that none starts last and leaves one worker busy alone at the end; then the tests that
# spread; then everything else in the order pytest collected it (short units, that fill the gaps at the end).
# Measured with --durations on 2 busy cores: the hub tests 165 s, the figure check's nbval runs 30 s, test_setups'
# installs 30 s, test_experiment's module fixture up to 160 s when its rows are not stored yet.
LONGEST_FIRST = [
    "hub",
    "tests/test_experiment.py",
    "tests/test_figure_check.py",
    "tests/test_setups.py",
]


def unit(nodeid: str) -> str:
    """The work unit of a test id: its file, a name from SHARED, (in PER_TEST) the test alone, or (in PER_PARAMETER)
    the tests with its parameter."""
    path = nodeid.split("::", 1)[0]
    if path in PER_TEST or (path in PER_PARAMETER and "[" not in nodeid):
        return nodeid
    if path in PER_PARAMETER:
        return f"{path}[{nodeid.split('[', 1)[1]}"
    return SHARED.get(path, path)


def order_key(nodeid: str) -> tuple[int, int]:
    """Where a test's unit goes in the queue, and (in a SHARED unit) where its module goes in the unit."""
    group, path = unit(nodeid), nodeid.split("::", 1)[0]
    within = list(SHARED).index(path) if path in SHARED else 0
    if group in LONGEST_FIRST:
        return LONGEST_FIRST.index(group), within
    return len(LONGEST_FIRST) + (0 if group == nodeid or path in PER_PARAMETER else 1), within


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A worker sorts its collection (every worker alike, stably: each unit keeps its own order) into the order in
    which the units are to be taken, after every other hook has reordered it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: order_key(item.nodeid))


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With --dist loadgroup: xdist's scope scheduler, with the units above, taken in the collection's order."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit(nodeid)

    config.option.loadscopereorder = False  # keep the order the workers sorted
    return CourseScheduling(config, log)
