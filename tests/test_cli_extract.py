"""`crosswire extract` on saved files and on pages served by a throwaway server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire import PROJECT_URL, __version__
from crosswire.cli import main

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Bridge reopens after repairs - Riverside Dispatch</title>
<meta property="og:site_name" content="Riverside Dispatch">
<meta property="og:title" content="Bridge reopens after repairs">
<meta property="og:description" content="Traffic returns to the only crossing left standing.">
<meta property="article:published_time" content="2024-04-20T06:00:00+03:00">
<meta name="author" content="By Petra Lind">
</head><body><article>
<p>The road bridge over the Sava channel reopened to lorries on Saturday, five weeks after a strike
damaged two of its spans, the regional transport office said.</p>
<p>Engineers replaced the damaged deck sections with temporary steel panels and limited traffic to one
lane in each direction until permanent repairs can be made in the summer.</p>
<p>Drivers had been taking a ninety-minute detour through the hills, where the roads are narrow and
were blocked by snow for several days in March.</p>
</article></body></html>"""

EXPECTED = {
    "url": "https://dispatch.example/2024/04/bridge-reopens",
    "canonical_url": None,
    "title": "Bridge reopens after repairs",
    "authors": ["Petra Lind"],
    "published": "2024-04-20T03:00:00+00:00",
    "modified": None,
    "language": "en",
    "lede": "Traffic returns to the only crossing left standing.",
    "text": (
        "The road bridge over the Sava channel reopened to lorries on Saturday, five weeks after a strike "
        "damaged two of its spans, the regional transport office said.\n\n"
        "Engineers replaced the damaged deck sections with temporary steel panels and limited traffic to one "
        "lane in each direction until permanent repairs can be made in the summer.\n\n"
        "Drivers had been taking a ninety-minute detour through the hills, where the roads are narrow and "
        "were blocked by snow for several days in March."
    ),
    "image": None,
    "section": None,
    "keywords": [],
    "site_name": "Riverside Dispatch",
    "agencies": [],
    "provenance": {"title": "og", "published": "og", "authors": "meta", "text": "trafilatura", "site_name": "og",
                   "language": "html-lang", "lede": "meta"},
}


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {
        "/bridge": (200, "text/html; charset=utf-8", PAGE.encode("utf-8")),
        "/report.pdf": (200, "application/pdf", b"%PDF-1.7\n1 0 obj"),
        "/old-bridge": (301, "text/html", b""),
    }
    seen_agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 -- http.server's naming
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        status, content_type, body = self.routes.get(self.path, (404, "text/html", b"<html>gone</html>"))
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/bridge")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- signature from the base class
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def server_root() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def server(server_root: str) -> str:
    _Handler.seen_agents.clear()
    return server_root


def run(*args: str):
    return CliRunner().invoke(main, ["extract", *args])


def test_extract_saved_html_file(tmp_path: Path) -> None:
    path = tmp_path / "bridge.html"
    path.write_text(PAGE, encoding="utf-8")
    result = run(str(path), "--url", EXPECTED["url"])
    assert (result.exit_code, json.loads(result.output)) == (0, EXPECTED)


def test_extract_gzipped_file_defaults_to_file_url(tmp_path: Path) -> None:
    path = tmp_path / "bridge.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode("utf-8")))
    result = run(str(path))
    assert (result.exit_code, json.loads(result.output)) == (0, {**EXPECTED, "url": path.resolve().as_uri()})


def test_output_is_indented_and_keeps_non_ascii(tmp_path: Path) -> None:
    path = tmp_path / "bridge.html"
    path.write_text(PAGE.replace("Petra Lind", "Petra Lindé"), encoding="utf-8")
    result = run(str(path), "--url", EXPECTED["url"])
    assert result.output.splitlines()[:3] == ["{", f'  "url": "{EXPECTED["url"]}",', '  "canonical_url": null,']
    assert '"Petra Lindé"' in result.output


def test_extract_url_follows_redirect_and_identifies_itself(server: str) -> None:
    result = run(f"{server}/old-bridge")
    assert (result.exit_code, json.loads(result.output)) == (0, {**EXPECTED, "url": f"{server}/bridge"})
    assert _Handler.seen_agents == [f"crosswire/{__version__} (+{PROJECT_URL})"] * 2


def test_url_option_overrides_fetched_url(server: str) -> None:
    result = run(f"{server}/bridge", "--url", EXPECTED["url"])
    assert (result.exit_code, json.loads(result.output)) == (0, EXPECTED)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "Error: HTTP 404 Not Found fetching {server}/missing"),
        ("/report.pdf", "Error: not an HTML page: {server}/report.pdf is application/pdf"),
    ],
)
def test_url_errors_are_one_line(server: str, path: str, message: str) -> None:
    result = run(f"{server}{path}")
    assert (result.exit_code, result.output) == (1, message.format(server=server) + "\n")


def test_unreachable_server_is_one_line() -> None:
    # Port 9 on loopback (discard) is closed on any sane test machine: connection refused at once.
    result = run("http://127.0.0.1:9/page")
    assert (result.exit_code, result.output.startswith("Error: cannot fetch http://127.0.0.1:9/page: ")) == (1, True)
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.html", None, "Error: no such file: {path}"),
        ("scan.pdf", b"%PDF-1.4\n1 0 obj", "Error: not an HTML page: https://x.example/a is a PDF document"),
        ("broken.html.gz", b"not gzip at all", "Error: not a valid gzip file: {path}"),
        ("empty.html", b"<html><body><p>Menu</p></body></html>", "Error: no article text found on https://x.example/a"),
    ],
)
def test_file_errors_are_one_line(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run(str(path), "--url", "https://x.example/a")
    assert (result.exit_code, result.output) == (1, message.format(path=path) + "\n")
