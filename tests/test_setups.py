"""The other set-ups get the same Jupyter settings as `make lab`: a plain venv, conda, and Binder's postBuild."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tools import jupyter_settings

REPO = Path(__file__).resolve().parent.parent


def installed(prefix: Path) -> dict[str, Path]:
    return {name: prefix / relative for name, relative in jupyter_settings.TARGETS.items()}


def test_the_module_installs_every_settings_file(tmp_path):
    written = jupyter_settings.install(tmp_path)
    assert sorted(written) == sorted(installed(tmp_path).values())
    for name, path in installed(tmp_path).items():
        assert filecmp.cmp(REPO / "jupyter" / name, path, shallow=False)


def test_binder_post_build_installs_the_same_settings(tmp_path):
    post_build = REPO / "postBuild"
    assert os.access(post_build, os.X_OK)
    env = {
        **os.environ,
        "NB_PYTHON_PREFIX": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run([str(post_build)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name, path in installed(tmp_path).items():
        assert filecmp.cmp(REPO / "jupyter" / name, path, shallow=False)


def test_binder_finds_its_files_at_the_root():
    # repo2docker reads binder/ or .binder/ instead of the root when either exists
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists()
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    assert environment["name"] and environment["dependencies"]


def test_readme_opens_binder_and_conda_on_the_start_page():
    readme = (REPO / "README.md").read_text()
    assert "urlpath=lab/tree/notebooks/00_start_here.ipynb" in readme
    assert "jupyter lab notebooks/00_start_here.ipynb" in readme
    assert "python -m tools.jupyter_settings" in readme


def test_make_test_runs_the_linters_first():
    makefile = (REPO / "Makefile").read_text()
    assert "\ntest: lint\n" in makefile
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check ." in lint and "ruff format --check ." in lint
