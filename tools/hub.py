"""A JupyterHub for a class on this machine (`make hub`), and the same hub for the tests and `make bench-class`.

Usage (as root; `make hub` installs what it needs first):

    python -m tools.hub --students students.txt --admin teacher [--port 8000] [--dir /srv/rnn-outputs-hub]

The students file has one name per line (`#` starts a comment). Each student logs in at
http://127.0.0.1:PORT with their name and sets a password the first time (FirstUseAuthenticator:
only listed names, passwords kept as bcrypt hashes). The teacher (`--admin`) logs in the same way and
is the hub's admin. Every student runs as their own Unix user (`jupyter-<name>`), with the course
pulled into ~/rnn-outputs by nbgitpuller at each start. The hub listens on 127.0.0.1 only: to open it
to a network, put it behind a TLS reverse proxy (README, "A class on one server").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

from tools.labserver import REPO_ROOT, free_port

VENV = REPO_ROOT / ".venv"
VENV_BIN = VENV / "bin"
# Where the students' copy of the interpreter goes when the venv's own one is out of their reach.
STUDENT_PYTHON = REPO_ROOT / "artifacts" / "hub" / "python"
PROXY = REPO_ROOT / "deploy" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG = REPO_ROOT / "tools" / "hub_config.py"
COURSE_BRANCH = "main"
COURSE_FOLDER = "rnn-outputs"  # where the course lands in each student's home
# A hub user name that is also safe as (the end of) a Unix user name.
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")


def check_name(name: str, parameter: str = "name") -> str:
    """Return `name` if it can be a student's name, else raise ValueError saying what is allowed."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(
            f"{parameter}={name!r}: a student's name is 1 to 20 characters, lower-case letters, digits, '-' or '_', "
            "starting with a letter"
        )
    return name


def unix_name(prefix: str, name: str) -> str:
    """The Unix user that runs student `name`'s server."""
    return prefix + check_name(name)


def git_safe_env(base: Path, repos: list[Path]) -> dict[str, str]:
    """git refuses a repository owned by another user unless a global setting says it is safe.

    The teacher's clone (read by root) and the mirror (read by the students) are listed in a small
    global git config of the hub's own; git 2.39 ignores safe.directory given in any other way.
    """
    config = Path(base) / "gitconfig"
    config.write_text("[safe]\n" + "".join(f"\tdirectory = {Path(r).resolve()}\n" for r in repos))
    os.chmod(config, 0o644)
    return {"GIT_CONFIG_GLOBAL": str(config)}


class HubError(RuntimeError):
    """The hub cannot be started as asked; the message says why and what to do."""


@dataclass
class HubSettings:
    """What tools/hub_config.py turns into JupyterHub's settings (written as JSON to the state folder)."""

    students: list[str]
    admin: str
    state_dir: str
    course_repo: str
    mirror_update: list[str]
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    unix_prefix: str = "jupyter-"
    course_branch: str = COURSE_BRANCH
    python: str = str(VENV_BIN / "python")
    student_env: dict = field(default_factory=dict)
    git_env: dict = field(default_factory=dict)
    proxy_command: str = str(PROXY)
    start_timeout: int = 180
    kernel_idle: int = 1200  # seconds without activity before a kernel is shut down
    server_idle: int = 3600  # seconds without activity before a student's server is stopped
    extra: dict = field(default_factory=dict)


def read_students(path: Path) -> list[str]:
    """The names in a students file: one per line, `#` comments and blank lines ignored, no duplicates."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"students={str(path)!r}: no such file; give a file with one student name per line")
    names = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        name = line.split("#")[0].strip()
        if not name:
            continue
        check_name(name, f"students line {number}")
        if name in names:
            raise ValueError(f"students line {number}: {name!r} is listed twice")
        names.append(name)
    if not names:
        raise ValueError(f"students={str(path)!r}: the file lists no student")
    return names


def require_root() -> None:
    """The hub creates a Unix user per student and starts each server as that user: only root can."""
    if os.geteuid() != 0:
        raise HubError(
            "the class hub must run as root: it creates one Unix user per student and starts each student's "
            "server as that user (as The Littlest JupyterHub does). Run `sudo make hub ...`."
        )


def closed_folder(path: Path) -> Path | None:
    """The first folder on the way to `path` (symbolic links followed) that other users cannot pass, or None."""
    resolved = Path(path).resolve()
    for folder in [*reversed(resolved.parents), resolved]:
        if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def require_readable_by_students(path: Path) -> None:
    """Every folder from / down to `path` must let other users through, or students cannot use it."""
    folder = closed_folder(path)
    if folder is not None:
        raise HubError(
            f"{folder} is closed to other users (mode {stat.filemode(folder.stat().st_mode)}), so the students' "
            f"servers could not use {path}. Put the course in a folder every user can read (for example "
            "/opt/rnn-outputs) and run `make hub` there."
        )


def student_python(cache: Path = STUDENT_PYTHON) -> tuple[Path, dict[str, str]]:
    """A Python that every student can run and that sees the project's .venv; returns it and its environment.

    On a usual server the venv's interpreter is readable by all and is used as it is. When it is not
    (a Python built under /root, as pyenv does), the interpreter and its standard library (not its
    site-packages) are copied once into `cache`, beside a small venv whose only package is a .pth line
    that adds the project's .venv. Either way the students' processes read the .venv's Jupyter settings,
    JupyterLab and kernel through JUPYTER_CONFIG_PATH, JUPYTER_PATH and JUPYTERLAB_DIR.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = VENV / "lib" / version / "site-packages"
    require_readable_by_students(site_packages)
    env = {
        "JUPYTER_CONFIG_PATH": str(VENV / "etc" / "jupyter"),
        "JUPYTER_PATH": str(VENV / "share" / "jupyter"),
        "JUPYTERLAB_DIR": str(VENV / "share" / "jupyter" / "lab"),
    }
    if closed_folder(VENV_BIN / "python") is None:
        return VENV_BIN / "python", env
    base = Path(sys.base_prefix)
    home, venv = cache / "base", cache / "venv"
    stamp = cache / "made-from.txt"
    made_from = f"{base} {sys.version}"
    env["LD_LIBRARY_PATH"] = str(home / "lib")  # the copied interpreter's libpython (its RUNPATH names the original)
    if not stamp.exists() or stamp.read_text() != made_from:
        shutil.rmtree(cache, ignore_errors=True)
        (home / "bin").mkdir(parents=True)
        (home / "lib").mkdir()
        shutil.copy2(base / "bin" / version, home / "bin" / version)
        for lib in (base / "lib").glob("libpython*.so*"):
            shutil.copy2(lib, home / "lib" / lib.name)
        shutil.copytree(
            base / "lib" / version,
            home / "lib" / version,
            symlinks=True,
            ignore=shutil.ignore_patterns("site-packages", "test", "idle_test", "tkinter", "turtledemo"),
        )
        (home / "lib" / version / "site-packages").mkdir()
        subprocess.run(
            [str(home / "bin" / version), "-m", "venv", "--without-pip", str(venv)],
            check=True,
            env={**os.environ, "LD_LIBRARY_PATH": env["LD_LIBRARY_PATH"]},
        )
        pth = venv / "lib" / version / "site-packages" / "rnn-outputs-venv.pth"
        pth.write_text(f"import site; site.addsitedir({str(site_packages)!r})\n")
        for root, dirs, _files in os.walk(cache):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        stamp.write_text(made_from)
    require_readable_by_students(venv / "bin" / "python")
    return venv / "bin" / "python", env


def require_installed() -> None:
    for tool in (VENV_BIN / "jupyterhub", VENV_BIN / "jupyterhub-singleuser", VENV_BIN / "gitpuller", PROXY):
        if not tool.exists():
            raise HubError(f"{tool} is missing: run `make hub`, which installs the hub's pins and the proxy")


def prepare_mirror(repo: Path, mirror: Path, git_env: dict[str, str]) -> list[str]:
    """A bare copy of the course's committed state that the students pull from; returns the command that refreshes it.

    The students pull what the teacher has committed (HEAD of `repo`), never half-done edits, and each
    start of a student's server refreshes the mirror first, so new commits reach them.
    """
    env = {**os.environ, **git_env}
    if not (mirror / "HEAD").exists():
        mirror.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--quiet", "--bare", str(mirror)], check=True, env=env)
        subprocess.run(
            ["git", "-C", str(mirror), "symbolic-ref", "HEAD", f"refs/heads/{COURSE_BRANCH}"], check=True, env=env
        )
    update = ["git", "-C", str(mirror), "fetch", "--quiet", "--force", str(repo), f"HEAD:refs/heads/{COURSE_BRANCH}"]
    subprocess.run(update, check=True, env=env)
    for root, dirs, files in os.walk(mirror):  # readable by the students, writable by root only
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    os.chmod(mirror, 0o755)
    return update


def make_settings(
    students: list[str],
    admin: str,
    base: Path,
    port: int = 8000,
    unix_prefix: str = "jupyter-",
    course: Path = REPO_ROOT,
    **options,
) -> HubSettings:
    """Lay out `base` (state/ private to root, course.git readable) and return the hub's settings."""
    check_name(admin, "admin")
    for name in students:
        check_name(name, "students")
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    state = base / "state"
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)  # cookie secret, database, password hashes
    mirror = base / "course.git"
    git_env = git_safe_env(base, [mirror, course, Path(course) / ".git"])
    update = prepare_mirror(course, mirror, git_env)
    free = {"hub_port": free_port(), "proxy_api_port": free_port()}
    free.update({k: options.pop(k) for k in list(options) if k in free})
    python, student_env = student_python()
    return HubSettings(
        python=str(python),
        student_env=student_env,
        git_env=git_env,
        students=list(students),
        admin=admin,
        state_dir=str(state),
        course_repo=f"file://{mirror}",
        mirror_update=update,
        port=port,
        unix_prefix=unix_prefix,
        **free,
        **options,
    )


def hub_command(settings: HubSettings) -> tuple[list[str], dict[str, str]]:
    """Write the settings where tools/hub_config.py reads them; return the jupyterhub command and environment."""
    path = Path(settings.state_dir) / "settings.json"
    path.write_text(json.dumps(asdict(settings), indent=2))
    os.chmod(path, 0o600)
    env = {**os.environ, **settings.git_env, "RNN_HUB_SETTINGS": str(path)}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    command = [str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG), "--no-ssl"]
    return command, env


@dataclass
class RunningHub:
    """A hub started by running_hub: its address, settings and log."""

    settings: HubSettings
    log_path: Path
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def unix_user(self, name: str) -> str:
        return unix_name(self.settings.unix_prefix, name)

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def wait_until_up(proc: subprocess.Popen, url: str, log_path: Path, timeout: float) -> None:
    """Poll the hub's API through the proxy until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HubError(f"jupyterhub exited with {proc.returncode}; log {log_path}:\n{_tail(log_path)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/hub/api", timeout=3).status_code == 200:
                return
        time.sleep(0.3)
    raise HubError(f"the hub did not answer within {timeout:.0f} s; log {log_path}:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def processes_of(uid: int) -> list:
    """The processes running as `uid` (psutil objects)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["uids"] and proc.info["uids"].real == uid:
                found.append(proc)
    return found


def stop_hub(proc: subprocess.Popen) -> None:
    """SIGTERM (the hub stops every student's server and the proxy), then SIGKILL the group if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=40)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def remove_unix_user(user: str) -> None:
    """Stop what still runs as `user` (processes the hub started for it), then delete the user and its home."""
    import pwd

    import psutil

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return

    for _ in range(3):
        procs = processes_of(entry.pw_uid)
        if not procs:
            break
        for p in procs:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(procs, timeout=5)
    subprocess.run(["userdel", "--remove", user], capture_output=True)
    if Path(entry.pw_dir).exists() and Path(entry.pw_dir).name == user:
        shutil.rmtree(entry.pw_dir, ignore_errors=True)


@contextlib.contextmanager
def running_hub(
    students: list[str],
    admin: str = "teacher",
    startup_timeout: float = 90,
    log_dir: Path = REPO_ROOT / "artifacts" / "hub",
    **options,
) -> Iterator[RunningHub]:
    """A throw-away class hub on 127.0.0.1 for tests and benchmarks (as root).

    Its Unix users get a fresh random prefix, so none can exist before; on the way out (also after a
    failure) the hub is stopped, every process of those users is killed, the users and their homes are
    deleted, and the temporary folder goes.
    """
    import pwd

    require_root()
    require_installed()
    prefix = f"rh{secrets.token_hex(3)}-"
    log_dir.mkdir(parents=True, exist_ok=True)
    users = [unix_name(prefix, name) for name in [*students, admin]]
    for user in users:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            raise HubError(f"Unix user {user} exists already; refusing to touch it")
    base = Path(tempfile.mkdtemp(prefix="rnn-outputs-hub-"))
    log_path = log_dir / "jupyterhub.log"
    proc = None
    try:
        settings = make_settings(students, admin, base, port=free_port(), unix_prefix=prefix, **options)
        command, env = hub_command(settings)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=settings.state_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        hub = RunningHub(settings=settings, log_path=log_path, pid=proc.pid)
        wait_until_up(proc, hub.url, log_path, startup_timeout)
        yield hub
    finally:
        if proc is not None:
            stop_hub(proc)
        for user in users:
            remove_unix_user(user)
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hub", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", required=True, type=Path, help="file with one student name per line")
    parser.add_argument("--admin", required=True, help="the teacher's name (the hub's admin)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    parser.add_argument("--dir", type=Path, default=Path("/srv/rnn-outputs-hub"), help="the hub's own files")
    parser.add_argument("--kernel-idle", type=int, default=1200, help="seconds before an idle kernel stops")
    parser.add_argument("--server-idle", type=int, default=3600, help="seconds before an idle server stops")
    args = parser.parse_args(argv)
    try:
        require_root()
        require_installed()
        students = read_students(args.students)
        settings = make_settings(
            students,
            args.admin,
            args.dir,
            port=args.port,
            hub_port=8081,
            proxy_api_port=8001,
            kernel_idle=args.kernel_idle,
            server_idle=args.server_idle,
        )
    except (HubError, ValueError, subprocess.CalledProcessError) as err:
        print(f"make hub: {err}", file=sys.stderr)
        return 2
    command, env = hub_command(settings)
    print(
        f"A hub for {len(students)} students and {args.admin} (admin) on http://127.0.0.1:{args.port}\n"
        f"Each one logs in with their name and chooses a password the first time. Ctrl-C stops the hub.\n"
        f"Its files: {args.dir} (students' homes: /home/{settings.unix_prefix}<name>)",
        flush=True,
    )
    os.chdir(settings.state_dir)
    os.execvpe(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
