"""Shared test set-up: Hypothesis repeats exactly and writes nothing into the working tree; no test is skipped in
silence (the summary lists every skipped test's reason and how to get what it lacked); the browser modules share
one JupyterLab per process (tests/lab_fixtures.py). What runs together under pytest-xdist: tests/xdist_plan.py."""

import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests import a11y_audit, builds
from tests.lab_fixtures import shared_lab  # noqa: F401  (one JupyterLab per process, for the browser modules)
from tools.labserver import ARTIFACTS

REPO = Path(__file__).resolve().parent.parent

# database=None: no example database. derandomize=True: the same examples on every run,
# so CI cannot flake on a rare draw.
settings.register_profile("repo", database=None, derandomize=True, deadline=None)
settings.load_profile("repo")

# Hypothesis also caches constants it reads from our source under ./.hypothesis/, database
# or not; point its home at a temporary folder so that a test run leaves the tree unchanged.
HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="hypothesis-home-"))
set_hypothesis_home_dir(HYPOTHESIS_HOME)


def pytest_sessionstart(session):
    """In the process that leads the run (not in an xdist worker): clear the per-process parts of the accessibility
    report (tests/test_a11y_browser.py), so that report.md holds this run's results only."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        for part in (ARTIFACTS / "a11y").glob("report-*.json"):
            part.unlink()


def pytest_unconfigure(config):
    shutil.rmtree(HYPOTHESIS_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def built_pages() -> Path:
    """`make html`'s pages, built once per test run (tests/builds.py)."""
    return builds.build_pages()


@pytest.fixture(scope="session")
def built_decks() -> Path:
    """`make slides`'s decks, built once per test run (tests/builds.py)."""
    return builds.build_decks()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, for the accessibility audit (tests/a11y_audit.py)."""
    return a11y_audit.axe_script()


@pytest.fixture
def repo() -> Path:
    """The repository root, whatever folder pytest was started from."""
    return REPO


# A skip reason that names one of these misses it; the summary says how to get it.
HOW_TO_GET = {
    "Chromium": (
        "`apt-get install chromium` (Debian, Ubuntu); on other systems install Chromium and set CHROMIUM "
        'to its executable (README.md, "Set-up")'
    ),
}


def skip_reason(report) -> str:
    """A skipped test's reason, without pytest's "Skipped: " prefix."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_terminal_summary(terminalreporter):
    """After the run: every skipped test, grouped by reason, with how to get what a group lacked."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if not hasattr(report, "wasxfail")]
    if not skipped:
        return
    by_reason = defaultdict(list)
    for report in skipped:
        by_reason[skip_reason(report)].append(report.nodeid)
    terminalreporter.section(f"{len(skipped)} tests skipped, by reason", sep="=", yellow=True, bold=True)
    for reason, nodeids in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        files = sorted({nodeid.split("::")[0] for nodeid in nodeids})
        terminalreporter.write_line(f"{len(nodeids)} skipped ({', '.join(files)}): {reason}", yellow=True)
        for name, hint in HOW_TO_GET.items():
            if name.lower() in reason.lower():
                terminalreporter.write_line(f"    to run them: {hint}", yellow=True, bold=True)
