"""What several browser modules build, shared so that their tests can spread over the pytest-xdist workers.

- reveal.js, as `make slides` installs it (from the npm registry, into artifacts/reveal/): once per checkout, under a
  lock, so that two workers never run npm into the same folder.
- `make html`'s pages and `make slides`'s decks, built once per test process into temporary folders
  (tests/conftest.py's `built_pages` and `built_decks`): what is checked is what this checkout builds, not whatever
  an earlier run left in artifacts/. The views' pictures they embed come from artifacts/pictures/, which
  tools/html_export.py fills one notebook at a time under its own lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.html_export import file_lock
from tools.labserver import ARTIFACTS, REPO_ROOT

REVEAL = ARTIFACTS / "reveal" / "node_modules" / "reveal.js"
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


def ensure_reveal(need: Callable[[bool, str], None] = need) -> Path:
    """reveal.js where `make slides` puts it, installed by the Makefile's own rule the first time."""
    need(
        shutil.which("make") is not None and shutil.which("npm") is not None,
        "the decks need make and npm to install reveal.js (`sudo apt-get install make npm`)",
    )
    with locked("reveal"):
        done = subprocess.run(
            ["make", str((REVEAL / "dist" / "reveal.js").relative_to(REPO_ROOT))],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    return REVEAL


def build(out: Path, *args: str) -> Path:
    """Run one of the tools behind `make html` and `make slides` into `out`."""
    done = subprocess.run(
        [sys.executable, "-m", *args, "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def build_pages(out: Path) -> Path:
    """`make html`'s pages, into `out`."""
    return build(out, "tools.html_export")


def build_decks(out: Path) -> Path:
    """`make slides`'s decks, into `out`."""
    return build(out, "tools.deck", "--reveal", str(ensure_reveal()))
