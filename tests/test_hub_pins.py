"""requirements-hub.lock (what `make hub` adds to .venv on a Linux server) is exact and complete, beside requirements.lock.

It is kept out of requirements.lock, pyproject.toml and environment.yml on purpose: JupyterHub does
not run on Windows and its local process spawner needs Unix users, so a student's laptop never needs
it, and tests/test_platforms.py (which checks laptops on three systems) need not cover it.
"""

from __future__ import annotations

import importlib.metadata as metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_pins import read_lock

REPO = Path(__file__).resolve().parent.parent
HUB_LOCK = REPO / "requirements-hub.lock"
DIRECT = ["jupyterhub", "jupyterhub-firstuseauthenticator", "jupyterhub-idle-culler"]


def test_hub_lock_pins_exactly_and_adds_to_the_student_lock():
    hub, student = read_lock(HUB_LOCK), read_lock(REPO / "requirements.lock")
    assert set(DIRECT) <= set(hub)
    both = set(hub) & set(student)
    assert not both, f"pinned in both locks: {sorted(both)}; keep them in requirements.lock only"
    assert "nbgitpuller" in student  # the students' side: also in the Zero to JupyterHub image


def test_make_hub_installs_the_hub_lock_under_the_student_lock():
    makefile = (REPO / "Makefile").read_text()
    assert "-c requirements.lock -r requirements-hub.lock" in makefile
    assert "npm ci" in makefile and "--prefix deploy/proxy" in makefile


def _installed(name):
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


@pytest.mark.skipif(_installed("jupyterhub") is None, reason="the hub's pins are not installed (`make hub` does it)")
def test_every_dependency_of_the_hub_is_pinned_and_installed_as_pinned():
    pins = {**read_lock(REPO / "requirements.lock"), **read_lock(HUB_LOCK)}
    hub = read_lock(HUB_LOCK)
    unmet = []
    for name, version in hub.items():
        dist = _installed(name)
        assert dist is not None and dist.version == version, (
            f"{name}: installed {dist and dist.version}, pinned {version}"
        )
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            dep = canonicalize_name(req.name)
            if dep not in pins or not req.specifier.contains(pins[dep], prereleases=True):
                unmet.append(f"{name} needs {req.name}{req.specifier}, the locks have {pins.get(dep, 'nothing')}")
    assert unmet == []
