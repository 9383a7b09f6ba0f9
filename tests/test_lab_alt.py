"""JupyterLab and the live slides show each stored figure with the alt text stored in its output's metadata (issue 29).

JupyterLab 4.6.6's image renderer ignores `{"image/png": {"alt": ...}}`; the course's extension
(labextensions/rnn-lab-console-share, its alt-text plugin, installed by `make install`) sets it on the <img>. This
checks, in Chromium, that the RISE slides page (/rise/...), which loads the lab extensions too, shows each figure with
exactly the stored text, in the stored order, and that JupyterLab without the plugin shows none. The same check in
JupyterLab, for every notebook, is part of the accessibility audit of JupyterLab (tests/test_browser.py), which
opens each notebook anyway.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.builds import need
from tests.lab_fixtures import fresh_lab
from tools import labpage
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOTEBOOK = NOTEBOOKS[0]  # 00_start_here: three figures
LAB_IMAGES = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedImage img"  # the output element is the renderer
RISE_IMAGES = ".reveal .jp-RenderedImage img"
PLUGIN = "rnn-lab-console-share:alt-text"
CONFIG = re.compile(r'(<script id="jupyter-config-data" type="application/json">)(.*?)(</script>)', re.S)


@pytest.fixture(scope="module")
def browser():
    yield from labpage.chromium_for_tests(need)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=labpage.VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def lab(shared_lab):
    """This process's JupyterLab (tests/lab_fixtures.py) on a fresh copy of the stored notebooks."""
    return fresh_lab(shared_lab)


def stored_alts(path: Path) -> list[str]:
    """The alt text of each PNG the notebook stores, in order (a PNG without one counts as "")."""
    nb = json.loads(path.read_text())
    return [
        output.get("metadata", {}).get("image/png", {}).get("alt", "")
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]


def shown_alts(page, selector: str, count: int) -> list[str | None]:
    """The alt attribute of each <img> that `selector` finds, once the page shows `count` of them."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[selector, count], timeout=60_000
    )
    return page.locator(selector).evaluate_all("imgs => imgs.map(img => img.getAttribute('alt'))")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_stores_alt_text_for_every_figure(notebook):
    """The browser tests below compare with something: figures, each with its text (00 has several)."""
    alts = stored_alts(notebook)
    assert len(alts) >= (2 if notebook == NOTEBOOK else 1) and all(len(alt.split()) >= 5 for alt in alts), alts


# That JupyterLab shows each notebook's figures with exactly these texts is checked where the accessibility audit
# opens each notebook anyway (tests/test_browser.py, test_notebook_outputs_in_jupyterlab_have_...).


@pytest.mark.timeout(600)
def test_live_slides_show_the_stored_alt_text(lab, page):
    served = f"notebooks/{NOTEBOOK.name}"
    expected = stored_alts(NOTEBOOK)
    try:
        page.goto(f"{lab.base_url}/rise/{served}?token={lab.token}")
        page.wait_for_selector(".reveal .slides section.present", state="attached", timeout=120_000)
        assert shown_alts(page, RISE_IMAGES, len(expected)) == expected
    finally:
        labpage.shut_down_kernel(lab, served)


def without_plugin(page, plugin: str) -> None:
    """Serve JupyterLab's pages to `page` with `plugin` among the page config's disabled extensions."""

    def handle(route):
        response = route.fetch()
        html = response.text()
        found = CONFIG.search(html)
        assert found, "JupyterLab's page has no jupyter-config-data"
        config = json.loads(found.group(2))
        config["disabledExtensions"] = [*config.get("disabledExtensions", []), plugin]
        route.fulfill(response=response, body=html[: found.start(2)] + json.dumps(config) + html[found.end(2) :])

    page.route(re.compile(r".*/lab/tree/.*"), handle)


@pytest.mark.timeout(600)
def test_without_the_plugin_jupyterlab_drops_the_alt_text(lab, page):
    """Why the plugin exists, and proof that the alt text above comes from it: the same page with the plugin disabled
    shows each figure with no alt. The day this fails, JupyterLab reads the stored alt itself: drop the plugin."""
    served = f"notebooks/{NOTEBOOK.name}"
    without_plugin(page, PLUGIN)
    try:
        page.goto(lab.lab_url(served))
        assert shown_alts(page, LAB_IMAGES, len(stored_alts(NOTEBOOK))) == [None] * len(stored_alts(NOTEBOOK))
        disabled = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)")
        assert PLUGIN in disabled["disabledExtensions"]
    finally:
        labpage.shut_down_kernel(lab, served)
