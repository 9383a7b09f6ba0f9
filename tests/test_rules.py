"""The rule registry's property test: each rule holds across its scope and fails just outside it.

For every rule, Hypothesis draws configurations inside its scope (cell, layers, directions, batch_first,
proj_size, unbatched, whole/padded/packed with lengths including 1) and the rule's check must hold on
each. For every restriction of a scope ("one layer", "not packed", ...), Hypothesis searches the
configurations just outside it (that one dimension changed, everything else inside) for one where the
check fails: a rule is neither broader than the truth nor narrower than necessary. Derandomized
(tests/conftest.py): the same configurations on every run.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from helpers.rules import DOMAIN, RULES, Scope, every_dims, make_case, realise, rule
from helpers.rules.scope import Dims

EXAMPLES_PER_RULE = 8  # 8 x the rules' count: over 300 configurations a run
SEEDS = st.integers(0, 2**16)


def _describe(dims: Dims, seed: int) -> str:
    case = make_case(dims, seed)
    return f"{dims} L={case.seq_len} lengths={case.lengths} hidden_size={case.hidden_size} proj_size={case.proj_size}"


def test_enough_configurations_per_run():
    assert EXAMPLES_PER_RULE * len(RULES) >= 200


@pytest.mark.parametrize("r", RULES, ids=[r.id for r in RULES])
@settings(max_examples=EXAMPLES_PER_RULE)
@given(data=st.data())
def test_rule_holds_across_its_scope(r, data):
    dims = data.draw(st.sampled_from(r.where.points()), label="dims")
    seed = data.draw(SEEDS, label="seed")
    assert r.check(realise(make_case(dims, seed))), f"{r.id} fails inside its scope: {_describe(dims, seed)}"


RESTRICTIONS = [(r, name) for r in RULES for name in r.restrictions]


class _Found(Exception):
    """Raised to stop the search at the first configuration where the check fails."""


def fails_just_outside(r, name: str, examples: int = 300) -> bool:
    """Search the configurations just outside r's restriction on name for one where r's check fails."""
    outside = r.where.outside(name, r.requires).points()
    assert outside, f"{r.id}: no configuration lies outside its {name} restriction"

    @settings(max_examples=examples, database=None, derandomize=True, phases=[Phase.generate])  # stop at the first
    @given(st.sampled_from(outside), SEEDS)
    def search(dims, seed):
        if not r.check(realise(make_case(dims, seed))):
            raise _Found

    try:
        search()
    except _Found:
        return True
    return False


@pytest.mark.parametrize("r, name", RESTRICTIONS, ids=[f"{r.id}-{name}" for r, name in RESTRICTIONS])
def test_each_restriction_is_needed(r, name):
    """Just outside the scope on this one dimension, some configuration makes the check fail."""
    assert fails_just_outside(r, name), (
        f"{r.id}: its restriction on {name} is not needed: the check held on every configuration just outside it"
    )


def test_a_needless_restriction_is_caught():
    """The search can come back empty: h_n's shape rule narrowed to one layer holds on two layers too."""
    needless = dataclasses.replace(rule("h_n-shape"), scope=Scope.of(num_layers=(1,)))
    assert needless.restrictions == ("num_layers",)
    assert not fails_just_outside(needless, "num_layers", examples=40)


def test_a_too_broad_rule_fails_inside():
    """The inside check can fail: the one-layer rule widened to every layer count fails on two layers."""
    broad = rule("one-layer-h_n-is-last-step")
    point = next(d for d in broad.requires.points() if d.num_layers == 2 and d.feed == "whole" and not d.bidirectional)
    assert not broad.check(realise(make_case(point, 0)))


def test_every_rule_is_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for r in RULES:
        assert r.where.points(), f"{r.id}: its scope holds no possible configuration"
        assert r.scope_words or not r.restrictions
        for word in r.where.words():
            assert word.lower() in r.sentence.lower(), f"{r.id}: its sentence does not state its scope ({word})"


def test_every_configuration_is_reachable():
    """Every value of every dimension is drawn by some configuration."""
    points = every_dims()
    for name, values in DOMAIN.items():
        assert {getattr(d, name) for d in points} == set(values), name


@pytest.mark.parametrize("dims", every_dims()[::7], ids=str)
def test_cases_match_their_dimensions(dims):
    """make_case builds what its dimensions say: packing, padding, lengths, one step, batch size."""
    case = make_case(dims, 3)
    assert (case.seq_len == 1) == (dims.steps == "one")
    assert (min(case.lengths) == 1) == (dims.shortest == "one")
    if dims.feed == "whole":
        assert set(case.lengths) == {case.seq_len}
    else:
        assert max(case.lengths) == case.seq_len > min(case.lengths)
    assert (case.proj_size > 0) == dims.proj
    run = realise(case)
    assert (run.packed_output is not None) == (dims.feed == "packed")
    assert run.unbatched == (dims.batch == "unbatched")
