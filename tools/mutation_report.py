"""The report of `make mutate`: mutmut's results per module, into artifacts/mutation/ (report.md and report.json).

mutmut keeps each mutated file's results next to its copy, in mutants/<path>.meta (mutant name -> exit code).
This reads them, counts killed / survived / timed out / not run per module, takes out the mutants that
tests/mutation_equivalent.txt explains (one line each: `<mutant name>: why it cannot change behaviour`), and
says for each module whether at least GOAL of the others were killed. Every survivor that is not explained is
listed with its diff, so that it gets a test or a line in the list.

    python -m tools.mutation_report            # after `mutmut run`, from the repository root
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MUTANTS = REPO / "mutants"
EQUIVALENT = REPO / "tests" / "mutation_equivalent.txt"
OUT = REPO / "artifacts" / "mutation"
GOAL = 0.95
GROUPS = ("helpers/explain/", "helpers/exercises/diagnose/")
# mutmut's exit codes (mutmut.stats.status_by_exit_code), folded into the report's columns.
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 36: "timeout", 24: "timeout", -24: "timeout"}
STATUS |= {152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests", 34: "skipped", None: "not run"}
COLUMNS = ("killed", "survived", "timeout", "no tests", "suspicious", "skipped", "not run")


def read_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """{mutant name: why it cannot change behaviour} from the committed list (# starts a comment line)."""
    found = {}
    if not path.exists():
        return found
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, why = line.partition(":")
        if not sep or not why.strip() or " " in name.strip():
            raise ValueError(f"{path.name} line {number}: {line!r} is not `<mutant name>: <why>`")
        found[name.strip()] = why.strip()
    return found


def read_results(mutants: Path = MUTANTS) -> dict[str, dict[str, int | None]]:
    """{module path (helpers/...py): {mutant name: exit code or None}} from mutmut's .meta files."""
    results = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            results[str(meta.relative_to(mutants).with_suffix(""))] = codes
    return results


def group(module: str) -> str:
    """The unit the goal is set for: a package (helpers/explain/) or a single module (helpers/unroll.py)."""
    for package in GROUPS:
        if module.startswith(package):
            return package
    return module


def grouped(results):
    """The results merged per group."""
    merged = {}
    for module, codes in results.items():
        merged.setdefault(group(module), {}).update(codes)
    return merged


def status(code: int | None) -> str:
    return STATUS.get(code, "suspicious")


def module_rows(results, equivalent):
    """One row per module: counts by status, equivalent survivors, score of the non-equivalent ones."""
    rows = []
    for module, codes in results.items():
        counts = Counter(status(code) for code in codes.values())
        survivors = [name for name, code in codes.items() if status(code) == "survived"]
        explained = [name for name in survivors if name in equivalent]
        run = sum(counts[s] for s in ("killed", "survived", "timeout", "suspicious"))
        judged = run - len(explained)
        # a timed-out mutant made the tests hang: counted as caught, as mutmut's own score does
        caught = counts["killed"] + counts["timeout"]
        rows.append(
            {
                "module": module,
                "mutants": len(codes),
                **{column: counts[column] for column in COLUMNS},
                "equivalent": len(explained),
                "score": None if judged == 0 else caught / judged,
                "unexplained": sorted(set(survivors) - set(explained)),
                "complete": counts["not run"] == 0,
            }
        )
    return rows


def diff(name: str, module: str) -> str:
    """The mutant's change, as mutmut shows it (empty if mutmut cannot say)."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(name, path=module)
    except Exception as error:  # noqa: BLE001 - a report without a diff beats no report
        return f"(no diff: {type(error).__name__}: {error})"


def table(rows) -> list[str]:
    head = ["module", "mutants", *COLUMNS, "equivalent", f"killed of the rest (goal {GOAL:.0%})"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        score = "-" if row["score"] is None else f"{row['score']:.1%}"
        if row["score"] is not None:
            score += "" if row["score"] >= GOAL else " (below goal)"
        if not row["complete"]:
            score += f" ({row['not run']} not run)"
        values = [row["module"], row["mutants"], *(row[c] for c in COLUMNS), row["equivalent"], score]
        lines.append("| " + " | ".join(str(v) for v in values) + " |")
    return lines


def markdown(groups, rows, equivalent, stale) -> str:
    lines = ["# Mutation testing (make mutate)", "", "Per module (the goal is for each of these):", ""]
    lines += table(groups) + ["", "Per file:", ""] + table(rows)
    lines += [
        "",
        "killed: a test failed; timeout: the tests hung (counted as caught); equivalent: a survivor that "
        "tests/mutation_equivalent.txt explains; not run: mutmut has no result yet (run it on that module).",
        "",
    ]
    unexplained = [(row["module"], name) for row in rows for name in row["unexplained"]]
    lines.append(f"## Survivors with no test and no line in tests/mutation_equivalent.txt: {len(unexplained)}")
    for module, name in unexplained:
        lines += ["", f"### {name}", "", "```diff", diff(name, module), "```"]
    if stale:
        lines += ["", "## Lines of tests/mutation_equivalent.txt that match no surviving mutant (remove them)", ""]
        lines += [f"- {name}" for name in stale]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    results = read_results()
    if not results:
        print("no mutmut results in mutants/: run `make mutate` first", file=sys.stderr)
        return 1
    equivalent = read_equivalent()
    rows = module_rows(results, equivalent)
    codes = {name: code for by_name in results.values() for name, code in by_name.items()}
    # a listed mutant that no longer exists, or that was run and did not survive: its line is out of date
    stale = sorted(
        name for name in equivalent if name not in codes or status(codes[name]) not in ("survived", "not run")
    )
    groups = module_rows(grouped(results), equivalent)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"goal": GOAL, "groups": groups, "modules": rows, "stale_equivalent": stale}
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    text = markdown(groups, rows, equivalent, stale)
    (args.out / "report.md").write_text(text)
    print(text.split("\n## ")[0])
    print(f"report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
