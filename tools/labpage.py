"""Drive JupyterLab pages in Debian's Chromium through Playwright (browser tests and benchmark)."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.execute_notebooks import PLACEHOLDER
from tools.execute_notebooks import WIDGET_VIEW as WIDGET_MIME
from tools.labserver import LabServer

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM} (or $CHROMIUM): install it with "
    "`sudo apt-get install chromium`, or run `.ci/run` as root"
)
# Playwright's own browser download does not work here, so it launches Debian's Chromium.
# Playwright gives every launch a new, empty, temporary user-data-dir (it refuses one in args).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1000}

# A widget output is a Lumino panel without a data-mime-type; its child is the top-level view.
WIDGET_VIEW = ".jp-OutputArea-output:has(> .jupyter-widgets)"
WIDGET_LOADING = "Loading widget"
WIDGET_ERROR = "Error displaying widget"
# JupyterLab renders both error outputs and stderr streams with this MIME type.
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
NEWS_PROMPT = "official Jupyter news"


def _outputs(path: Path) -> list[dict]:
    """Every output of every code cell of a notebook file."""
    nb = nbformat.read(path, as_version=4)
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def live_view_count(path: Path) -> int:
    """How many live widget views a stored notebook shows (as views or as the placeholder)."""
    return sum(
        WIDGET_MIME in out.get("data", {}) or out.get("data", {}).get("text/plain") == PLACEHOLDER
        for out in _outputs(path)
    )


def saved_view_count(path: Path) -> int:
    """How many widget views (not placeholders) a notebook file holds: what a slides page can bring back to life."""
    return sum(WIDGET_MIME in out.get("data", {}) for out in _outputs(path))


def widget_notebooks(folder: Path) -> list[Path]:
    """The notebooks in `folder` that show at least one live widget view."""
    return [path for path in sorted(folder.glob("*.ipynb")) if live_view_count(path) > 0]


def find_chromium() -> str | None:
    """Path of the Chromium executable ($CHROMIUM, then /usr/bin/chromium, then PATH), or None."""
    for candidate in (os.environ.get("CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch_chromium(playwright, executable: str):
    """Start a headless Chromium with the flags above."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)


@dataclass
class ConsoleLog:
    """Console messages and uncaught exceptions of one page."""

    entries: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page) -> ConsoleLog:
        """Start recording `page`."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        return self

    def _on_console(self, msg) -> None:
        where = msg.location.get("url", "") if msg.location else ""
        line = f"[{msg.type}] {msg.text} ({where})"
        self.entries.append(line)
        if msg.type == "error":
            self.errors.append(line)

    def write(self, path: Path) -> None:
        """Save everything seen, for people to read after a failure."""
        path.write_text("\n".join(self.entries + self.errors) + "\n")


def open_notebook(page, lab: LabServer, notebook: str, timeout: float = 120) -> None:
    """Open `notebook` (path under the served root) and wait until its kernel is connected and idle."""
    page.goto(lab.lab_url(notebook))
    # Earlier notebooks stay open as hidden tabs: wait for a cell of the visible panel only.
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", timeout=timeout * 1000)
    wait_kernel_idle(page, lab, notebook, timeout)


def _kernel_state(lab: LabServer, notebook: str) -> tuple[str | None, int]:
    """(execution_state, connections) of the kernel the server runs for `notebook`."""
    status, sessions = lab.request("/api/sessions")
    if status != 200 or not isinstance(sessions, list):
        return None, 0
    for session in sessions:
        if session.get("path") == notebook and session.get("kernel"):
            kernel = session["kernel"]
            return kernel.get("execution_state"), kernel.get("connections", 0)
    return None, 0


def shut_down_kernel(lab: LabServer, notebook: str) -> None:
    """Delete the session of `notebook`, stopping its kernel (frees the CPU for the next one)."""
    status, sessions = lab.request("/api/sessions")
    for session in sessions if status == 200 and isinstance(sessions, list) else []:
        if session.get("path") == notebook:
            lab.request(f"/api/sessions/{session['id']}", method="DELETE")


def wait_kernel_idle(page, lab: LabServer, notebook: str, timeout: float = 120) -> None:
    """Wait until the server says the kernel is idle with a client attached, and the page agrees.

    The toolbar indicator alone is not enough: it reads "idle" for a moment before the kernel
    has even started, so the server's view is checked as well.
    """
    deadline = time.monotonic() + timeout
    indicator = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]'
    while time.monotonic() < deadline:
        state, connections = _kernel_state(lab, notebook)
        if state == "idle" and connections > 0 and page.locator(indicator).count() > 0:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"kernel for {notebook} not idle after {timeout:.0f} s: {_kernel_state(lab, notebook)}")


def run_all_cells(page) -> None:
    """Run > Run All Cells, from the menu bar.

    The menu is what a reader uses, and it needs no extra server flag such as
    --LabApp.expose_app_in_browser, so the server runs with exactly the project's settings.
    """
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def wait_all_executed(page, lab: LabServer, notebook: str, timeout: float = 600) -> None:
    """Wait until every code cell has an execution count (none queued) and the kernel is idle."""
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        timeout=timeout * 1000,
        polling=200,
    )
    wait_kernel_idle(page, lab, notebook, timeout)


def save_notebook(page, lab: LabServer, notebook: str, views: int, timeout: float = 60) -> None:
    """File > Save Notebook, then wait until the file on the server holds the `views` widget views just made.

    The page alone cannot prove the save: JupyterLab marks a dirty notebook on its tab, and a page that
    moves on straight after asking loses a save still in flight. The slides page reads the file, so the
    file is what is checked.
    """
    page.locator(".lm-MenuBar-item", has_text="File").first.click()
    page.locator('.lm-Menu-item[data-command="docmanager:save"]').click()
    path = lab.root_dir / notebook
    deadline = time.monotonic() + timeout
    found = 0
    while time.monotonic() < deadline:
        try:
            found = saved_view_count(path)
        except (OSError, ValueError):  # being written
            found = 0
        dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()
        if found == views and not dirty:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(
        f"{notebook} was not saved within {timeout:.0f} s: the file holds {found} of its {views} widget views"
    )


def wait_widgets_settled(page, expected: int, timeout: float = 120) -> None:
    """Wait until at least `expected` widget views exist and no output still says "Loading widget"."""
    page.wait_for_function(
        """([view, loading, expected]) => {
            const outs = [...document.querySelectorAll('.jp-OutputArea-output')];
            return document.querySelectorAll(view).length >= expected
                && outs.every(o => !o.textContent.includes(loading));
        }""",
        arg=[WIDGET_VIEW, WIDGET_LOADING, expected],
        timeout=timeout * 1000,
        polling=200,
    )


def next_frames(page, frames: int = 2) -> None:
    """Return once the page has drawn `frames` more frames: the layout and paint of a change made before are done
    (a fixed sleep would wait longer or, on a loaded machine, not long enough)."""
    page.evaluate(
        "(n) => new Promise(done => { const step = (k) => k ? requestAnimationFrame(() => step(k - 1)) : done();"
        " step(n); })",
        frames,
    )


def outputs_containing(page, text: str) -> list[str]:
    """Texts of the cell outputs that contain `text`."""
    return page.locator(".jp-OutputArea-output", has_text=text).all_inner_texts()


def error_outputs(page) -> list[str]:
    """Texts of cell outputs that show an error or anything on stderr."""
    return page.locator(ERROR_OUTPUT).all_inner_texts()


def news_prompt_shown(page) -> bool:
    """Whether the "get notified about official Jupyter news?" notification is on the page."""
    return page.get_by_text(NEWS_PROMPT).count() > 0


def image_src(img) -> str:
    """The current `src` of an <img> locator."""
    return img.evaluate("el => el.src")


# A view's picture on show, followed from the <img> a locator found: page.js puts each held picture (its own decoded
# <img>) in place of the one on show, so the element found may leave the page; its parent keeps the one on show.
ON_SHOW = "const holder = el.parentElement, onShow = () => (holder && holder.querySelector('img')) || el;"


def press_slider(page, handle, key: str) -> None:
    """Focus a noUiSlider handle and press `key` on it."""
    handle.focus()
    page.keyboard.press(key)


def wait_image_replaced(img, old_src: str, timeout: float = 60) -> str:
    """Wait until the view shows a decoded image from a different src than `old_src`; return the new src.

    `img` locates the view's <img>; the wait follows the picture on show (ON_SHOW), whichever element it is.
    """
    return img.evaluate(
        """async (el, [old, timeout]) => {
            ON_SHOW
            const t0 = performance.now();
            while (onShow().src === old || !onShow().complete || onShow().naturalWidth === 0) {
                if (performance.now() - t0 > timeout)
                    throw new Error(`the image was not replaced within ${timeout} ms of the key press`);
                await new Promise(r => setTimeout(r, 20));
            }
            const shown = onShow();
            await shown.decode();
            return shown.src;
        }""".replace("ON_SHOW", ON_SHOW),
        [old_src, timeout * 1000],
    )


# --- the controls of a widget view: every slider, checkbox and dropdown ----------------------------------------

SLIDER_HANDLE = ".widget-slider .noUi-handle"
CHECKBOX = ".widget-checkbox input[type=checkbox]"
DROPDOWN = ".widget-dropdown select"
CONTROL_KINDS = {"slider": SLIDER_HANDLE, "checkbox": CHECKBOX, "dropdown": DROPDOWN}
# The control's own label, found from the element that is moved.
_NAME = {
    "slider": "el => el.closest('.widget-slider').querySelector('.widget-label').textContent",
    "checkbox": "el => el.closest('.widget-checkbox').textContent",
    "dropdown": "el => el.closest('.widget-dropdown').querySelector('.widget-label').textContent",
}


def view_controls(view) -> list[tuple[str, str, object]]:
    """(kind, name, locator) of every slider handle, checkbox and dropdown inside one widget view."""
    found = []
    for kind, selector in CONTROL_KINDS.items():
        for control in view.locator(selector).all():
            found.append((kind, control.evaluate(_NAME[kind]).strip(), control))
    return found


def control_value(kind: str, control) -> str:
    """What the page shows as the control's value: a slider's aria-valuenow, checked or not, the selected option."""
    if kind == "slider":
        return control.get_attribute("aria-valuenow")
    if kind == "checkbox":
        return str(control.is_checked())
    return control.evaluate("el => el.options[el.selectedIndex].textContent")


def move_control(page, kind: str, control) -> tuple[str, str]:
    """Move one control one step as a reader would (arrow key, click, pick another option); (before, after)."""
    before = control_value(kind, control)
    if kind == "slider":
        value, top = float(before), float(control.get_attribute("aria-valuemax"))
        press_slider(page, control, "ArrowRight" if value < top else "ArrowLeft")
    elif kind == "checkbox":
        control.click()
    else:
        count, index = control.evaluate("el => [el.options.length, el.selectedIndex]")
        control.select_option(index=index + 1 if index + 1 < count else index - 1)
    return before, control_value(kind, control)


# --- what the page sends the kernel --------------------------------------------------------------------------

# Added before JupyterLab loads: every message the page sends on a kernel websocket is decoded (the v1 kernel
# websocket protocol: a count and offsets, 8-byte little-endian, then the channel, header, parent header,
# metadata and content as JSON) and kept in window.__sent as {type, method, data}, so a test can count the
# comm messages for a move: a control's new value ("update") and anything a view asks for ("custom").
RECORD_SENT = """(() => {
    const Native = window.WebSocket;
    window.__sent = [];
    const decode = (data) => {
        try {
            if (typeof data === 'string') {
                const m = JSON.parse(data);
                return {type: m.header.msg_type, content: m.content};
            }
            const buffer = data instanceof ArrayBuffer ? data : data.buffer;
            const view = new DataView(buffer), offset = (i) => Number(view.getBigUint64(8 * (i + 1), true));
            const part = (i) => JSON.parse(new TextDecoder().decode(buffer.slice(offset(i), offset(i + 1))));
            return {type: part(1).msg_type, content: part(4)};
        } catch (e) { return {type: 'unreadable', content: {}}; }
    };
    window.WebSocket = class extends Native {
        send(data) {
            const m = decode(data);
            const d = (m.content && m.content.data) || {};
            window.__sent.push({type: m.type, method: d.method || null, comm: m.content.comm_id || null,
                                data: d.method === 'custom' ? d.content : (d.state || null)});
            return super.send(data);
        }
    };
})();"""


def sent_messages(page) -> list[dict]:
    """The messages the page has sent its kernels so far (see RECORD_SENT), oldest first."""
    return page.evaluate("() => window.__sent || []")


# --- the kernel behind a page, from Python ------------------------------------------------------------------


def kernel_client(lab: LabServer, notebook: str):
    """A started jupyter_client BlockingKernelClient on the kernel the server runs for `notebook`.

    running_lab keeps Jupyter's runtime files (the kernels' connection files) in state/runtime beside the root.
    """
    from jupyter_client import BlockingKernelClient

    status, sessions = lab.request("/api/sessions")
    ids = [s["kernel"]["id"] for s in sessions if s.get("path") == notebook and s.get("kernel")]
    if status != 200 or not ids:
        raise RuntimeError(f"no kernel runs for {notebook}")
    client = BlockingKernelClient()
    client.load_connection_file(lab.root_dir.parent / "state" / "runtime" / f"kernel-{ids[0]}.json")
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return client


def run_in_kernel(client, code: str, timeout: float = 120) -> str:
    """Run code in the kernel; return what it printed; raise if it failed."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            printed.append(msg["content"]["text"])

    reply = client.execute_interactive(code, timeout=timeout, output_hook=hook, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    return "".join(printed)


# What the kernel shows: for every slider view, by its page widget's uid, the key of its values and a hash of
# its picture as the data: URL the page shows.
KERNEL_PICTURES = """
import hashlib as _h, json as _j
from ipywidgets.widgets.widget import _instances as _w
from helpers.views.base import SliderView as _S, png_data_url as _u
print(_j.dumps({v.image.uid: [v.key(), _h.sha1(_u(v.png)).hexdigest()] for v in list(_w.values()) if isinstance(v, _S)}))
"""


def kernel_pictures(client) -> dict[str, list[str]]:
    """{uid: [key, sha1 of the picture's data: URL]} for every slider view in the kernel (KERNEL_PICTURES)."""
    import json

    return json.loads(run_in_kernel(client, KERNEL_PICTURES).strip().splitlines()[-1])


def page_picture(img) -> list[str]:
    """[uid, key, sha1 of the src] of a view's picture on the page."""
    import hashlib

    uid, key, src = img.evaluate("el => [el.dataset.uid, el.dataset.key, el.src]")
    return [uid, key, hashlib.sha1(src.encode()).hexdigest()]


def wait_pictures_settled(img, quiet_ms: int = 800, timeout: float = 60) -> int:
    """Wait until the page holds no new picture for `quiet_ms` (the kernel has sent what it draws ahead).

    `img` locates the view's <img>; the count (data-held) is read from the picture on show (ON_SHOW).
    """
    return img.evaluate(
        """async (el, [quiet, timeout]) => {
            ON_SHOW
            const t0 = performance.now();
            let held = onShow().dataset.held, since = performance.now();
            while (performance.now() - since < quiet && performance.now() - t0 < timeout) {
                await new Promise(r => setTimeout(r, 50));
                const now = onShow().dataset.held;
                if (now !== held) { held = now; since = performance.now(); }
            }
            return Number(held);
        }""".replace("ON_SHOW", ON_SHOW),
        [quiet_ms, timeout * 1000],
    )


def chromium_for_tests(need):
    """Yield a launched Chromium for a test module's fixture; need(ok, hint) skips or fails (under CI) without one."""
    executable = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    need(executable is not None, INSTALL_HINT)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, executable)
        yield chromium
        chromium.close()
