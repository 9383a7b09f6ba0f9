"""What several browser modules build, shared so that their tests can spread over the pytest-xdist workers.

- `make html`'s pages and `make slides`'s decks, built once per test run, whatever the number of processes
  (tests/conftest.py's `built_pages` and `built_decks`): the first process that needs them runs the Makefile's
  target under a lock, the others wait for it and use what it built. So what is checked is what this checkout
  builds, not whatever an earlier run left in artifacts/. The views' pictures they embed come from
  artifacts/pictures/, which tools/html_export.py fills one notebook at a time under its own lock; `make slides`
  installs reveal.js from the npm registry the first time, under the decks' lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tools.html_export import file_lock
from tools.labserver import ARTIFACTS, REPO_ROOT

LOCKS = ARTIFACTS / "locks"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(ok: bool, hint: str) -> None:
    """Skip locally, fail under CI=true, when a tool the tests need is missing."""
    if not ok:
        if IN_CI:
            pytest.fail(hint + " (CI=true: the browser tests must run)")
        pytest.skip(hint)


def locked(name: str):
    """Hold artifacts/locks/<name>.lock: one test process at a time (the others wait)."""
    LOCKS.mkdir(parents=True, exist_ok=True)
    return file_lock(LOCKS / f"{name}.lock")


# This run's name, the same in every pytest-xdist worker of a run (a process of its own without xdist).
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def once_per_run(name: str, target: str, out: Path) -> Path:
    """`make <target>`, which writes `out`, run once in this test run: the first process runs it under a lock, the
    others find it done (artifacts/locks/<name>.built names the run that built it)."""
    with locked(name):
        built = LOCKS / f"{name}.built"
        if not (built.exists() and built.read_text() == RUN and out.is_dir()):
            built.unlink(missing_ok=True)
            done = subprocess.run(["make", target], cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
            assert done.returncode == 0, done.stdout + done.stderr
            built.write_text(RUN)
    return out


def build_pages() -> Path:
    """`make html`'s pages, in artifacts/html/, built once per run."""
    need(shutil.which("make") is not None, "the pages need make (`sudo apt-get install make`)")
    return once_per_run("pages", "html", ARTIFACTS / "html")


def build_decks() -> Path:
    """`make slides`'s decks, in artifacts/slides/, built once per run (with reveal.js, installed the first time)."""
    need(
        shutil.which("make") is not None and shutil.which("npm") is not None,
        "the decks need make and npm to install reveal.js (`sudo apt-get install make npm`)",
    )
    return once_per_run("decks", "slides", ARTIFACTS / "slides")
