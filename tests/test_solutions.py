"""Every reference solution passes its checker: the exercises can be solved, and the checkers accept a right answer.

Convention: helpers/exercises/solutions/<topic>.py holds answer <name>; helpers/exercises/<topic>.py holds
check_<name>. Every public name of a solutions module is an answer (import modules under an underscore name).
"""

import importlib
import pkgutil
import types

import pytest

import helpers.exercises.solutions as solutions


def answers():
    for info in pkgutil.iter_modules(solutions.__path__):
        module = importlib.import_module(f"helpers.exercises.solutions.{info.name}")
        for name, value in vars(module).items():
            if not name.startswith("_") and not isinstance(value, types.ModuleType):
                yield info.name, name


ANSWERS = sorted(answers())


def test_notebooks_00_to_04_solutions_are_all_there():
    found = {topic: {name for t, name in ANSWERS if t == topic} for topic, _ in ANSWERS}
    assert found["start_here"] == {"grid_shapes", "packed_steps", "top_layer_final"}
    assert found["output_vs_h_n"] == {
        "both_finals",
        "classifier_summary",
        "last_step",
        "predicted_shapes",
        "reshape_blocks",
        "rows_not_in_output",
    }
    assert found["layers"] == {"layer_shapes", "layer_output"}
    assert found["bidirectional"] == {"wrong_view", "backward_after"}
    assert found["lstm_cell_state"] == {"lstm_shapes", "initial_state_shapes", "cell_by_layer"}


@pytest.mark.parametrize("topic,name", ANSWERS)
def test_reference_solution_passes_its_checker(topic, name, capsys):
    answer = getattr(importlib.import_module(f"helpers.exercises.solutions.{topic}"), name)
    checker = getattr(importlib.import_module(f"helpers.exercises.{topic}"), f"check_{name}", None)
    assert checker is not None, f"helpers.exercises.{topic} has no check_{name} for the solution {name}"
    assert checker(answer) is None
    out = capsys.readouterr().out
    assert out.startswith("Correct: "), out
