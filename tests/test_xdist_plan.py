"""The units tests/xdist_plan.py gives pytest-xdist: what must stay on one worker does, what may spread does."""

from tests.xdist_plan import order_key, unit

NOTEBOOK_TESTS = [
    "tests/test_browser.py::test_notebook_outputs_in_jupyterlab_have_no_serious_violation[01_output_vs_h_n.ipynb]",
    "tests/test_browser.py::test_notebook_runs_and_its_sliders_redraw[01_output_vs_h_n.ipynb]",
    "tests/test_browser.py::test_every_control_of_every_view_works_by_keyboard_with_a_visible_focus[01_output_vs_h_n.ipynb]",
    "tests/test_browser.py::test_live_slides[01_output_vs_h_n.ipynb]",
]


def test_a_notebooks_tests_that_share_a_page_are_one_unit_and_other_notebooks_are_not():
    assert len({unit(nodeid) for nodeid in NOTEBOOK_TESTS}) == 1
    other = NOTEBOOK_TESTS[0].replace("01_output_vs_h_n", "02_layers")
    assert unit(other) != unit(NOTEBOOK_TESTS[0])
    # A test of that module without a notebook is a unit of its own.
    assert unit("tests/test_browser.py::test_server_listens_only_on_loopback") == (
        "tests/test_browser.py::test_server_listens_only_on_loopback"
    )


def test_a_notebooks_cells_are_one_unit_and_a_plain_module_is_one_unit():
    cells = ["notebooks/02_layers.ipynb::Cell 0", "notebooks/02_layers.ipynb::Cell 7"]
    assert {unit(c) for c in cells} == {"notebooks/02_layers.ipynb"}
    assert unit("tests/test_grid.py::test_a[1]") == unit("tests/test_grid.py::test_b") == "tests/test_grid.py"


def test_browser_tests_that_spread_go_before_the_short_units_and_shared_units_stay_together():
    per_test = "tests/test_a11y_browser.py::test_static_deck_has_no_serious_violation[01_output_vs_h_n]"
    assert unit(per_test) == per_test
    assert order_key(NOTEBOOK_TESTS[0]) == order_key(per_test) < order_key("tests/test_grid.py::test_a")
    assert unit("tests/test_hub.py::test_two_students_are_kept_apart") == unit("tests/test_hub.py::test_x") == "hub"
    assert order_key("tests/test_hub.py::test_x")[0] == 0  # the longest unit goes first
