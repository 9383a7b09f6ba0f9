"""Shared test set-up: a Hypothesis profile that writes nothing and repeats exactly."""

from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent

# database=None: no .hypothesis/ folder, so a test run leaves the working tree unchanged.
# derandomize=True: the same examples on every run, so CI cannot flake on a rare draw.
settings.register_profile("repo", database=None, derandomize=True, deadline=None)
settings.load_profile("repo")


@pytest.fixture
def repo() -> Path:
    """The repository root, whatever folder pytest was started from."""
    return REPO
