"""What the load benches share about the server: a free port, gunicorn with the project's settings,
waiting for it, and the CPU time its workers spent (read from /proc, so it counts only the server)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, port: int, workers: int, threads: int, log_path: Path, env: dict[str, str],
                   cwd: Path = PROJECT_ROOT) -> subprocess.Popen:
    """`app` ("wsgi:app") served by gthread workers on 127.0.0.1:`port`; the same settings for every bench."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--backlog", "4096",
               "--timeout", "120", app]
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(command, cwd=cwd, env=dict(os.environ, **env), stdout=log, stderr=subprocess.STDOUT)


async def wait_until_up(session, base: str, seconds: float = 30, path: str = "/healthz") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}{path}") as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not come up; see the log")


def worker_pids(master_pid: int) -> list[int]:
    pids: list[int] = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(pid) for pid in children)
    return pids


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU seconds the gunicorn workers of `master_pid` have used so far."""
    total = 0
    for pid in worker_pids(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # a worker that just exited (gunicorn restarts it)
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
