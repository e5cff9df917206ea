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
        time.sleep(0.5)
        listening: set[int] = set()
        for p in web:
            fds = {c.fd for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
            assert len(fds) == 1
            listening.add(Path(f"/proc/{p.pid}/fd/{fds.pop()}").stat().st_ino)
        assert len(listening) == 3  # three sockets, not one shared
