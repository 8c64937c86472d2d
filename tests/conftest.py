"""Shared fixtures: the local test web (fictional outlets on loopback ports)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from testweb import TestWeb

# The saved real pages live beside the repository (../shared/data/extraction-dev), never inside it.
REAL_PAGES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction-dev"


@pytest.fixture(scope="session", autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crosswire's cache (the encoder's inflated weights) in a folder of this session, not the user's home;
    set in the environment, so the crawls the tests start as commands use it too."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def real_pages_dir() -> Path:
    """The extraction-dev folder of saved real pages; skips when this checkout does not have it."""
    if not (REAL_PAGES_DIR / "ground-truth.json").exists():
        pytest.skip(f"saved real pages not found at {REAL_PAGES_DIR}")
    return REAL_PAGES_DIR


@pytest.fixture(scope="session")
def testweb_session() -> Iterator[TestWeb]:
    """One TestWeb for the whole session (plus the real-pages archive when the shared folder exists)."""
    real = REAL_PAGES_DIR if (REAL_PAGES_DIR / "ground-truth.json").exists() else None
    with TestWeb(real_pages_dir=real) as web:
        yield web


@pytest.fixture
def testweb(testweb_session: TestWeb) -> TestWeb:
    """The session's TestWeb with its request log emptied for this test."""
    testweb_session.clear_log()
    return testweb_session
