"""The class hub (`make hub`, issue 28): students are kept apart, and only listed students with their password get in.

The security test starts a real hub on 127.0.0.1 with two students, as root (the hub creates a Unix
user per student); without root it is skipped and says so. Whatever happens, it leaves no user,
process or file behind: tools.hub.running_hub removes them on the way out, and the test checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

try:
    import pwd  # Unix only, as is the hub
except ImportError:
    pwd = None

from tools import hub as hubtool

REPO = Path(__file__).resolve().parent.parent
IS_ROOT = pwd is not None and hasattr(os, "geteuid") and os.geteuid() == 0
CLOSED = hubtool.closed_folder(REPO / ".venv")
needs_root = pytest.mark.skipif(
    not IS_ROOT or shutil.which("useradd") is None or CLOSED is not None,
    reason="the class hub creates a Unix user per student and switches to it: this test needs root and useradd"
    if CLOSED is None
    else f"the students' servers could not enter {CLOSED} (closed to other users), where this repository lives",
)


# --- checks that need nothing ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ann", "1ann", "ann smith", "ann/..", "a" * 21, "root;x", "-ann"])
def test_a_bad_student_name_is_refused_with_what_is_allowed(tmp_path, name):
    path = tmp_path / "class.txt"
    path.write_text(f"ann\n{name}\n")
    with pytest.raises(ValueError, match=r"students line 2=.*lower-case letters, digits"):
        hubtool.read_students(path)
    with pytest.raises(ValueError, match=r"admin=.*starting with a letter"):
        hubtool.make_settings(["ann"], name, tmp_path / "hub")


def test_students_file_comments_blank_lines_and_duplicates(tmp_path):
    path = tmp_path / "class.txt"
    path.write_text("# class 3B\nann\n\nben  # back row\n")
    assert hubtool.read_students(path) == ["ann", "ben"]
    path.write_text("ann\nben\nann\n")
    with pytest.raises(ValueError, match="line 3: 'ann' is listed twice"):
        hubtool.read_students(path)
    with pytest.raises(ValueError, match="no such file"):
        hubtool.read_students(tmp_path / "missing.txt")


def test_the_hub_refuses_to_start_without_root(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(hubtool.os, "geteuid", lambda: 1000, raising=False)
    with pytest.raises(hubtool.HubError, match="must run as root: it creates one Unix user per student"):
        hubtool.require_root()
    (tmp_path / "class.txt").write_text("ann\n")
    assert hubtool.main(["--students", str(tmp_path / "class.txt"), "--admin", "teacher", "--dir", str(tmp_path)]) == 2
    assert "make hub: the class hub must run as root" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "class.txt"]  # nothing made


def test_the_hub_config_listens_on_localhost_and_keeps_log_in():
    text = (REPO / "tools" / "hub_config.py").read_text()
    assert "0.0.0.0" not in text and "admin_access = False" in text
    assert re.findall(r'_url = f"http://([^:]+):', text) == ["127.0.0.1"] * 3
    assert 'authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"' in text
    assert "create_users = False" in text
    assert not re.search(r"allow_all\s*=\s*True|DummyAuthenticator|NullAuthenticator|disable_check_xsrf", text)


# --- the security test ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub_installed():
    """`make hub`'s installs: the hub's pins into .venv, the pinned proxy from npm (minutes the first time)."""
    targets = [".venv/.hub-installed", "deploy/proxy/node_modules/.bin/configurable-http-proxy"]
    done = subprocess.run(["make", "-s", *targets], cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr


ISOLATION = """
import json, os, torch
theirs = {home!r}
found = {{"uid": os.getuid(), "threads": torch.get_num_threads(), "interop": torch.get_num_interop_threads()}}
for what, act in [
    ("list", lambda: os.listdir(theirs)),
    ("read", lambda: open(os.path.join(theirs, "rnn-outputs", "notebooks", "01_output_vs_h_n.ipynb")).read()),
    ("write", lambda: open(os.path.join(theirs, "planted.txt"), "w").write("x")),
]:
    try:
        act()
        found[what] = "allowed"
    except PermissionError:
        found[what] = "denied"
print(json.dumps(found))
"""


def _refused(answer: requests.Response) -> bool:
    return answer.status_code in (403, 404) and "kernels" not in answer.text[:20]


@needs_root
@pytest.mark.timeout(120, func_only=True)
def test_two_students_are_kept_apart(hub_installed):
    from tools.hub_client import Student

    started = time.monotonic()
    with hubtool.running_hub(["ann", "ben"], "teacher", startup_timeout=60, start_timeout=75) as hub:
        users = {name: hub.unix_user(name) for name in ("ann", "ben", "teacher")}
        base = Path(hub.settings.state_dir).parent
        ann = Student(hub.url, "ann", "ann-first-pass")
        ben = Student(hub.url, "ben", "ben-first-pass")

        # Log-in: the first password sticks; a wrong one and a name not on the list are refused.
        for student in (ann, ben):
            answer = student.login()
            assert answer.status_code == 302, (student.name, answer.status_code, hub.tail())
        for name, password in (("ann", "not-anns-pass"), ("zed", "zed-first-pass")):
            stranger = Student(hub.url, name, password)
            answer = stranger.login()
            assert answer.status_code != 302, f"{name} with {password!r} got in"
            assert stranger.hub_api("GET", "/user").status_code == 403
        passwords = b"".join(p.read_bytes() for p in Path(hub.settings.state_dir).glob("passwords.dbm*"))
        assert b"ann-first-pass" not in passwords and b"$2b$" in passwords  # bcrypt hashes only

        # Both start a server and run a cell in their own kernel, as their own Unix user.
        kernels = {}
        for student in (ann, ben):
            student.start_server(timeout=75)
            student.authorize()
            kernel_id = student.new_session("rnn-outputs/notebooks/01_output_vs_h_n.ipynb")
            kernels[student.name] = student.kernel(kernel_id)
            run = kernels[student.name].execute("print(6 * 7)", timeout=60)
            assert (run.status, run.stdout) == ("ok", "42\n"), run

        # Ann's browser session cannot reach Ben's server or Ben's part of the hub's API.
        assert _refused(ann.open_server("ben")), ann.open_server("ben").status_code
        assert _refused(ann.server_api("GET", "/kernels", name="ben"))
        assert _refused(ann.server_api("POST", "/kernels", name="ben", json={"name": "python3"}))
        assert ann.hub_api("GET", "/users/ben").status_code in (403, 404)
        assert ann.hub_api("DELETE", "/users/ben/server").status_code in (403, 404)
        assert ann.server_api("GET", "/kernels").status_code == 200  # her own: allowed

        # The project's Jupyter settings: TCP_NODELAY kernel websockets, no news prompt in JupyterLab.
        assert "TCP_NODELAY on" in hub.log_path.read_text()
        news = ann.http.get(f"{hub.url}/user/ann/lab/api/settings/@jupyterlab/apputils-extension:notification")
        assert news.status_code == 200, news.status_code
        assert news.json()["schema"]["properties"]["fetchNews"]["default"] == "false", news.text[:300]

        # No log-in: sent to the log-in page.
        anonymous = requests.get(f"{hub.url}/user/ann/lab", timeout=30)
        assert urlparse(anonymous.url).path == "/hub/login", anonymous.url

        # Code in Ann's kernel cannot list, read or write Ben's home; torch uses one thread.
        ben_home = pwd.getpwnam(users["ben"]).pw_dir
        run = kernels["ann"].execute(ISOLATION.format(home=ben_home), timeout=90)
        assert run.status == "ok", run
        found = json.loads(run.stdout)
        assert found == {
            "uid": pwd.getpwnam(users["ann"]).pw_uid,
            "threads": 1,
            "interop": found["interop"],
            "list": "denied",
            "read": "denied",
            "write": "denied",
        }, found
        assert not (Path(ben_home) / "planted.txt").exists()
        assert os.stat(ben_home).st_mode & 0o777 == 0o700
        for kernel in kernels.values():
            kernel.close()
        uids = {name: pwd.getpwnam(user).pw_uid for name, user in users.items() if _exists(user)}

    # Everything it made is gone: users, homes, processes, files.
    for user in users.values():
        assert not _exists(user), f"Unix user {user} is left behind"
        assert not Path("/home", user).exists()
    assert not base.exists()
    left = [p.pid for uid in uids.values() for p in hubtool.processes_of(uid)]
    assert left == [], f"processes left running: {left}"
    assert time.monotonic() - started < 120


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _notebook(text: str) -> str:
    cell = {"cell_type": "markdown", "id": "c0", "metadata": {}, "source": text}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@needs_root
@pytest.mark.timeout(150, func_only=True)
def test_culling_and_course_updates_keep_a_students_work(hub_installed, tmp_path):
    """An idle kernel, then an idle server, are stopped; the teacher's next commit reaches the student at the
    next start, and the student's own edits and files are still there."""
    from tools.hub_client import Student

    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "notebooks" / "00_start_here.ipynb").write_text(_notebook("# the teacher's first version"))
    _git(course, "init", "--quiet", "--initial-branch=main")
    _git(course, "add", "notebooks")
    _git(course, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "course")
    with hubtool.running_hub(
        ["cid"], "teacher", course=course, kernel_idle=8, server_idle=25, startup_timeout=60, start_timeout=75
    ) as hub:
        cid = Student(hub.url, "cid", "cid-first-pass")
        assert cid.login().status_code == 302
        cid.start_server(timeout=75)
        cid.authorize()
        mine = "rnn-outputs/notebooks/00_start_here.ipynb"
        edited = json.loads(_notebook("# the teacher's first version, with my notes"))
        assert cid.server_api("PUT", f"/contents/{mine}", json={"type": "notebook", "content": edited}).ok
        own = {"type": "notebook", "content": json.loads(_notebook("# my own notebook"))}
        assert cid.server_api("PUT", "/contents/rnn-outputs/notebooks/mine.ipynb", json=own).ok
        kernel_id = cid.new_session(mine)

        # The idle kernel goes first (kernel_idle), while the server stays up.
        assert _wait(lambda: kernel_id not in [k["id"] for k in cid.server_api("GET", "/kernels").json()], 60)
        # The teacher commits an update meanwhile.
        (course / "notebooks" / "01_next.ipynb").write_text(_notebook("# the teacher's update"))
        _git(course, "add", "notebooks")
        _git(course, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "update")
        # Then the idle server (server_idle), stopped by jupyterhub-idle-culler.
        assert _wait(lambda: not cid.hub_api("GET", "/users/cid").json().get("servers"), 90), hub.tail()

        cid.start_server(timeout=75)
        home = Path(pwd.getpwnam(hub.unix_user("cid")).pw_dir) / "rnn-outputs" / "notebooks"
        assert "the teacher's update" in (home / "01_next.ipynb").read_text()
        assert "with my notes" in (home / "00_start_here.ipynb").read_text()
        assert "my own notebook" in (home / "mine.ipynb").read_text()


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False
