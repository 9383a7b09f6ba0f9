"""Every notebook runs in a real JupyterLab in Chromium; each control of each view redraws it; and what JupyterLab
shows passes the accessibility audit (issue 29), keyboard included.

One page per notebook serves four tests, in order (the fixture `in_lab`; tests/xdist_plan.py keeps a notebook's
tests on one worker), so that JupyterLab opens and runs each notebook once:
1. the stored notebook, as opened: no serious or critical axe violation in its outputs (tests/a11y_audit.py), and
   each figure shows exactly the alt text stored with it (the course's extension sets it; tests/test_lab_alt.py shows
   JupyterLab alone would not); JupyterLab's own chrome is audited with the first notebook, and only reported;
2. Run All, save, and open as live RISE slides in the same page, as a teacher would: every slide is walked with
   Space; each live view fits its slide as it starts, redraws, and works by keyboard without turning the slide
   (tests/rise_slides.py); no console error, and no request leaves 127.0.0.1 from the moment the notebook opened;
3. back in JupyterLab (the notebook opened again on the same kernel, its views live): every view renders; every
   control is moved while the kernel is held busy, so the new picture can only come from the page's memory; the
   page sends the kernel the control's new value and nothing else (its comm messages are counted), and once the
   kernel is free it has the same values and the same picture as the page;
4. with the keyboard only, every control of every view is reached with Tab, moved with the arrow keys (a checkbox
   with Space) while the focus stays on it, shows a visible focus, and the view's picture follows (tests/keyboard.py).

The server runs on a temporary copy of notebooks/ (JupyterLab autosaves), so the working tree is
left as it was; screenshots and console logs go to artifacts/browser/, the server log to artifacts/lab/.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import rise_slides
from tests.a11y_audit import RESULTS, audit, explain, record, write_report
from tests.keyboard import keyboard_only, reached_controls
from tests.lab_fixtures import fresh_lab
from tests.test_lab_alt import LAB_IMAGES, shown_alts, stored_alts
from tools import labpage
from tools.labserver import ARTIFACTS, REPO_ROOT, listening_addresses

NOTEBOOKS = REPO_ROOT / "notebooks"
SHOTS = ARTIFACTS / "browser"
IN_CI = os.environ.get("CI", "").lower() == "true"
WIDGET_NOTEBOOKS = labpage.widget_notebooks(NOTEBOOKS)
# Every notebook of the course (the outputs audit is for all of them, views or not).
COURSE = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"


def shot_name(notebook: Path, step: str) -> Path:
    """Where a screenshot of `notebook` at `step` goes."""
    return SHOTS / f"{notebook.stem}--{step}.png"


# --- fixtures: one server and one browser for the whole module -------------------------------------


@pytest.fixture(scope="module")
def lab(shared_lab):
    """This process's JupyterLab from .venv (tests/lab_fixtures.py) on a fresh temporary copy of notebooks/."""
    return fresh_lab(shared_lab)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright; skipped locally (failed in CI) if missing."""
    executable = labpage.find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        if IN_CI:
            pytest.fail(labpage.INSTALL_HINT + " (CI=true: browser tests must run)")
        pytest.skip(labpage.INSTALL_HINT)
    with sync_playwright() as playwright:
        chromium = labpage.launch_chromium(playwright, executable)
        yield chromium
        chromium.close()
    write_report()


@pytest.fixture
def page(browser):
    """A fresh browser context and page, its console recorded."""
    context = browser.new_context(viewport=labpage.VIEWPORT)
    context.add_init_script(labpage.RECORD_SENT)
    page = context.new_page()
    page.console_log = labpage.ConsoleLog().attach(page)
    yield page
    context.close()


# --- the server ------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_server_refuses_requests_without_token(lab):
    status, _ = lab.request("/api/contents", with_token=False)
    assert status == 403, f"GET /api/contents without a token answered {status}, expected 403"
    assert lab.request("/api/contents")[0] == 200


@pytest.mark.timeout(300)
def test_server_listens_only_on_loopback(lab):
    assert listening_addresses(lab.port) == {"127.0.0.1"}


@pytest.mark.timeout(300)
def test_server_loads_the_project_settings(lab):
    # jupyter/overrides.json, copied by `make install`, turns the news question off ...
    status, plugin = lab.request("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert status == 200
    assert plugin["schema"]["properties"]["fetchNews"]["default"] == "false"
    assert plugin["schema"]["properties"]["checkForUpdates"]["default"] is False
    # ... and jupyter/jupyter_server_config.json gives the news feed no address to fetch from.
    assert lab.request("/lab/api/news") == (200, {"news": []})


def test_notebooks_with_widgets_are_found():
    assert WIDGET_NOTEBOOKS, f"no notebook in {NOTEBOOKS} stores a live widget view"


# --- every notebook in the browser: one page each, four tests in order -------------------------------------


@dataclass
class NotebookInLab:
    """A notebook open in JupyterLab, in its own page, for the tests below."""

    notebook: Path
    served: str
    page: object
    announcements: list[int]
    requests: list[str]
    ran: bool = False
    on_slides: bool = False  # the slides test takes the page from JupyterLab to the slides

    def live(self, lab) -> None:
        """Make sure the notebook has run (Run > Run All Cells, once) and JupyterLab shows its views live: after the
        slides, the notebook is opened again in JupyterLab, on the same kernel, and its views come back live."""
        views = labpage.live_view_count(self.notebook)
        if not self.ran:
            labpage.run_all_cells(self.page)
            labpage.wait_all_executed(self.page, lab, self.served)
            labpage.wait_widgets_settled(self.page, views)
            self.ran = True
        elif self.on_slides:
            self.page.set_viewport_size(labpage.VIEWPORT)
            self.page.console_log.entries.clear()  # the slides' part is written and checked by the slides test
            self.page.console_log.errors.clear()
            labpage.open_notebook(self.page, lab, self.served)
            labpage.wait_widgets_settled(self.page, views)
            self.on_slides = False


@pytest.fixture(scope="module", params=COURSE, ids=[p.name for p in COURSE])
def in_lab(request, lab, browser):
    """The notebook opened in JupyterLab in a fresh page (its console, requests and sent messages recorded), shared
    by the notebook's tests; its kernel shut down after them."""
    notebook = request.param
    served = f"notebooks/{notebook.name}"
    context = browser.new_context(viewport=labpage.VIEWPORT)
    context.add_init_script(labpage.RECORD_SENT)
    page = context.new_page()
    page.console_log = labpage.ConsoleLog().attach(page)
    announcements: list[int] = []
    page.on("response", lambda r: announcements.append(r.status) if "announcements" in r.url else None)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    in_lab = NotebookInLab(notebook, served, page, announcements, requests)
    try:
        labpage.open_notebook(page, lab, served)
        yield in_lab
    finally:
        if not in_lab.on_slides:  # (the slides test writes the slides' part)
            page.console_log.write(SHOTS / f"{notebook.stem}--console.log")
            with contextlib.suppress(Exception):  # a dead page must not hide a failure
                page.screenshot(path=shot_name(notebook, "99-last"), full_page=True)
        context.close()
        labpage.shut_down_kernel(lab, served)


@pytest.mark.timeout(600)
def test_notebook_outputs_in_jupyterlab_have_no_serious_violation(in_lab, axe_source):
    """The stored notebook as JupyterLab shows it: no serious or critical violation in its outputs, image-alt
    included, and each figure shows exactly the alt text stored with it, in order."""
    page, notebook = in_lab.page, in_lab.notebook
    assert not in_lab.ran, "the outputs audit is of the stored notebook: it must come before Run All"
    page.wait_for_selector(OUTPUTS, timeout=60_000)
    alts = shown_alts(page, LAB_IMAGES, len(stored_alts(notebook)))
    page.wait_for_timeout(1500)  # images decode, widgets without a kernel settle on their placeholder
    bad = record(f"lab outputs {notebook.stem}", audit(page, axe_source, {"include": [[OUTPUTS]]}))
    if notebook == COURSE[0]:  # JupyterLab's chrome is the same around every notebook: reported once
        record("lab chrome around a notebook (reported only)", audit(page, axe_source, {"exclude": [[OUTPUTS]]}))
    assert not bad, explain(bad)
    assert alts == stored_alts(notebook)


@pytest.mark.timeout(900)
def test_live_slides(lab, in_lab):
    """As a teacher would: Run All in JupyterLab, save, and open the notebook as live RISE slides in the same page
    (the slides join the same kernel). Before the other tests move any control, so that each slide shows its views
    as they start."""
    page, notebook = in_lab.page, in_lab.notebook
    in_lab.live(lab)
    views = labpage.live_view_count(notebook)
    labpage.save_notebook(page, lab, in_lab.served, views)
    errors = page.console_log.errors
    assert not errors, "browser console errors in JupyterLab (opening and running the notebook):\n" + "\n".join(errors)
    page.console_log.entries.clear()  # the slides' console from here
    page.console_log.errors.clear()
    in_lab.on_slides = True
    rise_slides.SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(rise_slides.SLIDE_SIZE)
    try:
        rise_slides.open_slides(page, lab, in_lab.served, views)
        checked_views = rise_slides.walk_slides(page, notebook)
        assert checked_views == views, f"{checked_views} slides with a live view checked, the notebook stores {views}"
        errors = rise_slides.unexpected_errors(page.console_log.errors)
        assert not errors, "browser console errors on the slides:\n" + "\n".join(errors)
    finally:
        page.console_log.write(rise_slides.SHOTS / f"{notebook.stem}--console.log")
        with contextlib.suppress(Exception):  # a dead page must not hide the failure above
            page.screenshot(path=rise_slides.SHOTS / f"{notebook.stem}--99-last.png")
    remote = [url for url in in_lab.requests if rise_slides.leaves_loopback(url, lab.base_url)]
    assert not remote, f"requests that leave 127.0.0.1: {remote}"


@pytest.mark.timeout(900)
def test_notebook_runs_and_its_sliders_redraw(lab, in_lab):
    page, notebook = in_lab.page, in_lab.notebook
    check_no_news_prompt(page, notebook, in_lab.announcements)

    in_lab.live(lab)
    views = labpage.live_view_count(notebook)
    page.screenshot(path=shot_name(notebook, "02-executed"), full_page=True)
    check_outputs(page, views)

    kernel = labpage.kernel_client(lab, in_lab.served)
    try:
        for index, view in enumerate(page.locator(labpage.WIDGET_VIEW).all()):
            check_controls_redraw(page, view, notebook, index, kernel)
    finally:
        kernel.stop_channels()

    errors = page.console_log.errors
    assert not errors, "browser console errors:\n" + "\n".join(errors)
    assert not labpage.news_prompt_shown(page)


@pytest.mark.timeout(900)
def test_every_control_of_every_view_works_by_keyboard_with_a_visible_focus(lab, in_lab):
    page, notebook = in_lab.page, in_lab.notebook
    in_lab.live(lab)
    errors_before = len(page.console_log.errors)
    views = page.locator(labpage.WIDGET_VIEW).all()
    assert views
    for index, view in enumerate(views):
        labpage.wait_pictures_settled(view.locator("img").first)  # the kernel has sent what it draws ahead
        reached, expected, problems = keyboard_only(page, view, index)
        RESULTS[f"keyboard, {notebook.stem} view {index}"] = {
            "counts": {"critical": 0, "serious": 0, "moderate": 0, "minor": 0},
            "violations": [],
            "reached": len(reached),
            "controls": expected,
            "problems": problems,
        }
        found = len(reached_controls(reached))
        assert found == expected, f"view {index}: Tab reached {found} of {expected} controls: {reached}"
        assert not problems, f"view {index}: {problems}"
    errors = page.console_log.errors[errors_before:]
    assert not errors, "browser console errors while walking the views by keyboard:\n" + "\n".join(errors)


def check_no_news_prompt(page, notebook: Path, announcements: list[int]) -> None:
    """No "get notified about official Jupyter news?" notification, once Lab has decided on it."""
    # The announcements plugin asks only after Lab is restored and its config section has loaded;
    # both have happened once the splash screen is gone and that request has been answered.
    page.wait_for_function("() => document.querySelector('#jupyterlab-splash') === null")
    for _ in range(300):
        if announcements:
            break
        page.wait_for_timeout(100)
    assert announcements[:1] == [200], f"announcements config request: {announcements or 'never made'}"
    page.screenshot(path=shot_name(notebook, "01-opened-no-news-prompt"))
    assert not labpage.news_prompt_shown(page), "JupyterLab asks about official Jupyter news"


def check_outputs(page, views: int) -> None:
    """Every widget view rendered, none is loading or broken, and no cell shows an error."""
    rendered = page.locator(labpage.WIDGET_VIEW)
    assert rendered.count() == views, f"{rendered.count()} widget views rendered, the notebook stores {views}"
    for index, view in enumerate(rendered.all()):
        shown = view.locator("img").evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        assert shown and all(shown), f"widget view {index} shows no image: {shown}"
    assert not labpage.outputs_containing(page, labpage.WIDGET_ERROR)
    assert not labpage.outputs_containing(page, labpage.WIDGET_LOADING)
    errors = labpage.error_outputs(page)
    assert not errors, "cells show errors or stderr:\n" + "\n---\n".join(errors)


# Holds the kernel busy until the file it names exists: while it waits, no message from the page is handled and
# no picture can come from the kernel.
HOLD_KERNEL = "import os as _os, time as _t\nwhile not _os.path.exists({flag!r}):\n    _t.sleep(0.02)"


def check_controls_redraw(page, view, notebook: Path, index: int, kernel) -> None:
    """Every slider, checkbox and dropdown of `view`, moved one step as a reader would, changes the picture.

    Each move happens while the kernel is held busy: the new picture comes from the page's memory, and the page
    sends no comm message but the control's new value. Then, with the kernel free, the kernel's values and
    picture for this view are the page's.
    """
    img = view.locator("img").first
    controls = labpage.view_controls(view)
    assert any(kind == "slider" for kind, _, _ in controls), f"widget view {index} has no slider: {controls}"
    view.scroll_into_view_if_needed()
    view.screenshot(path=shot_name(notebook, f"03-view{index}-before"))
    for kind, name, control in controls:
        labpage.wait_pictures_settled(img)  # the kernel has sent the pictures one step away
        old_src, old_pixels = labpage.image_src(img), img.screenshot()
        sent_before = len(labpage.sent_messages(page))
        with tempfile.TemporaryDirectory() as tmp:
            flag = Path(tmp) / "release"
            held = kernel.execute(HOLD_KERNEL.format(flag=str(flag)), store_history=False)
            try:
                before, after = labpage.move_control(page, kind, control)
                assert after != before, f"view {index}: moving {kind} {name!r} left its value at {before!r}"
                try:
                    labpage.wait_image_replaced(img, old_src)
                except Exception as error:  # Playwright's timeout names no control; say which one did not redraw
                    raise AssertionError(
                        f"view {index}: moving {kind} {name!r} with the kernel busy did not change the picture "
                        f"(not in the page's memory): {error}"
                    ) from None
                assert img.screenshot() != old_pixels, (
                    f"view {index}: moving {kind} {name!r} left the picture unchanged"
                )
                sent = [m for m in labpage.sent_messages(page)[sent_before:] if m["type"] == "comm_msg"]
            finally:
                flag.touch()
            reply = kernel.get_shell_msg(timeout=60)
            assert reply["parent_header"]["msg_id"] == held
        assert sent and all(m["method"] == "update" for m in sent), (
            f"view {index}: moving {kind} {name!r} sent the kernel more than the new value: {sent}"
        )
        check_kernel_agrees(img, kernel, f"view {index}, after moving {kind} {name!r}")
    view.screenshot(path=shot_name(notebook, f"04-view{index}-after"))


def check_kernel_agrees(img, kernel, where: str) -> None:
    """The kernel's view has the page's values (the key) and its picture is the one the page shows."""
    labpage.run_in_kernel(kernel, "pass")  # the page's updates, queued while the kernel was held, are handled
    uid, key, digest = labpage.page_picture(img)
    kernel_key, kernel_digest = labpage.kernel_pictures(kernel)[uid]
    assert key == kernel_key, f"{where}: the page shows the picture for {key}, the kernel's values are {kernel_key}"
    assert digest == kernel_digest, f"{where}: the page's picture for {key} is not the kernel's"
