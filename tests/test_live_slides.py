"""The parts of the live RISE slides' walk (tests/rise_slides.py) that need no browser; the walk itself runs in
tests/test_browser.py (test_live_slides), in the page where the notebook has run in JupyterLab."""

from __future__ import annotations

from tests.rise_slides import leaves_loopback, unexpected_errors
from tools import labpage
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_unexpected_errors_keeps_other_errors():
    errors = [
        "[error] RangeError: Maximum call stack size exceeded (http://127.0.0.1:5/static/rise/4437.bundle.js)",
        "[error] Refused to apply style from 'http://127.0.0.1:5/files/notebooks/01_output_vs_h_n.css' because",
        "[error] Refused to apply style from 'http://127.0.0.1:5/files/notebooks/rise.css' because",
        "[error] Error: Shared module @jupyterlab/console doesn't exist in shared scope default",
    ]
    assert unexpected_errors(errors) == errors[2:]
    assert leaves_loopback("https://fonts.googleapis.com/css?family=Lato", "http://127.0.0.1:5")
    assert not leaves_loopback("http://127.0.0.1:5/static/rise/bundle.js", "http://127.0.0.1:5")


def test_only_a_saved_run_meets_the_save_wait():
    """The stored notebooks hold placeholders, not views: save_notebook's wait is met by a real save alone."""
    stored = {p.name: (labpage.live_view_count(p), labpage.saved_view_count(p)) for p in NOTEBOOKS}
    assert all(live > 0 for live, _ in stored.values()), stored
    assert all(saved == 0 for _, saved in stored.values()), stored
