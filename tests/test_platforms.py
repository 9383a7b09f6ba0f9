"""The pins install on a student's laptop: CPython 3.11 to 3.13 on Linux x86_64, macOS arm64 and Windows amd64.

For each of the nine combinations, pip's own resolver looks for a wheel of every pin in
requirements.lock (`pip install --dry-run --only-binary=:all: --python-version --platform`), reading
package metadata only: nothing is downloaded in full or installed. Then every dependency that a pinned
package declares for that platform must be pinned too, at a version it accepts.

pip runs with --no-deps and this module evaluates the environment markers itself, because pip
evaluates markers against the machine it runs on: asked about macOS from Linux, it would chase the
Linux-only CUDA dependencies of torch and skip appnope, which macOS needs.

The look-ups take several minutes of registry traffic, so the test runs under CI=true (where an
unreachable registry fails it) or with RUN_PLATFORM_CHECK=1 (`make check-platforms`); otherwise it is
skipped with that reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements.lock"
PYTHONS = ["3.11.5", "3.12", "3.13"]  # 3.11.5: the oldest 3.11 that every pin accepts
PLATFORMS = {
    # pip takes the tags literally, so a Linux machine's older manylinux tags are listed too
    "Linux x86_64": dict(
        tags=[f"manylinux_2_{v}_x86_64" for v in (28, 27, 24, 17, 12, 5)]
        + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
        markers=dict(sys_platform="linux", platform_system="Linux", os_name="posix", platform_machine="x86_64"),
    ),
    "macOS arm64": dict(
        tags=["macosx_14_0_arm64"],  # torch 2.13 wheels need macOS 14; pip adds older macOS tags
        markers=dict(sys_platform="darwin", platform_system="Darwin", os_name="posix", platform_machine="arm64"),
    ),
    "Windows amd64": dict(
        tags=["win_amd64"],
        markers=dict(sys_platform="win32", platform_system="Windows", os_name="nt", platform_machine="AMD64"),
    ),
}
COMBINATIONS = [(python, platform) for python in PYTHONS for platform in PLATFORMS]
# On Linux, plain pip would take torch's CUDA build, which pulls these; the README sends Linux (and
# Windows) users to the CPU build, which needs none of them.
CUDA_ONLY = ("nvidia-", "cuda-", "triton")
UNREACHABLE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Could not fetch URL",
    "Temporary failure in name resolution",
    "ConnectTimeout",
    "ReadTimeoutError",
)


def marker_environment(python: str, platform: str) -> dict[str, str]:
    """The values environment markers see on that platform and Python."""
    full = python if python.count(".") == 2 else python + ".0"
    return dict(
        PLATFORMS[platform]["markers"],
        python_version=".".join(python.split(".")[:2]),
        python_full_version=full,
        implementation_name="cpython",
        platform_python_implementation="CPython",
        extra="",
    )


def pins_for(python: str, platform: str) -> list[Requirement]:
    """The lock's pins whose marker holds on that platform, markers dropped."""
    env = marker_environment(python, platform)
    pins = []
    for line in LOCK.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                req.marker = None
                pins.append(req)
    return pins


def resolve(python: str, platform: str, folder: Path) -> tuple[int, str, dict | None]:
    """Run pip's resolver for one combination; returns (exit code, stderr, the --report JSON or None)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pins.txt").write_text("\n".join(map(str, pins_for(python, platform))) + "\n")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--isolated",
        "--dry-run",
        "--no-deps",
        "--ignore-installed",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        python,
        "--target",
        str(folder / "target"),
        "--report",
        str(folder / "report.json"),
        "-r",
        str(folder / "pins.txt"),
    ]
    for tag in PLATFORMS[platform]["tags"]:
        command += ["--platform", tag]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    report = folder / "report.json"
    return done.returncode, done.stderr, json.loads(report.read_text()) if report.exists() else None


def unmet_dependencies(report: dict, python: str, platform: str) -> list[str]:
    """Dependencies that pinned packages declare on that platform but the lock does not satisfy."""
    env = marker_environment(python, platform)
    chosen = {
        canonicalize_name(item["metadata"]["name"]): Version(item["metadata"]["version"]) for item in report["install"]
    }
    unmet = []
    for item in report["install"]:
        for line in item["metadata"].get("requires_dist", []):
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            name = canonicalize_name(req.name)
            if platform == "Linux x86_64" and item["metadata"]["name"] == "torch" and name.startswith(CUDA_ONLY):
                continue
            if name not in chosen or not req.specifier.contains(chosen[name], prereleases=True):
                unmet.append(
                    f"{item['metadata']['name']} needs {req.name}{req.specifier}, "
                    f"the lock has {chosen.get(name, 'nothing')}"
                )
    return unmet


def test_marker_evaluation_picks_the_platform_pins():
    assert "appnope" in {r.name for r in pins_for("3.12", "macOS arm64")}
    assert "appnope" not in {r.name for r in pins_for("3.12", "Windows amd64")}
    assert {"colorama", "pywinpty"} <= {r.name for r in pins_for("3.13", "Windows amd64")}
    assert not {"appnope", "colorama", "pywinpty"} & {r.name for r in pins_for("3.11.5", "Linux x86_64")}


def test_unmet_dependencies_are_found():
    report = {
        "install": [
            {
                "metadata": {
                    "name": "ipykernel",
                    "version": "7.4.0",
                    "requires_dist": ['appnope>=0.1.2; platform_system == "Darwin"', "traitlets>=5"],
                }
            },
            {"metadata": {"name": "traitlets", "version": "5.16.1"}},
        ]
    }
    assert unmet_dependencies(report, "3.12", "Windows amd64") == []
    assert unmet_dependencies(report, "3.12", "macOS arm64") == ["ipykernel needs appnope>=0.1.2, the lock has nothing"]


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory):
    """pip's answer for all nine combinations, asked in parallel (the time goes to waiting on the registry)."""
    ci = os.environ.get("CI", "").lower() == "true"
    if not ci and os.environ.get("RUN_PLATFORM_CHECK") != "1":
        pytest.skip("several minutes of registry look-ups: runs under CI=true, or locally with `make check-platforms`")
    base = tmp_path_factory.mktemp("platforms")
    with ThreadPoolExecutor(len(COMBINATIONS)) as pool:
        futures = {
            combo: pool.submit(resolve, *combo, base / f"{combo[0]}-{combo[1].replace(' ', '-')}")
            for combo in COMBINATIONS
        }
        results = {combo: future.result() for combo, future in futures.items()}
    offline = [
        combo
        for combo, (code, stderr, _) in results.items()
        if code != 0 and any(sign in stderr for sign in UNREACHABLE)
    ]
    if offline:
        message = f"the package registry could not be reached for {offline}"
        if ci:
            pytest.fail(message)
        pytest.skip(message)
    return results


@pytest.mark.timeout(2400)
@pytest.mark.parametrize("python,platform", COMBINATIONS, ids=[f"py{p}-{q.replace(' ', '-')}" for p, q in COMBINATIONS])
def test_every_pin_has_a_wheel_and_every_dependency_is_pinned(resolutions, python, platform):
    code, stderr, report = resolutions[python, platform]
    errors = "\n".join(line for line in stderr.splitlines() if "ERROR" in line)
    assert code == 0 and report is not None, f"pip found no wheel for a pin on {platform}, Python {python}:\n{errors}"
    assert {canonicalize_name(i["metadata"]["name"]) for i in report["install"]} == {
        canonicalize_name(r.name) for r in pins_for(python, platform)
    }
    assert unmet_dependencies(report, python, platform) == []
