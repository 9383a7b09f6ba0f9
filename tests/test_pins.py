"""environment.yml, pyproject.toml and requirements.lock list the same packages; CI and `make lab` are safe."""

import json
import os
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

TORCH = "2.13.0"
PLATFORM_MARKERS = {"sys_platform", "os_name", "platform_system"}


@pytest.fixture
def pyproject(repo):
    return tomllib.loads((repo / "pyproject.toml").read_text())


@pytest.fixture
def environment(repo):
    return yaml.safe_load((repo / "environment.yml").read_text())


@pytest.fixture
def lock(repo):
    """{canonical name: version} from requirements.lock."""
    pins = {}
    for line in (repo / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==" and not req.extras, line
        # A marker may only say which platform needs a package (see tests/test_platforms.py).
        assert not req.marker or set(re.findall(r"[a-z_]+(?=\s*[=!<>])", str(req.marker))) <= PLATFORM_MARKERS, line
        name = canonicalize_name(req.name)
        assert name not in pins, f"{req.name} is pinned twice in requirements.lock"
        pins[name] = spec.version
    return pins


def pyproject_requirements(pyproject):
    deps = list(pyproject["project"]["dependencies"])
    for extra in pyproject["project"].get("optional-dependencies", {}).values():
        deps.extend(extra)
    return [Requirement(d) for d in deps]


def pip_section(environment):
    sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip section"
    return sections[0]


def environment_requirements(environment):
    """The pip section's packages, without its options (-e ., -c, --extra-index-url)."""
    return [Requirement(line) for line in pip_section(environment) if not line.startswith("-")]


def test_same_packages_in_pyproject_and_environment(pyproject, environment):
    in_pyproject = sorted(canonicalize_name(r.name) for r in pyproject_requirements(pyproject))
    in_environment = sorted(canonicalize_name(r.name) for r in environment_requirements(environment))
    assert len(in_pyproject) == len(set(in_pyproject)), in_pyproject
    assert in_pyproject == in_environment


def test_environment_pins_equal_the_lock(environment, lock):
    for req in environment_requirements(environment):
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"environment.yml: pin {req} with =="
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is in environment.yml but not in requirements.lock"
        assert Version(specs[0].version) == Version(lock[name]), f"{req.name}: {specs[0].version} != lock {lock[name]}"


def test_lock_satisfies_every_pyproject_specifier(pyproject, lock):
    for req in pyproject_requirements(pyproject):
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(lock[name], prereleases=True), f"lock has {req.name}=={lock[name]}, not {req}"


def test_torch_is_pinned_to_the_same_version_everywhere(pyproject, environment, lock):
    torch_in_pyproject = [r for r in pyproject_requirements(pyproject) if r.name == "torch"]
    torch_in_environment = [r for r in environment_requirements(environment) if r.name == "torch"]
    assert [str(r.specifier) for r in torch_in_pyproject] == [f"=={TORCH}"]
    assert [str(r.specifier) for r in torch_in_environment] == [f"=={TORCH}"]
    assert lock["torch"] == TORCH


def test_environment_uses_conda_forge_python_311_and_installs_the_package(environment):
    assert environment["channels"] == ["conda-forge"]
    conda_deps = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda_deps
    assert "pip" in conda_deps
    pip = pip_section(environment)
    assert "-e ." in pip
    assert "-c requirements.lock" in pip  # everything pulled in follows the lock too


def test_python_versions_are_those_the_platform_test_checks(pyproject):
    from tests.test_platforms import PYTHONS

    allowed = SpecifierSet(pyproject["project"]["requires-python"])
    assert allowed == SpecifierSet(f">=3.11.5,<3.{int(PYTHONS[-1].split('.')[1]) + 1}")
    assert all(allowed.contains(v) for v in PYTHONS)


# --- CI and `make lab` ------------------------------------------------------------------------


def test_ci_runs_make_test(repo):
    commands = [line.strip() for line in (repo / ".ci" / "run").read_text().splitlines()]
    assert "make test" in [c for c in commands if c and not c.startswith("#")]
    assert os.access(repo / ".ci" / "run", os.X_OK)


def _lab_command(repo, tmp_path, uid):
    """The command `make lab` would run for a user with this uid (make -n runs nothing)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    env.pop("LAB_ARGS", None)
    dry = subprocess.run(["make", "-n", "lab"], cwd=repo, env=env, capture_output=True, text=True, check=True)
    (line,) = [line for line in dry.stdout.splitlines() if "jupyter lab" in line]
    return line


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

TOKEN_OFF = re.compile(
    r"""token\s*=\s*(''|""|\s|$)|--no-token|(ServerApp|NotebookApp|IdentityProvider)\.token=(\s|$|''|"")"""
    r"|password_required\s*=\s*False|disable_check_xsrf",
    re.MULTILINE,
)


@needs_make
@pytest.mark.parametrize("uid,root", [(0, True), (1000, False)])
def test_make_lab_binds_localhost_keeps_the_token_and_allows_root_only_for_root(repo, tmp_path, uid, root):
    command = _lab_command(repo, tmp_path, uid)
    assert "--ip=127.0.0.1" in command.split()
    assert "0.0.0.0" not in command
    assert not TOKEN_OFF.search(command), command
    assert ("--allow-root" in command.split()) is root


def test_makefile_and_server_config_never_open_up_the_server(repo):
    makefile = (repo / "Makefile").read_text()
    assert "0.0.0.0" not in makefile
    assert not TOKEN_OFF.search(makefile)
    config = json.loads((repo / "jupyter" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["ip"] == "127.0.0.1"
    text = json.dumps(config)
    assert '"token"' not in text and "0.0.0.0" not in text and "password_required" not in text
