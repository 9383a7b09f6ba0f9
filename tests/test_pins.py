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
# The developers-only extra: pinned in requirements-dev.lock, never in what a student installs.
DEV_EXTRA = "dev"
PLATFORM_MARKERS = {"sys_platform", "os_name", "platform_system"}


@pytest.fixture
def pyproject(repo):
    return tomllib.loads((repo / "pyproject.toml").read_text())


@pytest.fixture
def environment(repo):
    return yaml.safe_load((repo / "environment.yml").read_text())


def read_lock(path):
    """{canonical name: version} from a lock file of `name==version` lines."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==" and not req.extras, line
        # A marker may only say which platform needs a package (see tests/test_platforms.py).
        assert not req.marker or set(re.findall(r"[a-z_]+(?=\s*[=!<>])", str(req.marker))) <= PLATFORM_MARKERS, line
        name = canonicalize_name(req.name)
        assert name not in pins, f"{req.name} is pinned twice in {path.name}"
        pins[name] = spec.version
    return pins


@pytest.fixture
def lock(repo):
    """{canonical name: version} from requirements.lock."""
    return read_lock(repo / "requirements.lock")


@pytest.fixture
def dev_lock(repo):
    """{canonical name: version} from requirements-dev.lock (what `make mutate` adds to .venv)."""
    return read_lock(repo / "requirements-dev.lock")


def pyproject_requirements(pyproject):
    """What a student installs: the dependencies and every extra but the developers' one."""
    deps = list(pyproject["project"]["dependencies"])
    for name, extra in pyproject["project"].get("optional-dependencies", {}).items():
        if name != DEV_EXTRA:
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


def test_dev_extra_is_pinned_in_the_dev_lock_only(pyproject, environment, lock, dev_lock):
    dev = [Requirement(d) for d in pyproject["project"]["optional-dependencies"][DEV_EXTRA]]
    assert dev, "pyproject.toml's dev extra is empty"
    student = {canonicalize_name(r.name) for r in environment_requirements(environment)} | set(lock)
    for req in dev:
        name = canonicalize_name(req.name)
        assert name in dev_lock, f"{req.name} is in the dev extra but not in requirements-dev.lock"
        assert req.specifier.contains(dev_lock[name]), (
            f"requirements-dev.lock has {req.name}=={dev_lock[name]}, not {req}"
        )
        assert name not in student, (
            f"{req.name} is a development tool: keep it out of environment.yml and requirements.lock"
        )


def test_dev_lock_adds_to_the_student_lock_without_changing_a_pin(lock, dev_lock):
    # `make mutate` installs requirements-dev.lock with -c requirements.lock: both must hold at once.
    for name, version in dev_lock.items():
        assert name not in lock, (
            f"{name} is pinned in both requirements.lock ({lock[name]}) and requirements-dev.lock ({version}); keep it in requirements.lock only"
        )


def test_make_mutate_installs_the_dev_lock_under_the_student_lock(repo):
    makefile = (repo / "Makefile").read_text()
    assert "-c requirements.lock -r requirements-dev.lock" in makefile


def test_make_mutate_runs_existing_unit_tests_only_and_stays_out_of_make_test(repo, pyproject):
    tests = pyproject["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
    for path in tests:
        assert (repo / path).is_file() and path.startswith("tests/test_") and path.endswith(".py"), path
        assert not any(word in path for word in ("browser", "live_slides")), f"{path}: no browser tests in make mutate"
    # every test file named for a mutated module takes part, so a new one cannot be left out by mistake
    named = r"test_(explain|traps|relations|unroll|grid|diagnose|exercises|checker)[a-z0-9_]*\.py"
    for path in sorted((repo / "tests").glob("test_*.py")):
        if re.fullmatch(named, path.name) and "browser" not in path.name:
            assert f"tests/{path.name}" in tests, f"{path.name} covers a mutated module: add it to [tool.mutmut]"
    makefile = (repo / "Makefile").read_text()
    test_recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "mutmut" not in test_recipe and "mutate" not in test_recipe
    assert "--max-children 1" in makefile and "nice -n 10" in makefile  # the machine is shared


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
