"""JupyterHub's local process spawner, for a class: one Unix user per student, the course in their home.

As The Littlest JupyterHub does, a student called `alice` on the hub runs as the Unix user
`<prefix>alice` (`jupyter-alice` by default), made on their first start with a home of mode 0700, so
no student can read or change another's files. Before each start the course is pulled into
`~/rnn-outputs` with nbgitpuller, which merges the teacher's updates and keeps the student's own
changes. The hub runs as root for this (it creates users and switches to them).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import List, Unicode

from tools.hub import COURSE_FOLDER, unix_name

_pull_lock = asyncio.Lock()


def ensure_unix_user(user: str) -> pwd.struct_passwd:
    """Create the Unix user `user` with a private home (0700) unless it exists; return its passwd entry."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        # No password (log-in only through the hub), a group of its own, a home made from /etc/skel.
        subprocess.run(
            ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", user],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(user)
    os.chmod(entry.pw_dir, 0o700)
    return entry


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that runs each student as their own Unix user, with the course pulled in."""

    unix_prefix = Unicode("jupyter-", config=True, help="Unix user name = this prefix + the hub user name.")
    course_repo = Unicode("", config=True, help="Git URL of the course (a bare mirror the hub keeps up to date).")
    course_branch = Unicode("main", config=True, help="Branch of course_repo to pull.")
    gitpuller = List(["gitpuller"], config=True, help="nbgitpuller's command line, without its arguments.")
    mirror_update = Unicode(
        "", config=True, help="Command (JSON list) run as root before each pull, to refresh the mirror."
    )
    git_config = Unicode("", config=True, help="A global git config that marks the mirror safe (tools/hub.py).")

    @property
    def unix_user(self) -> str:
        return unix_name(self.unix_prefix, self.user.name)

    def make_preexec_fn(self, name):
        return set_user_setuid(self.unix_user)

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_user)
        env["USER"] = entry.pw_name
        env["HOME"] = entry.pw_dir
        env["SHELL"] = entry.pw_shell or "/bin/bash"
        # The kernels import `helpers` from the student's own copy of the course, so that the notebooks and
        # the helpers they call always come from the same commit (nbgitpuller updates both together).
        env["PYTHONPATH"] = str(Path(entry.pw_dir) / COURSE_FOLDER)
        return env

    async def start(self):
        entry = await asyncio.to_thread(ensure_unix_user, self.unix_user)
        await self._copy_font_cache(entry)
        if self.course_repo:
            await self._pull_course(entry)
        return await super().start()

    async def _copy_font_cache(self, entry: pwd.struct_passwd) -> None:
        """Give a new user matplotlib's font cache, so their first plot does not spend seconds building it."""
        source = Path.home() / ".cache" / "matplotlib"
        target = Path(entry.pw_dir) / ".cache" / "matplotlib"
        if target.exists() or not source.is_dir():
            return
        caches = list(source.glob("fontlist-*.json"))
        if not caches:
            return
        for folder in (target.parent, target):
            folder.mkdir(exist_ok=True)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        for cache in caches:
            shutil.copyfile(cache, target / cache.name)
            os.chown(target / cache.name, entry.pw_uid, entry.pw_gid)

    async def _pull_course(self, entry: pwd.struct_passwd) -> None:
        """Refresh the mirror (as root), then nbgitpuller into ~/rnn-outputs as the student."""
        import json

        async with _pull_lock:
            if self.mirror_update:
                proc = await asyncio.create_subprocess_exec(
                    *json.loads(self.mirror_update), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
                out, _ = await proc.communicate()
                if proc.returncode:
                    self.log.warning("Updating the course mirror failed: %s", out.decode(errors="replace"))
        env = {k: v for k, v in self.get_env().items() if not k.startswith("JUPYTERHUB_")}  # it needs no token
        if self.git_config:
            # git refuses a repository owned by another user (the mirror) unless a global setting says it is safe.
            env["GIT_CONFIG_GLOBAL"] = self.git_config
        proc = await asyncio.create_subprocess_exec(
            *self.gitpuller,
            self.course_repo,
            self.course_branch,
            COURSE_FOLDER,
            cwd=entry.pw_dir,
            env=env,
            preexec_fn=set_user_setuid(self.unix_user),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        if proc.returncode:
            # The server still starts: the student keeps what they have, and the log says why.
            self.log.error("nbgitpuller failed for %s: %s", self.unix_user, out.decode(errors="replace")[-2000:])
        else:
            self.log.info("Course pulled into %s/%s", entry.pw_dir, COURSE_FOLDER)
