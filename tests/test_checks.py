"""The shared argument checks name the parameter, the value and what is allowed."""

import pytest

from helpers.checks import check_only


def test_check_only_names_the_first_unknown_option_and_what_is_allowed():
    check_only({"seed": 1}, {"seed", "input_size"}, "the view", "its sliders")  # allowed: no error
    with pytest.raises(ValueError) as error:
        check_only({"zeta": 1, "alpha": "x", "seed": 2}, {"seed", "input_size"}, "the view", "its sliders")
    assert str(error.value) == (
        "alpha='x' is not allowed: the view takes only ['input_size', 'seed'] besides its sliders"
    )
