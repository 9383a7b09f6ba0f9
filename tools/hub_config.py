"""JupyterHub's configuration for a class (`jupyterhub -f tools/hub_config.py`), read by the hub at start.

`python -m tools.hub` (behind `make hub`) writes the class's settings to a JSON file and points
RNN_HUB_SETTINGS at it; this file turns them into JupyterHub's settings. Everything listens on
127.0.0.1 only; put the hub behind a TLS reverse proxy to open it to a network (README, "A class on
one server").
"""

# ruff: noqa: F821  (`c` is the configuration object that JupyterHub provides to this file)

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # so that the hub can import tools.hub_spawner

settings = json.loads(Path(os.environ["RNN_HUB_SETTINGS"]).read_text())
state = Path(settings["state_dir"])
python = settings["python"]  # a Python every student can run, that sees the project's .venv (tools/hub.py)

# --- where things listen: the loopback interface only ----------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy_command"]]
c.ConfigurableHTTPProxy.should_start = True
c.Spawner.ip = "127.0.0.1"

# --- the hub's own files: private to root -----------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server
c.JupyterHub.admin_access = False  # the teacher manages the class, but cannot open a student's server

# --- log-in: the teacher's list of students; each sets a password at first log-in (bcrypt hash) -
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
c.FirstUseAuthenticator.create_users = False  # a name that is not on the list cannot log in
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allowed_users = set(settings["students"])
c.Authenticator.admin_users = {settings["admin"]}

# --- each student's server: their own Unix user, the course in ~/rnn-outputs, the project's settings
c.JupyterHub.spawner_class = "tools.hub_spawner.CourseSpawner"
c.CourseSpawner.unix_prefix = settings["unix_prefix"]
c.CourseSpawner.course_repo = settings["course_repo"]
c.CourseSpawner.course_branch = settings["course_branch"]
c.CourseSpawner.mirror_update = json.dumps(settings["mirror_update"])
c.CourseSpawner.gitpuller = [python, "-c", "from nbgitpuller.pull import main; main()"]
c.CourseSpawner.git_config = settings["git_env"].get("GIT_CONFIG_GLOBAL", "")
c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab/tree/rnn-outputs/notebooks/00_start_here.ipynb"
c.Spawner.environment = {
    # The .venv's Jupyter settings (tools/jupyter_settings.py: TCP_NODELAY kernel websockets, 127.0.0.1,
    # no news prompt, no update checks), its JupyterLab and kernel, whichever Python runs them.
    **settings["student_env"],
    "PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin",
    # One thread per kernel for torch (OpenMP and MKL): many kernels must not oversubscribe the cores.
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# A loaded server can take a while to start a server and import torch: wait, but not for ever.
c.Spawner.start_timeout = settings["start_timeout"]
c.Spawner.http_timeout = settings["start_timeout"]
c.Spawner.args = [
    # Kernels idle for kernel_idle seconds are shut down, even with a tab open (their memory comes back);
    # the notebooks are files in the student's home and stay.
    f"--MappingKernelManager.cull_idle_timeout={settings['kernel_idle']}",
    f"--MappingKernelManager.cull_interval={min(60, max(5, settings['kernel_idle'] // 2))}",
    "--MappingKernelManager.cull_connected=True",
    # Every kernel on the machine takes five TCP ports on 127.0.0.1, chosen by each student's server on its own, so two
    # kernels started at the same moment can pick the same free port. JupyterLab's restarter then retries "with new
    # random ports", but with ports cached (jupyter_client's default) it reuses the same ones and the kernel dies
    # after five tries: measured by `make bench-class` with 20 students starting at once (1 of 20). Without the
    # cache, a retry really takes new ports.
    "--KernelManager.cache_ports=False",
]
# --- idle servers are stopped by jupyterhub-idle-culler -----------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={settings['server_idle']}",
            f"--cull-every={max(10, settings['server_idle'] // 4)}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
