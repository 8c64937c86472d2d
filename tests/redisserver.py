"""A real redis-server (Debian's package) for the distributed-crawl tests: a free loopback port, its data in a
temporary directory with the append-only file on and synced on every write, so a restart loses nothing."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from testweb.server import closed_port

START_TIMEOUT = 20.0     # seconds for redis-server to answer PING (a guard, never a measurement)


class RedisServer:
    """redis-server on 127.0.0.1:<free port> with persistence in `directory`; start(), stop(), restart()."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = closed_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """redis://127.0.0.1:PORT/0"""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A client of database 0."""
        return redis.Redis.from_url(self.url)

    def start(self) -> "RedisServer":
        """Start the server and wait until it answers (and has loaded what it persisted)."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server (.ci/run does)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        client = self.client()
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {(self.directory / 'redis.log').read_text()}")
                time.sleep(0.05)    # polling the server's state, not waiting for time to pass

    def stop(self) -> None:
        """Shut the server down (it syncs its append-only file first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=START_TIMEOUT)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port and data."""
        self.stop()
        self.start()
