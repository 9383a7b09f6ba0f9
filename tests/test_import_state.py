"""Importing helpers (and every module in it) changes no global state."""

import json
import subprocess
import sys

# Runs in a fresh interpreter. The libraries helpers builds on are imported first, so what
# changes afterwards is helpers' own doing.
SCRIPT = r"""
import hashlib, importlib, json, logging, os, pkgutil, sys, warnings

import ipywidgets
import matplotlib
import matplotlib.backends.backend_agg
import matplotlib.figure
import numpy as np
import torch


def digest(b):
    return hashlib.sha1(bytes(b)).hexdigest()


def snapshot():
    return {
        # the raw stored values: reading rcParams["backend"] would resolve the backend itself
        "matplotlib.rcParams": {k: repr(dict.__getitem__(matplotlib.rcParams, k)) for k in sorted(dict.keys(matplotlib.rcParams))},
        "warnings.filters": [repr(f) for f in warnings.filters],
        "torch default dtype": repr(torch.get_default_dtype()),
        "torch default device": repr(torch.get_default_device()),
        "torch num threads": torch.get_num_threads(),
        "torch num interop threads": torch.get_num_interop_threads(),
        "torch grad enabled": torch.is_grad_enabled(),
        "torch anomaly detection": torch.is_anomaly_enabled(),
        "torch deterministic algorithms": [torch.are_deterministic_algorithms_enabled(),
                                           torch.is_deterministic_algorithms_warn_only_enabled()],
        "torch float32 matmul precision": torch.get_float32_matmul_precision(),
        "torch RNG state": digest(torch.get_rng_state().numpy().tobytes()),
        "torch initial seed": torch.initial_seed(),
        "torch print options": repr(vars(torch._tensor_str.PRINT_OPTS)),
        "torch.backends flags": [torch.backends.mkldnn.enabled, torch.backends.cudnn.enabled,
                                 torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic],
        "numpy print options": repr(np.get_printoptions()),
        "numpy error handling": repr(np.geterr()),
        "numpy RNG state": repr(np.random.get_state()[1].tolist()[:8] + [np.random.get_state()[2]]),
        "logging root": [logging.getLogger().level, len(logging.getLogger().handlers)],
        "sys.path": list(sys.path),
        "os.environ": dict(os.environ),
    }


before = snapshot()
import helpers
imported = ["helpers"]
for module in pkgutil.walk_packages(helpers.__path__, "helpers."):
    importlib.import_module(module.name)
    imported.append(module.name)
after = snapshot()
changed = {}
for key in before:
    if before[key] == after[key]:
        continue
    if isinstance(before[key], dict):  # just the entries that differ
        subkeys = set(before[key]) | set(after[key])
        changed[key] = {k: [before[key].get(k), after[key].get(k)] for k in subkeys
                        if before[key].get(k) != after[key].get(k)}
    else:
        changed[key] = [before[key], after[key]]
print(json.dumps({"imported": imported, "changed": changed}))
"""


def _import_in_fresh_interpreter(repo):
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_helpers_changes_no_global_state(repo):
    result = _import_in_fresh_interpreter(repo)
    assert {"helpers", "helpers.models", "helpers.states", "helpers.relations"} <= set(result["imported"])
    expected_modules = {
        "helpers." + ".".join(p.relative_to(repo / "helpers").with_suffix("").parts).removesuffix(".__init__")
        for p in (repo / "helpers").rglob("*.py")
        if p.name != "__init__.py" or p.parent != repo / "helpers"
    }
    assert expected_modules <= set(result["imported"])
    assert result["changed"] == {}, f"importing helpers changed: {result['changed']}"
