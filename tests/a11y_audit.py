"""The accessibility audit's tools (issue 29), shared by the modules that audit: axe-core in Chromium, and the report.

- tests/test_a11y_browser.py audits the static decks and the static HTML pages;
- tests/test_browser.py audits each notebook's outputs in JupyterLab and walks its views with the keyboard only, in
  the page where it runs the notebook anyway (one JupyterLab page per notebook, not three).

Goal: no serious or critical violation in what the course produces. The counts per page, by impact, go to
artifacts/a11y/report.md (and report.json): each test process writes its part (report-<process>.json) and merges
every part into the report; tests/conftest.py clears the parts at the start of a run.

axe-core, pinned in a11y/package-lock.json, is installed with `npm ci` into a11y/node_modules (git-ignored) by the
`axe_source` fixture, or `make a11y`.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.builds import locked, need
from tests.lab_fixtures import process_name
from tools.labserver import ARTIFACTS, REPO_ROOT

AXE_DIR = REPO_ROOT / "a11y"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ARTIFACTS / "a11y"
BLOCKING = ("serious", "critical")
# What this process found, by page (written into the report when a module that audits is done).
RESULTS: dict[str, dict] = {}


def axe_script() -> str:
    """axe-core's script, installed from the lock file the first time (npm ci, one process at a time); tests get it
    from the `axe_source` fixture (tests/conftest.py)."""
    with locked("axe"):
        if not AXE_JS.exists():
            need(
                shutil.which("npm") is not None, "the audit needs npm to install axe-core (`sudo apt-get install npm`)"
            )
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=AXE_DIR,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return AXE_JS.read_text()


def audit(page, axe_source: str, context: object = None) -> list[dict]:
    """Run axe on the page (or on `context`, axe's include/exclude) and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (context) => {
            const r = await axe.run(context || document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""",
        context,
    )


def counts(violations: list[dict]) -> dict[str, int]:
    """Violating elements by impact."""
    found = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for v in violations:
        found[v["impact"] or "minor"] += v["nodes"]
    return found


def record(name: str, violations: list[dict], **extra) -> list[dict]:
    """Keep a page's violations for the report; return the blocking ones."""
    RESULTS[name] = {"counts": counts(violations), "violations": violations, **extra}
    return [v for v in violations if v["impact"] in BLOCKING]


def explain(bad: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) on {v['nodes']} elements, e.g. {v['targets']}" for v in bad
    )


def write_report() -> None:
    """This process's results into report-<process>.json, then report.json and report.md from every process's part."""
    if not RESULTS:
        return
    REPORT.mkdir(parents=True, exist_ok=True)
    with locked("a11y-report"):
        (REPORT / f"report-{process_name()}.json").write_text(json.dumps(RESULTS, indent=1))
        merged: dict[str, dict] = {}
        for part in sorted(REPORT.glob("report-*.json")):
            merged.update(json.loads(part.read_text()))
        _write_merged(merged)


def _write_merged(results: dict[str, dict]) -> None:
    (REPORT / "report.json").write_text(json.dumps(results, indent=1))
    lines = [
        "# axe-core audit (tests/test_a11y_browser.py: decks and pages; tests/test_browser.py: JupyterLab)",
        "",
        "| page | critical | serious | moderate | minor | rules |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in sorted(results.items()):
        c = r["counts"]
        rules = ", ".join(sorted({f"{v['id']} ({v['impact']})" for v in r["violations"]}))
        lines.append(f"| {name} | {c['critical']} | {c['serious']} | {c['moderate']} | {c['minor']} | {rules} |")
    (REPORT / "report.md").write_text("\n".join(lines) + "\n")
