"""Root conftest: loaded for tests/ and notebooks/ alike, so the figure check covers every notebook cell and
pytest-xdist keeps each notebook's cells on one worker (tests/xdist_plan.py).

One thread per process for torch, set before anything imports it, and inherited by every kernel, JupyterLab and
tool the tests start: the suite runs in parallel (a worker per core), and the course's tensors are tiny, so a
second thread only spins. Measured here: notebook 08's small experiment took 74 CPU seconds with two threads and 5
with one, and strict nbval over the ten notebooks gives the same outputs either way.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

pytest_plugins = ("tools.figure_check", "tests.xdist_plan")
