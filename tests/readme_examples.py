"""The README's `$ crosswire …` examples, read from its code blocks and run the way a reader would run them: in
the directory where `crosswire demo --db demo.db --serve` ran, with `CROSSWIRE_DB=demo.db`, while the demo's
outlets are up.

`python tests/readme_examples.py` prints what each example prints now, for rewriting the README after a change.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from crosswire.cli.demo import demo_ports

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Examples a test cannot run in turn, each with the reason and the tests that cover it instead.
NOT_RUN = {
    "crosswire demo --db demo.db": "its output is demodata.EXPECTED_OUTPUT, which test_demo checks a real run against",
    "crosswire serve": "runs until stopped; test_web and test_browser start the reader on a real server",
    "crosswire worker": "runs until stopped and needs redis-server; test_distributed starts both",
    "crosswire crawl --db war.db --sources sources.toml --redis": "needs redis-server; test_distributed runs it",
    "crosswire status --redis": "needs redis-server; test_frontier and test_distributed run it",
}

_PORT = re.compile(r"127\.0\.0\.1:(\d+)")
# Times of "now" (the run's own clock) differ every run; the fixtures' own dates are all before mid-2026.
_NOW = re.compile(r"\b20(2[6-9]-(0[7-9]|1[0-2])|[3-9]\d-\d\d)-\d\d([ T]\d\d:\d\d(:\d\d)?(\+00:00| UTC)?)?")
_STAMP = re.compile(r"\b\d{8}T\d{6}Z\b")
_SECONDS = re.compile(r" in \d+\.\ds\b")
_AGO = re.compile(r"\b\d+ (days?|hours?|minutes?) ago\b")


@dataclass(frozen=True)
class Example:
    """One `$ crosswire …` line of a README code block and the lines shown under it."""

    line: int                   # 1-based line of the command in README.md
    command: str
    expected: list[str]

    @property
    def not_run_reason(self) -> str | None:
        """Why a test does not run this example in turn, or None."""
        return next((why for prefix, why in NOT_RUN.items() if self.command.startswith(prefix)), None)


def examples(text: str | None = None) -> list[Example]:
    """Every `$ crosswire` example of the README's plain code blocks, in order."""
    lines = (text if text is not None else README.read_text(encoding="utf-8")).splitlines()
    found: list[Example] = []
    fence: str | None = None         # the opening line of the code block we are in
    current: tuple[int, str, list[str]] | None = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if current:
                found.append(Example(*current))
                current = None
            fence = line if fence is None else None
            continue
        if fence != "```":          # prose, or a block of TOML or shell to type
            continue
        if line.startswith("$ "):
            if current:
                found.append(Example(*current))
            current = (number, line[2:], []) if line.startswith("$ crosswire") else None
        elif current:
            current[2].append(line)
    return found


def normalise(text: str) -> str:
    """Output with what changes from run to run made constant: ports, the current time, durations."""
    text = _PORT.sub("127.0.0.1:<port>", text)
    text = _NOW.sub("<now>", text)
    text = _STAMP.sub("<stamp>", text)
    text = _AGO.sub("<ago>", text)
    return _SECONDS.sub(" in <s>", text)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual lines are the expected ones, where a line `…` stands for any lines (none too) and a `…`
    inside a line for any text."""
    patterns = [None if line.strip() == "…" else
                re.compile(".*".join(re.escape(part) for part in normalise(line).split("…")) + r"\Z")
                for line in expected]
    actual = [normalise(line) for line in actual]
    while actual and not actual[-1].strip():     # a blank line closing the output is not shown in the README
        actual.pop()

    def match(i: int, j: int) -> bool:
        if i == len(patterns):
            return j == len(actual)
        if patterns[i] is None:
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and bool(patterns[i].match(actual[j])) and match(i + 1, j + 1)

    return match(0, 0)


class Scene:
    """A directory where `crosswire demo --db demo.db --serve` runs, and the environment the examples run in."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = {**env, "CROSSWIRE_DB": "demo.db", "COLUMNS": "200",
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}
        self.ports: dict[int, int] = {}     # the README's port for an outlet -> the port it has here
        self._demo: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 300) -> "Scene":
        """Run the demo with --serve and wait until its outlets stay up."""
        self._demo = subprocess.Popen([sys.executable, "-m", "crosswire", "demo", "--db", "demo.db", "--serve"],
                                      cwd=self.folder, env=self.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        self.demo_output: list[str] = []

        def read() -> None:
            assert self._demo is not None and self._demo.stdout is not None
            for line in self._demo.stdout:
                self.demo_output.append(line)
                if "stay up until" in line:
                    ready.set()
            ready.set()          # ended before serving: start() reports it

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or self._demo.poll() is not None:
            raise RuntimeError("the demo did not start serving:\n" + "".join(self.demo_output))
        self._map_ports()
        return self

    def _map_ports(self) -> None:
        # The README was written from a demo whose outlets had the ports demo_ports() gives "demo.db", in the
        # order the outlets start; here they may have others (the block was busy), so map outlet by outlet.
        sources = tomllib.loads((self.folder / "demo-sources.toml").read_text(encoding="utf-8"))["source"]
        base = demo_ports(Path("demo.db"))
        for index, source in enumerate(sources):
            self.ports[base + index] = int(_PORT.search(source["homepage"]).group(1))

    def run(self, command: str, timeout: float = 300) -> tuple[int, str]:
        """Run one example as a shell would (pipes and comments work); its exit code and output."""
        command = _PORT.sub(lambda m: f"127.0.0.1:{self.ports.get(int(m.group(1)), m.group(1))}", command)
        done = subprocess.run(["bash", "-c", command], cwd=self.folder, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        return done.returncode, done.stdout + done.stderr

    def stop(self) -> None:
        """End the demo's serving (SIGTERM, as a service manager would)."""
        if self._demo and self._demo.poll() is None:
            self._demo.terminate()
            self._demo.wait(timeout=30)
        if self._demo and self._demo.stdout:
            self._demo.stdout.close()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        scene = Scene(Path(folder), dict(os.environ)).start()
        try:
            for example in examples():
                if example.not_run_reason:
                    continue
                code, output = scene.run(example.command)
                print(f"$ {example.command}    [line {example.line}, exit {code}]\n{output}", end="")
        finally:
            scene.stop()
