"""What the benchmarks share: child processes on free ports, timings and percentiles."""

from __future__ import annotations

import asyncio
import math
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Child:
    """A process started from the repository root, answering HTTP on `port`."""

    args: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, ready_path: str, timeout: float = 60.0) -> Child:  # noqa: ASYNC109
        out = self.log.open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        args = [a.replace("{port}", str(self.port)) for a in self.args]
        self.proc = await asyncio.to_thread(
            subprocess.Popen, [sys.executable, *args], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{args} exited: see {self.log}")
                try:
                    async with session.get(self.url + ready_path) as r:
                        if r.status < 500:  # answering (a 405 from a POST-only path is fine)
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{args} did not start: see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def cpu_info() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(x.split(":", 1)[1].strip() for x in lines if x.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{os.cpu_count()} cores, {model}"
