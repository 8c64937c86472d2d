"""The one line per cron run that `--log-file` gets, so a log read weeks later says what each run did."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path


def append_log(log_file: Path | None, message: str) -> None:
    """Append `<UTC time> <message>` to the log file (no-op without one); the directory is created."""
    if log_file is None:
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open(log_file, "a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {message}\n")
