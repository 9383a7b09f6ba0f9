"""Shared test set-up: Hypothesis repeats exactly and writes nothing into the working tree."""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO = Path(__file__).resolve().parent.parent

# database=None: no example database. derandomize=True: the same examples on every run,
# so CI cannot flake on a rare draw.
settings.register_profile("repo", database=None, derandomize=True, deadline=None)
settings.load_profile("repo")

# Hypothesis also caches constants it reads from our source under ./.hypothesis/, database
# or not; point its home at a temporary folder so that a test run leaves the tree unchanged.
HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="hypothesis-home-"))
set_hypothesis_home_dir(HYPOTHESIS_HOME)


def pytest_unconfigure(config):
    shutil.rmtree(HYPOTHESIS_HOME, ignore_errors=True)


@pytest.fixture
def repo() -> Path:
    """The repository root, whatever folder pytest was started from."""
    return REPO
