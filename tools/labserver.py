"""Start a private JupyterLab on a copy of the notebooks, for the browser tests and the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = REPO_ROOT / ".venv" / "bin"
ARTIFACTS = REPO_ROOT / "artifacts"


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens, its token, the served copy and its log."""

    port: int
    token: str
    root_dir: Path
    log_path: Path
    pid: int

    @property
    def base_url(self) -> str:
        """The server's address, without the token."""
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, notebook: str | None = None) -> str:
        """The JupyterLab page (optionally opening `notebook`, relative to root_dir), with the token."""
        if notebook is None:
            return f"{self.base_url}/lab?token={self.token}"
        # reset: start from an empty workspace, so notebooks opened earlier are not restored as hidden tabs
        return f"{self.base_url}/lab/tree/{notebook}?reset&token={self.token}"

    def request(self, path: str, *, method: str = "GET", with_token: bool = True) -> tuple[int, object]:
        """Call the server's REST API; return (HTTP status, decoded JSON body or None)."""
        return _http(self.base_url + path, self.token if with_token else None, method)


def _http(url: str, token: str | None, method: str = "GET", timeout: float = 10) -> tuple[int, object]:
    """One HTTP request; errors come back as their status instead of raising."""
    headers = {"Authorization": f"token {token}"} if token else {}
    req = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local IP addresses with a socket in LISTEN state on `port` (Linux /proc/net)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with contextlib.suppress(FileNotFoundError), open(table) as fh:
            for line in list(fh)[1:]:
                local, state = line.split()[1], line.split()[3]
                hex_ip, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port and len(hex_ip) == width:
                    found.add(_proc_ip(hex_ip))
    return found


def _proc_ip(hex_ip: str) -> str:
    """Decode an address from /proc/net/tcp{,6} (32-bit words in host byte order)."""
    words = [bytes.fromhex(hex_ip[i : i + 8])[::-1] for i in range(0, len(hex_ip), 8)]
    return socket.inet_ntop(socket.AF_INET if len(words) == 1 else socket.AF_INET6, b"".join(words))


def _copy_sources(sources: dict[str, Path], root: Path) -> None:
    """Copy each source folder into root/<name>, leaving checkpoints and caches behind."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name, src in sources.items():
        shutil.copytree(src, root / name, ignore=ignore)


def _state_env(state: Path, token: str) -> dict[str, str]:
    """Environment that keeps every piece of Jupyter's per-user state inside `state`.

    The project's own settings still load: they live in the venv (sys.prefix/etc/jupyter and
    sys.prefix/share/jupyter/lab/settings), which `make install` fills and these do not shadow.
    The token goes through the environment so that it does not show up in `ps`.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": "config",  # ~/.jupyter: user config must not leak in
        "JUPYTER_DATA_DIR": "data",  # trust database, user kernelspecs
        "JUPYTER_RUNTIME_DIR": "runtime",  # server info and kernel connection files
        "JUPYTERLAB_SETTINGS_DIR": "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
    }
    env = dict(os.environ)
    for var, sub in dirs.items():
        (state / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(state / sub)
    env["JUPYTER_TOKEN"] = token
    env.pop("JUPYTER_PREFER_ENV_PATH", None)
    return env


def _command(port: int, root: Path, extra_args: tuple[str, ...] = ()) -> list[str]:
    """The `jupyter lab` command line from the project's .venv (`extra_args` go last)."""
    jupyter = VENV_BIN / "jupyter"
    if not jupyter.exists():
        raise FileNotFoundError(f"{jupyter} is missing: run `make install` first")
    cmd = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",  # fail loudly instead of moving to another port
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd + list(extra_args)


def _wait_until_up(proc: subprocess.Popen, port: int, token: str, log_path: Path, timeout: float) -> None:
    """Poll /api/status with the token until the server answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}; log: {log_path}\n{_tail(log_path)}")
        with contextlib.suppress(OSError):
            if _http(f"http://127.0.0.1:{port}/api/status", token, timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s; log: {log_path}\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file."""
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def _stop(proc: subprocess.Popen, port: int, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then terminate, then kill its group."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            _http(f"http://127.0.0.1:{port}/api/shutdown", token, method="POST", timeout=5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    if proc.poll() is None:
        proc.terminate()  # SIGTERM: the server still stops its kernels
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    if proc.poll() is None:
        # Not reaped yet, so the group id is still ours: the server and its kernels go together.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def running_lab(
    sources: dict[str, Path] | None = None,
    log_dir: Path = ARTIFACTS / "lab",
    startup_timeout: float = 120,
    extra_args: tuple[str, ...] = (),
) -> Iterator[LabServer]:
    """Serve a temporary copy of `sources` (name -> folder; default notebooks/) with JupyterLab.

    The server runs with the project's settings from the venv; `extra_args` (command-line options
    such as `--ServerApp.x=y`) override them, for comparisons only.

    JupyterLab autosaves notebooks and writes runtime, workspace and settings files; all of that
    happens in a temporary folder, so the working tree is left as it was.
    """
    sources = sources if sources is not None else {"notebooks": REPO_ROOT / "notebooks"}
    token = secrets.token_hex(24)
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-outputs-lab-") as tmp:
        root, state = Path(tmp) / "root", Path(tmp) / "state"
        root.mkdir()
        _copy_sources(sources, root)
        port = free_port()
        log_path = log_dir / "jupyterlab.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                _command(port, root, extra_args),
                cwd=root,
                env=_state_env(state, token),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_up(proc, port, token, log_path, startup_timeout)
            yield LabServer(port=port, token=token, root_dir=root, log_path=log_path, pid=proc.pid)
        finally:
            _stop(proc, port, token)
            _redact(log_path, token)


def _redact(log_path: Path, token: str) -> None:
    """Replace the token in the kept log, so the artifact holds no secret."""
    with contextlib.suppress(OSError):
        log_path.write_text(log_path.read_text(errors="replace").replace(token, "<token>"))
