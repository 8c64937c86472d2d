"""Where crosswire keeps its files when the user does not say."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV = "CROSSWIRE_DB"
SOURCES_ENV = "CROSSWIRE_SOURCES"


def default_db_path() -> Path:
    """`$CROSSWIRE_DB`, else crosswire.db in the user's data directory (created on demand)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("crosswire")) / "crosswire.db"


def bundled_sources_path() -> Path:
    """The default sources file shipped with crosswire."""
    return Path(__file__).parent.parent / "data" / "sources.toml"


def default_sources_path() -> Path:
    """`$CROSSWIRE_SOURCES`, else the bundled list of real conflict-coverage outlets."""
    env = os.environ.get(SOURCES_ENV)
    return Path(env).expanduser() if env else bundled_sources_path()
