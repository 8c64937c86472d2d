"""The web reader in a real browser: `crosswire serve` (uvicorn) as a subprocess, driven by Playwright with
Debian's Chromium (headless). Screenshots of the main pages go to test-artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import feedparser
import pytest

from tests.webdata import XSS_AUTHOR, XSS_STORY, XSS_TITLE, build_language_archive, build_web_archive

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
HOSTILE = 40
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed (.ci/run installs it)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path, log_name: str) -> Iterator[str]:
    """`crosswire serve` on a free loopback port over `db`; yields its base URL."""
    port = free_port()
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    log = (SHOTS.parent / log_name).open("wb")   # kept with the screenshots: a 500 leaves its traceback here
    proc = subprocess.Popen([sys.executable, "-m", "crosswire", "serve", "--db", str(db), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # wait until uvicorn answers (startup, not a timing under test)
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"crosswire serve did not start (exit {proc.poll()})") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`crosswire serve` over the web test archive; yields its base URL."""
    db = tmp_path_factory.mktemp("browser") / "web.db"
    build_web_archive(db)
    with serve(db, "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def languages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """`crosswire serve` over the events told in English, Arabic and Russian; yields its base URL and stories."""
    db = tmp_path_factory.mktemp("browser-languages") / "languages.db"
    stories = build_language_archive(db)
    with serve(db, "serve-languages.log") as base:
        yield base, stories


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: object) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", dismiss)
    tab.dialogs = dialogs
    yield tab
    context.close()


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def titles(page: object) -> list[str]:
    return [t.strip() for t in page.locator("li.hit h3 a").all_inner_texts()]


def test_filter_search_read_compare_and_subscribe(server: str, page: object) -> None:
    page.goto(server + "/")
    shot(page, "home")
    page.select_option("form.filters select[name=country]", "RU")
    page.click("form.filters button[type=submit]")
    assert f"{server}/?source=&country=RU&tag=&since=&until=" == page.url
    assert ["Sudan's army says rebels shelled camp near El Fasher",
            "Northern Sea Route sees record winter cargo traffic",
            "Учения флота в Средиземном море",
            "Russian forces hit energy facilities supplying Ukrainian military plants in Zaporizhzhia",
            "Syrian army and Russian aviation strike militant command post in Idlib",
            "Удары по складу топлива под Дейр-эз-Зором"] == titles(page)

    # Search with a filter, from the header's search box.
    page.fill("header form.quick input[name=q]", "hospital country:US")
    page.press("header form.quick input[name=q]", "Enter")
    page.wait_for_url("**/search?q=hospital+country%3AUS")
    assert ["Babies at risk as Gaza hospital runs out of fuel"] == titles(page)
    assert ["hospital", "hospital"] == page.locator("li.hit .snippet mark").all_inner_texts()
    shot(page, "search")

    # Open the article.
    page.click("li.hit h3 a")
    assert "Babies at risk as Gaza hospital runs out of fuel" == page.inner_text("article.reading h1")
    assert "The Atlantic Herald" == page.text_content("article.reading .kicker a")
    assert page.get_attribute("p.original a", "href").startswith("https://ev-atlantic-herald.test/world/")
    shot(page, "article")

    # Compare how every outlet covered its story.
    page.click("text=compare coverage →")
    assert "Al-Karama hospital in Jabalia goes dark as fuel runs out under siege" == page.inner_text("main h1")
    outlets = [t.split("\n")[0].strip() for t in page.locator(".timeline tbody td:nth-child(3)").all_inner_texts()]
    assert ["Crescent 24 arab", "Meridian Press Agency wire", "Persian Gulf Mirror iranian",
            "The Atlantic Herald western", "Bosphorus Post turkish"] == outlets
    page.wait_for_load_state("load")   # images included
    assert 900 == page.evaluate("document.querySelector('.attention img').naturalWidth")   # the chart loaded
    shot(page, "story")

    # Follow the story's Atom link (advertised in the head too) and read it as a feed reader would.
    href = page.get_attribute("footer a.feed-link[data-format=atom]", "href")
    assert "/feeds/story/3.atom" == href
    assert 1 == page.locator(f'head link[rel=alternate][type="application/atom+xml"][href="{href}"]').count()
    response = page.request.get(server + href)
    feed = feedparser.parse(response.body())
    assert (200, 0) == (response.status, feed.bozo)
    assert ["Türkiye offers field hospital as Gaza hospital runs out of fuel",
            "Babies at risk as Gaza hospital runs out of fuel",
            "Zionist siege darkens Gaza hospital, newborns in danger",
            "Gaza hospital generators stop after fuel runs out, health ministry says",
            "Al-Karama hospital in Jabalia goes dark as fuel runs out under siege"] == [e.title for e in feed.entries]
    assert [] == page.dialogs


def test_screenshots_of_lists_and_health(server: str, page: object) -> None:
    for name, url, heading in (("stories", "/stories", "Stories"), ("sources", "/sources", "Sources"),
                               ("arabic-article", "/article/4", "غارات جوية على مستودع وقود قرب دير الزور")):
        page.goto(server + url)
        assert heading == page.inner_text("main h1")
        shot(page, name)
    assert "rtl" == page.evaluate("getComputedStyle(document.querySelector('article.reading h1')).direction")


INJECTED = ("script, img:not([src^='/attention.png?']), svg, iframe, object, embed, "
            "[onerror], [onload], [onmouseover], a[href^='javascript' i]")


@pytest.mark.parametrize("url", [f"/article/{HOSTILE}", "/", "/?source=hostile-outlet", "/search?q=hostile",
                                 "/search?q=paragraph", "/stories", f"/story/{XSS_STORY}", "/sources",
                                 "/blindspots", "/blindspots?group=%3Ci%3Etag%3C/i%3E"])
def test_stored_xss_payloads_never_run(server: str, page: object, url: str) -> None:
    page.goto(server + url)
    page.wait_for_load_state("load")
    for link in page.locator("a[href*='hostile'], a[href^='/story/5'], a[href^='/article/40']").all()[:3]:
        link.hover()   # an injected onmouseover would fire here
    assert [] == page.dialogs
    assert 0 == page.locator(INJECTED).count()
    assert "Hostile" in page.inner_text("main")
    if url == f"/article/{HOSTILE}":
        assert XSS_TITLE == page.inner_text("article.reading h1")
        assert XSS_AUTHOR == page.inner_text("article.reading .authors")
        assert 0 == page.locator("p.original a").count()
        shot(page, "xss-article")


def test_the_article_page_uses_a_wide_screen(server: str, browser: object) -> None:
    """Beside the text (kept at a reading measure), the side column reaches the right edge of the page's column;
    on a narrow screen it goes below the text."""
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    tab = context.new_page()
    tab.goto(server + "/article/1")
    main, article, aside = (tab.locator(css).bounding_box() for css in ("main", "article.reading",
                                                                         "aside.article-side"))
    assert aside["x"] >= article["x"] + article["width"]
    assert aside["x"] + aside["width"] >= main["x"] + main["width"] * 0.9
    shot(tab, "article-wide")
    tab.set_viewport_size({"width": 700, "height": 900})
    article, aside = (tab.locator(css).bounding_box() for css in ("article.reading", "aside.article-side"))
    assert aside["y"] >= article["y"] + article["height"]
    context.close()


def test_a_story_told_in_three_languages_and_a_groups_blindspots(languages_server: tuple[str, dict[str, int]],
                                                                 page: object) -> None:
    server, stories = languages_server
    page.goto(server + "/stories")
    assert ["en ar ru"] == [" ".join(t.split()) for t in page.locator(
        f"tr:has(a[href='/story/{stories['ariha-market']}']) td.languages").all_inner_texts()]
    page.click(f"a[href='/story/{stories['ariha-market']}']")
    assert "3 languages: en, ar, ru" == page.inner_text("strong.languages")
    assert ["ar", "ru"] == page.locator("section.other-languages h3").evaluate_all("hs => hs.map(h => h.lang)")
    # The Arabic headline reads right to left, the Russian one left to right, each on its own line.
    assert ["rtl", "ltr"] == page.locator("section.other-languages h3").evaluate_all(
        "hs => hs.map(h => getComputedStyle(h).direction)")
    assert page.locator("section.other-languages").is_visible()
    shot(page, "story-languages")

    # From the header to a group's blindspots.
    page.click("header nav a:text('Blindspots')")
    assert "Blindspots" == page.inner_text("main h1")
    shot(page, "blindspot-groups")
    page.click("table.groups-table a:text('russian-state')")
    assert "Blindspots of russian-state" == page.inner_text("main h1")
    assert ["Gaza hospital generators stop after fuel runs out, health ministry says"] == \
        page.locator("table.blindspots-table td:first-child > a").all_inner_texts()
    page.select_option("form.filters select[name=group]", "syrian-state")
    page.click("form.filters button[type=submit]")
    assert ["Gaza hospital generators stop after fuel runs out, health ministry says",
            "Russian drone attack cuts power in Ukraine's Zaporizhzhia, governor says"] == \
        page.locator("table.blindspots-table td:first-child > a").all_inner_texts()
    shot(page, "blindspots")
    assert [] == page.dialogs
