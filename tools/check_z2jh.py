"""Check deploy/z2jh/values.yaml against the Zero to JupyterHub chart's own schema, offline.

Usage: python -m tools.check_z2jh CHART_DIR [VALUES]

CHART_DIR is the chart unpacked (`helm pull jupyterhub/jupyterhub --version 4.4.0 --untar`, or the
`jupyterhub/` folder of the chart's repository at tag 4.4.0): it holds values.yaml (the defaults) and
values.schema.json or values.schema.yaml. As `helm install` does before rendering anything, the
course's values are merged over the defaults and the result is validated against the schema, so
a misspelt or misplaced key is reported with its path. Prints the problems; exits 1 if there are any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "deploy" / "z2jh" / "values.yaml"


def merged(defaults: dict, override: dict) -> dict:
    """Helm's merge of a values file over the chart's defaults: maps merge key by key, anything else replaces."""
    result = dict(defaults)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def load_schema(chart: Path) -> dict:
    for name, load in (("values.schema.json", json.loads), ("values.schema.yaml", yaml.safe_load)):
        if (chart / name).exists():
            return load((chart / name).read_text())
    raise FileNotFoundError(f"chart={str(chart)!r}: no values.schema.json or values.schema.yaml there")


def problems(chart: Path, values: Path = VALUES) -> list[str]:
    """Every schema violation of the course's values merged over the chart's defaults, as 'path: message'."""
    chart = Path(chart)
    defaults = yaml.safe_load((chart / "values.yaml").read_text())
    ours = yaml.safe_load(Path(values).read_text())
    validator = jsonschema.Draft7Validator(load_schema(chart))
    found = []
    for error in sorted(validator.iter_errors(merged(defaults, ours)), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(top)"
        found.append(f"{where}: {error.message}")
    return found


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(Path(argv[0]), Path(argv[1]) if len(argv) == 2 else VALUES)
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) against the schema in {argv[0]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
