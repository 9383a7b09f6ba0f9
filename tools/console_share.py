"""Build the small JupyterLab extension that lets ipywidgets render on RISE slides and shows alt text, and install it.

Usage: python -m tools.console_share [PREFIX]   (PREFIX defaults to the running Python's sys.prefix)

RISE (jupyterlab-rise) shows a notebook as slides on its own page, /rise/<path>, a separate webpack
app that shares only the packages its bundled plugins use. The ipywidgets manager needs
@jupyterlab/console from that shared scope, and the page has none, so no widget renders there
(jupyterlab-contrib/rise issue 119). labextensions/rnn-lab-console-share bundles @jupyterlab/console
4.3.4 (the JupyterLab release RISE 0.43.1 is built from) and offers it to the shared scope. JupyterLab
itself keeps its own copy: for a shared singleton, webpack takes the highest version offered, 4.6.6.

Its second plugin (rnn-lab-console-share:alt-text) gives each picture of an output the alt text stored in the
output's metadata (`{"image/png": {"alt": ...}}`), which JupyterLab 4.6.6's image renderer ignores: it wraps the
image and SVG renderer factories of the page's IRenderMimeRegistry (@jupyterlab/rendermime, shared by JupyterLab
and by the RISE page, not bundled), in JupyterLab and on the live slides alike (tests/test_lab_alt.py).

`make install` runs this for .venv and Binder's postBuild for its environment. It needs node and npm;
npm installs the pinned build tools (package-lock.json) into the extension's node_modules/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "labextensions" / "rnn-lab-console-share"
NAME = "rnn-lab-console-share"
BUILDER = Path("node_modules", "@jupyterlab", "builder", "lib", "build-labextension.js")


def core_path() -> Path:
    """JupyterLab's own package metadata (its `staging` folder), which the builder reads the shared packages from."""
    import jupyterlab

    return Path(jupyterlab.__file__).resolve().parent / "staging"


def build(source: Path = SOURCE) -> Path:
    """npm ci, then the JupyterLab builder; returns the built extension folder (source/labextension)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise SystemExit("tools.console_share needs node and npm (e.g. `sudo apt-get install nodejs npm`)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=source, check=True)
    done = subprocess.run(
        [node, str(BUILDER), "--core-path", str(core_path()), "."], cwd=source, capture_output=True, text=True
    )
    if done.returncode != 0:  # webpack's report is long: show it only when the build fails
        raise SystemExit(f"building {source} failed:\n{done.stdout}{done.stderr}")
    return source / "labextension"


def install(prefix: Path, built: Path) -> Path:
    """Copy the built extension to PREFIX/share/jupyter/labextensions/<name>, replacing an older copy."""
    target = prefix / "share" / "jupyter" / "labextensions" / NAME
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built, target)
    return target


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit(f"usage: python -m tools.console_share [PREFIX], not {' '.join(sys.argv[1:])!r}")
    prefix = Path(sys.argv[1]) if len(sys.argv) == 2 else Path(sys.prefix)
    print(f"installed {install(prefix, build())}")
