"""One JupyterLab per test process, shared by the browser modules (tests/conftest.py imports the fixture).

Starting JupyterLab costs seconds of CPU on a small machine; `make test` runs the suite in several processes
(pytest-xdist), and each of them starts this server once, the first time a browser module needs it, and stops it
at the end. A module asks for `fresh_lab(shared_lab)`: the served copy of notebooks/ is laid anew first, so the
module starts from the stored notebooks, as it would on a server of its own (tests shut their kernels down).
The server log goes to artifacts/lab/<process>/, one folder per xdist worker, so two servers never share a file.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tools.labserver import ARTIFACTS, REPO_ROOT, LabServer, running_lab

NOTEBOOKS = REPO_ROOT / "notebooks"


def process_name() -> str:
    """This pytest process's name: the xdist worker's id (gw0, gw1...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def shared_lab():
    """JupyterLab from .venv on a temporary copy of notebooks/, for every browser module this process runs."""
    with running_lab({"notebooks": NOTEBOOKS}, log_dir=ARTIFACTS / "lab" / process_name()) as server:
        yield server


def fresh_lab(server: LabServer) -> LabServer:
    """`server` with its copy of notebooks/ laid anew from the stored notebooks (what JupyterLab saved is gone)."""
    served = server.root_dir / "notebooks"
    shutil.rmtree(served)
    shutil.copytree(NOTEBOOKS, served, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return server
