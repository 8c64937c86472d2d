"""Every `$ crosswire …` example in the README prints what the README shows, when run as a reader runs it: after
`crosswire demo --db demo.db --serve`, in its directory, with CROSSWIRE_DB=demo.db (see tests/readme_examples.py)."""

from __future__ import annotations

from typing import Iterator

import pytest
from demodata import EXPECTED_OUTPUT, isolated_env
from readme_examples import NOT_RUN, Scene, examples, matches


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder = tmp_path_factory.mktemp("readme")
    running = Scene(folder, isolated_env(tmp_path_factory.mktemp("home"))).start()
    yield running
    running.stop()


def test_the_matcher_reads_ellipses_as_any_lines_or_text():
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…", "d"], ["a", "d"])
    assert matches(["a … z"], ["a then z"])
    assert matches(["served on 127.0.0.1:33311 in 1.0s"], ["served on 127.0.0.1:40001 in 17.3s"])
    assert not matches(["a", "…", "d"], ["a", "b", "c"])
    assert not matches(["a b"], ["a b c"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a"], ["a", ""])           # a closing blank line


def test_every_example_is_run_or_says_why_not():
    found = examples()
    assert len(found) > 30
    # Each reason still names an example the README has (a stale reason would hide nothing, but mislead).
    assert [] == [prefix for prefix in NOT_RUN if not any(e.command.startswith(prefix) for e in found)]


def test_the_demo_block_is_what_the_demo_prints():
    demo = next(e for e in examples() if e.command == "crosswire demo --db demo.db")
    printed = EXPECTED_OUTPUT.format(db="demo.db").replace("<seconds>", "0.0")     # any duration matches
    assert matches(demo.expected, printed.splitlines())


def test_every_example_prints_what_the_readme_shows(scene: Scene):
    wrong = []
    for example in examples():
        if example.not_run_reason:
            continue
        code, output = scene.run(example.command)
        if not matches(example.expected, output.splitlines()):
            wrong.append(f"README.md:{example.line}: $ {example.command}  (exit {code})\n"
                         + "expected:\n  " + "\n  ".join(example.expected)
                         + "\nprinted:\n  " + "\n  ".join(output.splitlines()))
    assert [] == wrong, "\n\n".join(wrong)
