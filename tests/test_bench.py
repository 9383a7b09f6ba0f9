"""tools/bench.py's arithmetic: which presses count for (b), what (f) counts as shown, and the table's verdicts.

The bench asserts nothing about the course; these tests check that its figures cannot flatter: a press whose
picture is not the one for the slider's new value is not a fast sample, and a view with such presses misses the goal.
"""

import json
from pathlib import Path

from tools import bench


def result(key_before, key, value_before, value_after, ms=5.0):
    """One press as ARM_PRESS records it in the page."""
    return {
        "ms": ms,
        "keyBefore": json.dumps(key_before),
        "key": json.dumps(key),
        "valueBefore": str(value_before),
        "valueAfter": str(value_after),
        "origin": "page",
    }


def test_a_press_counts_when_the_picture_is_for_the_sliders_new_value():
    assert bench.picture_follows_press(result([2, 5, 0], [2, 6, 0], 5, 6))


def test_a_press_counts_when_another_control_follows_the_slider():
    # seq_len 5 -> 4 clamps t from 4 to 3: the picture for both new values is the right one
    assert bench.picture_follows_press(result([4, 5], [3, 4], 5, 4))


def test_a_press_does_not_count_when_the_picture_is_for_other_values():
    assert not bench.picture_follows_press(result([2, 5, 0], [2, 5, 1], 5, 6))  # another slider's picture
    assert not bench.picture_follows_press(result([2, 5, 0], [2, 7, 0], 5, 6))  # a step further
    assert not bench.picture_follows_press(result([2, 5, 0], [2, 5, 0], 5, 6))  # the same key
    assert not bench.picture_follows_press(result([2, 5, 0], [2, 6, 0], 6, 6))  # the slider did not move
    assert not bench.picture_follows_press({**result([1], [2], 1, 2), "key": None})  # no key on the picture


def press_summary(samples, painted=(), **counts):
    """press_in_rhythm's result for these samples (and Element Timing's painted times) and counts."""
    painted = list(painted)
    return {
        **(bench.summary(samples) if samples else {"n": 0}),
        "presses": len(samples) + sum(counts.values()),
        "never_changed": 0,
        "wrong_picture": 0,
        "slider_did_not_move": 0,
        "from_page_memory": len(samples),
        "segments_median_ms": {},
        "samples": samples,
        "painted": bench.summary(painted) if painted else {"n": 0},
        "painted_samples": painted,
        **counts,
    }


def met(b) -> str:
    """The Met column of press_row's line, without the load."""
    return bench.press_row("v", b, None).split("|")[-2].strip()


def test_a_fast_view_meets_the_goal_only_if_every_press_changed_the_picture():
    fast = [8.0] * 20
    assert met(press_summary(fast)) == "yes"
    assert met(press_summary(fast, painted=fast)) == "yes; painted: yes"
    for failure in ("never_changed", "wrong_picture", "slider_did_not_move"):
        assert met(press_summary(fast, **{failure: 1})) == "NO", failure
        assert met(press_summary(fast, painted=fast, **{failure: 1})) == "NO; painted: NO", failure
    assert met(press_summary([])) == "NO"  # nothing measured is no success


def test_the_goal_is_the_median_and_the_p95():
    assert met(press_summary([18.0] * 20)) == "NO"  # median over one frame
    assert met(press_summary([8.0] * 18 + [40.0] * 2)) == "NO"  # p95 over two frames
    assert met(press_summary([20.0] * 20, painted=[8.0] * 20)) == "NO; painted: yes"  # each figure its own verdict
    assert met(press_summary([8.0] * 20, painted=[8.0] * 18 + [40.0] * 2)) == "yes; painted: NO"


def test_overall_pools_every_views_samples_and_failures():
    quick, slow = bench.RHYTHMS
    views = {
        "a": {"press_to_image_ms": {quick: press_summary([1.0, 2.0], never_changed=1), slow: press_summary([3.0])}},
        "b": {"press_to_image_ms": {quick: press_summary([10.0]), slow: press_summary([4.0], wrong_picture=2)}},
    }
    found = bench.overall(views)
    assert found[quick]["n"] == 3 and found[quick]["median"] == 2.0 and found[quick]["never_changed"] == 1
    assert found[quick]["presses"] == 4
    assert found[slow]["n"] == 2 and found[slow]["wrong_picture"] == 2 and found[slow]["presses"] == 4
    assert found[quick]["painted"] == {"n": 0}


def test_a_views_presses_spread_evenly_over_the_display_frame():
    # Presses 150 ms apart are 9 frames apart: unmoved, every one would land at the same point of the frame, and a
    # view's median would be that point's figure. Each of the frame's equal parts gets one press, in either rhythm.
    frame = bench.FRAME_S
    for presses in (4, 24, 25):
        assert sorted(bench.press_phase(i, presses) for i in range(presses)) == [k / presses for k in range(presses)]
        last, phases = 0.0, [0.0]
        for i in range(1, presses):
            due = bench.press_due(i, presses, 0.150, last, now=last + 0.05)
            assert 0.150 <= due - last < 0.150 + frame  # at least 150 ms apart, at most one frame more
            phases.append(round(due % frame / frame * presses) % presses)
            last = due
        assert sorted(phases) == list(range(presses))
        quick = [bench.press_due(i, presses, 0.0, 0.0, now=1.0) - 1.0 for i in range(presses)]
        assert sorted(round(d / frame * presses) for d in quick) == list(range(presses))
    # neighbouring presses do not keep to one part of the frame
    assert all(abs(bench.press_phase(i + 1, 24) - bench.press_phase(i, 24)) > 0.2 for i in range(23))


def frames(rows):
    """Drag frames from (ms, slider value, key list) rows."""
    return [[ms, None if value is None else str(value), json.dumps(key)] for ms, value, key in rows]


def test_drag_counts_the_pictures_shown_of_the_values_passed():
    # the dragged slider is the second control; the first one equals the value at times, which must not confuse it
    rows = [(0, 0, [1, 0]), (16, 1, [1, 0]), (33, 1, [1, 1]), (50, 3, [1, 1]), (66, 3, [1, 3]), (83, 3, [1, 3])]
    d = bench.drag_figures(frames(rows), 0, 3)
    assert d["values_passed"] == 3  # 0, 1, 3: the slider never read 2
    assert d["pictures_shown"] == 3 and d["values_not_shown"] == []
    assert d["frames"] == 4 and d["reached_top"]  # up to the first frame at the top
    assert abs(d["fps"] - 3 / 0.050) < 1e-9 and d["longest_frame_gap_ms"] == 17
    assert d["picture_changes"] == 1


def test_drag_reports_a_value_whose_picture_never_showed():
    rows = [(0, 0, [0]), (16, 1, [0]), (33, 2, [0]), (50, 2, [2]), (66, 2, [2])]
    d = bench.drag_figures(frames(rows), 0, 2)
    assert d["values_passed"] == 3 and d["pictures_shown"] == 2 and d["values_not_shown"] == [1.0]


def test_drag_that_never_reaches_the_top_says_so():
    d = bench.drag_figures(frames([(0, 0, [0]), (16, 1, [1])]), 0, 3)
    assert not d["reached_top"]


def test_the_suite_s_summary_is_pytest_s_line_not_make_s():
    out = (
        "........ [100%]\n================ 3939 passed, 4 skipped in 807.29s (0:13:27) ================\n"
        "make[1]: Leaving directory '/tmp/fresh'\n"
    )
    assert bench.pytest_summary(out) == "3939 passed, 4 skipped in 807.29s (0:13:27)"
    assert bench.pytest_summary("== 2 failed, 9 passed in 3.1s ==\nmake: *** [Makefile:52: test] Error 1\n") == (
        "2 failed, 9 passed in 3.1s"
    )
    assert bench.pytest_summary("make: nothing to be done\n") == "make: nothing to be done"


def test_the_run_without_browser_tests_leaves_out_every_module_that_drives_chromium():
    left_out = bench.browser_modules()
    for module in ("tests/test_browser.py", "tests/test_a11y_browser.py", "tests/test_lab_alt.py"):
        assert module in left_out
    assert "tests/test_live_slides.py" not in left_out  # browser-free since the walk moved to test_browser


def test_how_busy_the_cores_were_is_the_busy_share_of_the_ticks_between_two_readings():
    assert bench.busy_share((100, 1000), (400, 1600)) == 0.5
    assert bench.busy_share(None, (1, 2)) is None
    assert bench.busy_share((1, 2), (1, 2)) is None  # no time passed
    now = bench.cpu_ticks()
    if Path("/proc/stat").exists():
        busy, total = now
        assert 0 <= busy <= total
