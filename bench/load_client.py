"""The load client the benches share: aiohttp with each user's session cookie carried by hand, a steady
phase (every user saves once per interval) and a saturation phase (as many concurrent requests as the
`concurrency` callers can send for a while), with the gunicorn workers' CPU per request of each phase."""
from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from latency import Timings
from server import workers_cpu_seconds

CSRF_PATTERN = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


@dataclass
class User:
    username: str
    cookie: str = ""
    csrf: str = ""
    extra: dict = field(default_factory=dict)  # what the bench needs per user (attempt id, slots, seq)


class Client:
    """One shared connection pool (a new connection per request: gunicorn closes idle keep-alive
    connections after 2 s); each user's session cookie is carried by hand. With several app servers
    (`bases`), a user's requests go to their own (`user.server`, default the first)."""

    def __init__(self, session, bases: str | list[str]):
        import aiohttp

        self.session, self.bases = session, [bases] if isinstance(bases, str) else list(bases)
        self.client_errors = aiohttp.ClientError

    async def request(self, user, method: str, path: str, server: int | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if user.cookie:
            headers["Cookie"] = f"session={user.cookie}"
        base = self.bases[getattr(user, "server", 0) if server is None else server]
        started = time.perf_counter()
        try:
            async with self.session.request(method, base + path, headers=headers, allow_redirects=False,
                                            **kwargs) as response:
                body = await response.text()
                elapsed = time.perf_counter() - started
                if "session" in response.cookies:
                    user.cookie = response.cookies["session"].value
                return response.status, response.headers, body, elapsed
        except (TimeoutError, OSError, self.client_errors) as error:
            return 0, {}, f"{type(error).__name__}: {error}", time.perf_counter() - started

    async def refresh_csrf(self, user, path: str) -> tuple[int, float, str]:
        """GET `path` and keep the CSRF token it carries: (status, seconds, body)."""
        status, _, body, elapsed = await self.request(user, "GET", path)
        match = CSRF_PATTERN.search(body)
        if match:
            user.csrf = match.group(1)
        return status, elapsed, body


def session(limit: int = 0):
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, force_close=True),
                                 timeout=aiohttp.ClientTimeout(total=300), cookie_jar=aiohttp.DummyCookieJar())


# A save: (user, rng) -> (path, JSON body); sent with the user's CSRF header, 200 expected.
MakeSave = Callable[[User, random.Random], tuple[str, dict]]


async def _save(client: Client, user: User, make: MakeSave, rng: random.Random, timings: Timings) -> None:
    path, body = make(user, rng)
    status, _, text, elapsed = await client.request(
        user, "POST", path, json=body, headers={"X-CSRFToken": user.csrf, "Accept": "application/json"})
    timings.add(elapsed, None if status == 200 else f"HTTP {status}: {text[:120]}")


@dataclass
class Phase:
    timings: Timings
    cpu_seconds: float

    @property
    def requests(self) -> int:
        return len(self.timings.latencies)

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds / self.requests * 1000 if self.requests else 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.timings.wall if self.timings.wall else 0.0

    def figures(self) -> dict:
        t = self.timings
        return {"requests": self.requests, "errors": len(t.errors), "p50_ms": t.ms(50) if t.latencies else 0,
                "p99_ms": t.ms(99) if t.latencies else 0, "cpu_ms_per_request": self.cpu_ms_per_request,
                "throughput": self.throughput, "wall_s": t.wall, "first_errors": sorted(set(t.errors))[:3]}


async def steady(client: Client, master_pid: int, users: list[User], make: MakeSave, interval: float,
                 rounds: int, seed: int = 7) -> Phase:
    """Each user saves once every `interval` seconds (first at a random moment of the interval)."""
    rng, timings = random.Random(seed), Timings(f"save every {interval:g} s")

    async def one(user):
        await asyncio.sleep(rng.uniform(0, interval))
        for _ in range(rounds):
            await _save(client, user, make, rng, timings)
            await asyncio.sleep(interval)

    cpu = workers_cpu_seconds(master_pid)
    started = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    timings.wall = time.perf_counter() - started
    return Phase(timings, workers_cpu_seconds(master_pid) - cpu)


async def saturate(client: Client, master_pid: int, users: list[User], make: MakeSave, seconds: float,
                   concurrency: int, seed: int = 11) -> Phase:
    """`concurrency` callers each send the next save as soon as the last one is answered, for `seconds`."""
    rng, timings = random.Random(seed), Timings(f"saturation x{concurrency}")
    stop = time.perf_counter() + seconds

    async def caller(n):
        k = n
        while time.perf_counter() < stop:
            await _save(client, users[k % len(users)], make, rng, timings)
            k += concurrency

    cpu = workers_cpu_seconds(master_pid)
    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(concurrency)))
    timings.wall = time.perf_counter() - started
    return Phase(timings, workers_cpu_seconds(master_pid) - cpu)
