"""Install the project's Jupyter settings into a Python environment: the server's and JupyterLab's.

Usage: python -m tools.jupyter_settings [PREFIX]   (PREFIX defaults to the running Python's sys.prefix)

`make lab` runs it for .venv, Binder's postBuild for its conda environment, and the README's set-up
without make for a plain venv on Windows: the server listens on 127.0.0.1 with a token, checks for
no news or updates, and JupyterLab never asks about news.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "jupyter"
TARGETS = {  # file in jupyter/ -> where it goes under the prefix
    # Not jupyter_server_config.d/: from there the server reads only which extensions to load.
    "jupyter_server_config.json": Path("etc", "jupyter", "jupyter_server_config.json"),
    "overrides.json": Path("share", "jupyter", "lab", "settings", "overrides.json"),
}
# Where earlier versions put the server settings, to no effect; removed so nobody is misled.
STALE = [Path("etc", "jupyter", "jupyter_server_config.d", "rnn-outputs.json")]


def install(prefix: Path) -> list[Path]:
    """Copy every settings file under prefix; returns the paths written."""
    written = []
    for relative in STALE:
        (prefix / relative).unlink(missing_ok=True)
    for name, relative in TARGETS.items():
        target = prefix / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / name, target)
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit(f"usage: python -m tools.jupyter_settings [PREFIX], not {' '.join(sys.argv[1:])!r}")
    for path in install(Path(sys.argv[1]) if len(sys.argv) == 2 else Path(sys.prefix)):
        print(f"wrote {path}")
