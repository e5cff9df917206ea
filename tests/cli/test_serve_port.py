"""gunicorn's web processes each listen with SO_REUSEPORT (the kernel spreads connections across them),
which would also let a second `orgbook serve` share the port silently: it refuses instead, and every
web process gets connections."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil
import requests

from tests.cli.test_serve import ORGBOOK, _env, _wait_for_web, serving


def test_a_second_server_on_the_same_port_refuses_to_start(tmp_path: Path) -> None:
    with serving(tmp_path / "a", "--no-worker", "--workers", "2") as (url, _, _):
        port = url.rsplit(":", 1)[1]
        second = subprocess.run([*ORGBOOK, "serve", "--no-worker", "--port", port], env=_env(tmp_path / "b"),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0 and "is in use" in second.stderr
        assert requests.get(f"{url}/login/", timeout=5).status_code == 200  # the first still serves


def test_every_web_process_listens_on_a_socket_of_its_own(tmp_path: Path) -> None:
    """So the kernel hands each new connection to one of them; on one inherited socket, the process
    that wins the accepts under load can take every keep-alive connection (seen in the load bench:
    one process busy on one core, two idle)."""
    with serving(tmp_path, "--no-worker", "--workers", "3") as (url, proc, _):
        web = _wait_for_web(proc, 3)
        port = int(url.rsplit(":", 1)[1])
        fds = _listening_fds(web, port)
        assert all(len(found) == 1 for found in fds.values())
        listening = {Path(f"/proc/{pid}/fd/{found.pop()}").stat().st_ino for pid, found in fds.items()}
        assert len(listening) == 3  # three sockets, not one shared


def _listening_fds(web: list[psutil.Process], port: int, deadline: float = 30) -> dict[int, set[int]]:
    """Each web process's listening sockets on `port`, once every process has one (a process that
    has just forked may not have bound yet)."""
    end = time.monotonic() + deadline
    while True:
        fds = {p.pid: {c.fd for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN
                       and c.laddr.port == port} for p in web}
        if all(fds.values()) or time.monotonic() > end:
            return fds
        time.sleep(0.1)
