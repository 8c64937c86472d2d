"""The wheel holds only what users run: one top-level package, `crosswire`, and `crosswire demo` works from it.

Built and installed offline: `pip wheel --no-build-isolation --no-index` with the test venv's setuptools, then
installed with `--no-deps` into a fresh venv without pip whose dependencies come from the test venv through a
plain path in a .pth file. A plain path does not process the .pth files in that folder, so the test venv's
editable install of this source tree stays inactive there; the test checks that it does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from crosswire.demo.frozen import DATA_DIR
from demodata import EXPECTED_OUTPUT, isolated_env, normalise

ROOT = Path(__file__).resolve().parents[1]
# Never copied into the build: local environments, caches, build output, databases.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    "test-artifacts", "*.db", "*.db-wal", "*.db-shm")


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output when it fails."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp: Path) -> Path:
    """`pip wheel . --no-deps` on a copy of the source tree (the build writes build/ and *.egg-info); the build
    must not warn about the project's metadata (a licence given as a TOML table is deprecated)."""
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    built = run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--no-build-isolation", "--no-index",
                "-v", "-w", tmp / "wheels")
    assert [] == [line for line in (built.stdout + built.stderr).splitlines() if "project.license" in line]
    [wheel] = (tmp / "wheels").glob("crosswire-*.whl")
    return wheel


def fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed and the test venv's packages as its dependencies; its python."""
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel)
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "test-venv-deps.pth").write_text("".join(f"{p}\n" for p in sorted(deps)), encoding="utf-8")
    return python


def test_wheel_holds_one_top_level_package_and_the_demo_runs_from_it(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert {n.split("/")[0] for n in names} == {"crosswire", dist_info}
    assert zipfile.ZipFile(wheel).read(f"{dist_info}/top_level.txt") == b"crosswire\n"
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()     # an SPDX expression, not a TOML table
    assert [n for n in names if any(word in n for word in ("testweb", "scoring", "evaluation", "tests/"))] == []
    shipped = {n.removeprefix("crosswire/demo/data/") for n in names if n.startswith("crosswire/demo/data/")}
    assert shipped == {p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*") if p.is_file()}
    assert {"crosswire/crawlers/run.py", "crosswire/storage/overview.py", "crosswire/demo/server.py"} <= set(names)

    python = fresh_venv(tmp_path, wheel)
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = isolated_env(tmp_path / "home")
    probe = run(python, "-c", "import crosswire, importlib.util as u; print(crosswire.__file__); "
                "print([m for m in ('testweb', 'scoring', 'storage', 'crawlers') if u.find_spec(m)])",
                cwd=workdir, env=env).stdout.splitlines()
    installed = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    assert probe == [f"{installed}/crosswire/__init__.py", "[]"]   # the wheel's copy, nothing from the source tree

    db = workdir / "demo.db"
    result = run(python.parent / "crosswire", "demo", "--db", db, cwd=workdir, env=env)
    assert normalise(result.stdout) == EXPECTED_OUTPUT.format(db=db)
