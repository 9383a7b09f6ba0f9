"""No test is skipped in silence: with Chromium missing, the run's summary says which tests were skipped and how to
get Chromium (tests/conftest.py's pytest_terminal_summary).

Each case runs pytest in a child process on a small test folder that uses the hook from tests/conftest.py. The
Chromium case uses the real `browser` fixture of tests/test_browser.py with Chromium's path pointed at a file that
does not exist, so what is checked is what `make test` prints on a machine without Chromium.
"""

import os
import subprocess
import sys
import textwrap

from tools import labpage

CONFTEST = textwrap.dedent(
    """
    from tests.conftest import pytest_terminal_summary, pytest_unconfigure  # noqa: F401  (the hook under test)
    """
)
NO_CHROMIUM = textwrap.dedent(
    """
    from tools import labpage

    labpage.CHROMIUM = {missing!r}  # Debian's place for it, pointed at nothing
    """
)
BROWSER_TESTS = textwrap.dedent(
    """
    from tests.test_browser import browser  # noqa: F401  (the browser tests' own fixture)


    def test_one_view_in_the_browser(browser):
        pass


    def test_another_view_in_the_browser(browser):
        pass


    def test_without_the_browser():
        pass
    """
)


def run_pytest(folder, repo, *files):
    """pytest on folder in a child process, without CI=true (under which a missing Chromium fails instead)."""
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "CHROMIUM", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(repo)
    env["PATH"] = str(folder / "bin")  # no chromium on PATH either
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # nbval, playwright's plugin...: seconds to load, none needed here
    (folder / "bin").mkdir(exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    for name, text in files:
        (folder / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--color=no", str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done


def test_missing_chromium_is_named_at_the_end_with_how_to_get_it(tmp_path, repo):
    missing = tmp_path / "no-chromium-here"
    done = run_pytest(
        tmp_path,
        repo,
        ("conftest.py", CONFTEST + NO_CHROMIUM.format(missing=str(missing))),
        ("test_views.py", BROWSER_TESTS),
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "1 passed, 2 skipped" in out
    section = out.index("2 tests skipped, by reason")
    assert section > out.index("test_views.py")  # after the tests ran, before the final line
    assert out.rindex("1 passed, 2 skipped") > section
    summary = out[section:]
    assert "2 skipped (test_views.py): " + labpage.INSTALL_HINT in summary
    assert "apt-get install chromium" in summary and "set CHROMIUM to its executable" in summary
    assert 'README.md, "Set-up"' in summary


def test_skips_are_grouped_by_reason_and_only_a_missing_tool_gets_a_hint(tmp_path, repo):
    tests = textwrap.dedent(
        """
        import pytest


        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_slow(n):
            pytest.skip("needs RUN_SLOW=1")


        def test_platform():
            pytest.skip("only on Windows")


        @pytest.mark.xfail(reason="known problem")
        def test_known():
            assert False
        """
    )
    done = run_pytest(tmp_path, repo, ("conftest.py", CONFTEST), ("test_some.py", tests))
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    summary = out[out.index("4 tests skipped, by reason") :]  # the expected failure is not a skip
    assert summary.index("3 skipped (test_some.py): needs RUN_SLOW=1") < summary.index(
        "1 skipped (test_some.py): only on Windows"
    )
    assert "to run them" not in summary


def test_a_run_without_skips_prints_no_skip_section(tmp_path, repo):
    done = run_pytest(tmp_path, repo, ("conftest.py", CONFTEST), ("test_fine.py", "def test_fine():\n    pass\n"))
    assert done.returncode == 0 and "1 passed" in done.stdout
    assert "skipped, by reason" not in done.stdout
