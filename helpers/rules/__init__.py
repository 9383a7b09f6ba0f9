"""Every rule the course states about what nn.RNN, nn.GRU and nn.LSTM return: one source of truth.

Each Rule has an id, the sentence a learner reads (its scope in words, then its claim), the
configurations where it holds, a check against a real run, and the notebook section that teaches it.
Notebook summaries, 09's rule list and explain's notes read their sentences from here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import explain_facts, inside, packing, shapes, states, training, usage
from .rule import NOTEBOOKS, Rule, Section
from .runs import Case, Reference, RuleRun, close, make_case, realise, reference
from .scope import ALL_DIMS, DOMAIN, Dims, Scope, every_dims

RULES: tuple[Rule, ...] = (
    shapes.RULES + states.RULES + packing.RULES + explain_facts.RULES + inside.RULES + training.RULES + usage.RULES
)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
TOPICS = (shapes.TOPIC, states.TOPIC, states.CELL_TOPIC, packing.TOPIC, inside.TOPIC, training.TOPIC, usage.TOPIC)


def rule(rule_id: str) -> Rule:
    """The rule with this id; ValueError names the ids there are."""
    if rule_id not in BY_ID:
        raise ValueError(f"rule_id={rule_id!r} is not allowed: it must be one of {sorted(BY_ID)}")
    return BY_ID[rule_id]


def summary_rules(notebook: str) -> tuple[Rule, ...]:
    """The rules a notebook's summary states, in the registry's order."""
    if notebook not in NOTEBOOKS:
        raise ValueError(f"notebook={notebook!r} is not allowed: it must be one of {sorted(NOTEBOOKS)}")
    return tuple(r for r in RULES if notebook in r.summaries)


def summary_markdown(notebook: str) -> str:
    """A notebook's `## Summary` cell: one bullet per rule, each sentence from the registry."""
    bullets = [f"* {r.sentence}" for r in summary_rules(notebook)]
    return "\n".join(["## Summary", "", *bullets])


def cheat_sheet_markdown() -> str:
    """09's rule list: every rule, grouped by topic, numbered, each with a link to where it is shown."""
    lines, number = [], 0
    for topic in TOPICS:
        rules = [r for r in RULES if r.topic == topic]
        if not rules:
            continue
        lines += ["", f"**{topic}**", ""]
        for r in rules:
            number += 1
            lines.append(f'{number}. {r.sentence} {r.section.link()}, "{r.section.title}".')
    return "\n".join(lines).strip()


__all__ = [
    "ALL_DIMS",
    "BY_ID",
    "DOMAIN",
    "NOTEBOOKS",
    "RULES",
    "TOPICS",
    "Case",
    "Dims",
    "Reference",
    "Rule",
    "RuleRun",
    "Scope",
    "Section",
    "Verdict",
    "cheat_sheet_markdown",
    "close",
    "every_dims",
    "make_case",
    "realise",
    "reference",
    "rule",
    "summary_markdown",
    "summary_rules",
    "verify",
]


@dataclass(frozen=True)
class Verdict:
    """A rule checked on configurations inside its scope, and searched for a failure just outside each restriction."""

    rule: Rule
    inside: tuple[bool, ...]  # one per configuration drawn from the scope
    outside: dict[str, bool]  # restriction -> a configuration just outside it makes the check fail

    @property
    def holds(self) -> bool:
        return all(self.inside) and all(self.outside.values())


def verify(rule_or_id: Rule | str, configurations: int = 3, seed: int = 0, tries_outside: int = 30) -> Verdict:
    """Run a rule's check on configurations drawn (by seed) from its scope, and look just outside each restriction."""
    r = rule(rule_or_id) if isinstance(rule_or_id, str) else rule_or_id
    if isinstance(configurations, bool) or not isinstance(configurations, int) or configurations < 1:
        raise ValueError(f"configurations={configurations!r} is not allowed: it must be an int of 1 or more")
    rng = random.Random(seed)
    points = r.where.points()
    inside = tuple(r.check(realise(make_case(rng.choice(points), rng.randrange(2**16)))) for _ in range(configurations))
    outside = {}
    for name in r.restrictions:
        near = r.where.outside(name, r.requires).points()
        outside[name] = any(
            not r.check(realise(make_case(rng.choice(near), rng.randrange(2**16)))) for _ in range(tries_outside)
        )
    return Verdict(r, inside, outside)
