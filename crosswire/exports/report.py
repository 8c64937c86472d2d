"""A story's comparison report: read from the archive, compared (crosswire.analysis.compare), and rendered
as terminal text or one self-contained HTML page. The CLI's `compare` and the web reader's story page both
use `story_report`.
"""

from __future__ import annotations

from typing import Any

import jinja2
import sqlite_utils

from crosswire.analysis.compare import compare_story
from crosswire.analysis.evidence import language_name, summary
from crosswire.core.errors import QueryError
from crosswire.identity.urls import web_url
from crosswire.storage.blindspots import outlets
from crosswire.storage.stories import load_story


def story_report(db: sqlite_utils.Database, story_id: int) -> dict[str, Any]:
    """The comparison report of one stored story (QueryError when there is no such story)."""
    loaded = load_story(db, story_id)
    if loaded is None:
        raise QueryError(f"no story with id {story_id}; list them with `crosswire stories`")
    return compare_story(*loaded, sources=outlets(db))

_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["web_url"] = web_url     # a stored URL becomes a link only when it is http(s)
_ENV.filters["language_name"] = language_name
_ENV.filters["rtl"] = lambda lang: lang in ("ar", "fa", "ur", "he")
_HTML = _ENV.from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ story.label }} — crosswire comparison</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}.copy{color:#777}.missing{color:#a00}.present{color:#070}.tag{font-size:.8em;background:#eef;padding:0 .3em;border-radius:3px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.75rem}.card h3{font-size:1rem;margin:.2rem 0}
.muted{color:#666;font-size:.9em}
</style></head><body>
<h1>{{ story.label }}</h1>
<p class="muted">Story {{ story.id }} · {{ story.outlets }} outlets · {{ languages_line }} · first report {{ story.first_published }} by
<strong>{{ story.first_source }}</strong> · span {{ story.span_hours }} h</p>

<h2>Outlets by perspective and language</h2>
<table><tr><th>Perspective</th>{% for lang in languages %}<th>{{ lang | language_name }} <span class="tag">{{ lang }}</span></th>{% endfor %}</tr>
{% for row in grid %}
<tr><td><span class="tag">{{ row.perspective }}</span></td>{% for lang in languages %}<td>{{ row.languages.get(lang, [])|join(", ") }}</td>{% endfor %}</tr>
{% endfor %}
</table>

{% if non_english %}
<h2>Reports in other languages, and what they share with the rest</h2>
<table><tr><th>Outlet</th><th>Headline</th><th>Shares with other outlets</th></tr>
{% for o in non_english %}
<tr><td>{{ o.source }} <span class="tag">{{ o.language }}</span> <span class="tag">{{ o.perspective or "-" }}</span></td>
<td lang="{{ o.language }}" dir="{{ "rtl" if o.language | rtl else "auto" }}">{{ o.headline }}</td>
<td>{% for item in o.shares %}<span class="share {{ item.kind }}">{{ item.label }}{% if item.spellings %} ({% for w in item.spellings %}<bdi>{{ w }}</bdi>{% if not loop.last %}, {% endif %}{% endfor %}){% endif %}</span>{% if not loop.last %}, {% endif %}{% else %}nothing language-neutral{% endfor %}</td></tr>
{% endfor %}
</table>
{% endif %}

<h2>Timeline</h2>
<table><tr><th>Published</th><th>Lag</th><th>Outlet</th><th>Perspective</th><th>Language</th><th>Headline</th><th>Reporting</th></tr>
{% for e in timeline %}
<tr class="{{ e.role }}"><td>{{ e.published }}</td><td>{{ e.lag }}</td><td>{{ e.source }}</td>
<td>{% if e.perspective %}<span class="tag">{{ e.perspective }}</span>{% endif %}</td><td><span class="tag">{{ e.language }}</span></td>
<td lang="{{ e.language }}" dir="auto">{% if e.url | web_url %}<a href="{{ e.url | web_url }}">{{ e.title }}</a>{% else %}{{ e.title }}{% endif %}</td>
<td>{% if e.role == "copy" %}copy of {{ e.copy_of or "an earlier text" }}{% else %}own reporting{% endif %}</td></tr>
{% endfor %}
</table>

<h2>Headline and lede, side by side</h2>
<div class="cards">
{% for o in outlets %}
<div class="card" lang="{{ o.language }}" dir="auto"><div class="muted">{{ o.source }} {% if o.perspective %}<span class="tag">{{ o.perspective }}</span>{% endif %} <span class="tag">{{ o.language }}</span> · {{ o.lag }}{% if o.role == "copy" %} · copy of {{ o.copy_of }}{% endif %}</div>
<h3>{{ o.headline }}</h3><p>{{ o.lede or "" }}</p>
<p class="muted">People: {{ o.people|join(", ") or "none" }}<br>Places: {{ o.places|join(", ") or "none" }}</p>
{% if distinctive.by_outlet.get(o.source) %}<p class="muted">Distinctive words: {{ distinctive.by_outlet[o.source]|map(attribute="word")|join(", ") }}</p>{% endif %}
</div>
{% endfor %}
</div>

{% if distinctive.by_perspective %}
<h2>Words distinctive of each perspective</h2>
<table><tr><th>Perspective</th><th>Words (log-odds z-score, informative Dirichlet prior)</th></tr>
{% for group, ws in distinctive.by_perspective.items() %}
<tr><td>{{ group }}</td><td>{% for w in ws %}{{ w.word }} <span class="muted">({{ w.z }})</span>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}
</table>
{% endif %}

<h2>Facts some outlets carry and others leave out</h2>
{% if facts %}
<table><tr><th>Kind</th><th>As first reported</th><th>Carried by</th><th>Missing from</th></tr>
{% for f in facts %}
<tr><td>{{ f.kind }}{% if f.kind == "figure" %} <strong>{{ f.key }}</strong>{% endif %}{% if f.speaker %}<br><span class="muted">{{ f.speaker }}</span>{% endif %}</td>
<td title="{{ f.sentence }}" dir="auto">{{ f.excerpt or f.sentence }}</td><td class="present">{{ f.present|join(", ") }}</td><td class="missing">{{ f.missing|join(", ") }}{% if f.not_compared %}<br><span class="muted">not compared (another language): {{ f.not_compared|join(", ") }}</span>{% endif %}</td></tr>
{% endfor %}
</table>
{% else %}<p>Every outlet carries the same figures and quotes.</p>{% endif %}

<h2>People and places named</h2>
<table><tr><th>Name</th><th>Outlets naming it</th></tr>
{% for name, n in people.items() %}<tr><td>{{ name }}</td><td>{{ n }}</td></tr>{% endfor %}
{% for name, n in places.items() %}<tr><td>{{ name }} <span class="muted">(place)</span></td><td>{{ n }}</td></tr>{% endfor %}
</table>
<p class="muted">Generated by crosswire. Perspective groups come from each source's first tag, else its country.</p>
</body></html>
""")


def languages_line(languages: list[str]) -> str:
    """'3 languages: en, ar, ru', or '1 language: en'."""
    return f"{len(languages)} language{'s' if len(languages) != 1 else ''}: {', '.join(languages)}"


def to_html(report: dict[str, Any]) -> str:
    """One HTML page with inline CSS and no external resources, to share as a file."""
    return _HTML.render(**report, languages_line=languages_line(report["story"]["languages"]))


def to_text(report: dict[str, Any]) -> str:
    """A plain-text rendering for the terminal."""
    story = report["story"]
    lines = [f"Story {story['id']}: {story['label']}",
             f"{story['outlets']} outlets in {languages_line(story['languages'])}, first report "
             f"{story['first_published']} by {story['first_source']}, span {story['span_hours']} h", "",
             "Outlets by language and perspective:"]
    for lang, sources in report["languages"].items():
        groups: dict[str, list[str]] = {}
        for o in report["outlets"]:
            if o["source"] in sources:
                groups.setdefault(o["perspective"] or "-", []).append(o["source"])
        lines.append(f"  {lang:<4} " + "; ".join(f"{g}: {', '.join(names)}" for g, names in groups.items()))
    if report["non_english"]:
        lines += ["", "Reports in other languages, and what they share with the rest:"]
        for o in report["non_english"]:
            lines.append(f"  {o['source']} ({o['language']}, {o['perspective'] or '-'}): {o['headline']}")
            lines.append(f"      shares {summary(o['shares'])}")
    lines += ["", "Timeline:"]
    for e in report["timeline"]:
        role = f"copy of {e['copy_of']}" if e["role"] == "copy" else "own"
        lines.append(f"  {e['lag']:>9}  {e['source']:<22} [{e['perspective'] or '-'}, {e['language']}] {e['title']}"
                     f"  ({role})")
    lines += ["", "Headline and lede per outlet:"]
    for o in report["outlets"]:
        lines.append(f"  {o['source']} ({o['perspective'] or '-'}, {o['language']}, {o['lag']}): {o['headline']}")
        if o["lede"]:
            lines.append(f"      {o['lede']}")
    if report["distinctive"]["by_perspective"]:
        lines += ["", "Distinctive words by perspective:"]
        for group, ws in report["distinctive"]["by_perspective"].items():
            lines.append(f"  {group:<16} " + ", ".join(w["word"] for w in ws))
    if report["distinctive"]["by_outlet"]:
        lines += ["", "Distinctive words by outlet:"]
        for source, ws in report["distinctive"]["by_outlet"].items():
            lines.append(f"  {source:<22} " + ", ".join(w["word"] for w in ws))
    lines += ["", "Facts missing from some outlets:"]
    for f in report["facts"]:
        label = f"figure {f['key']}" if f["kind"] == "figure" else f"quote ({f['speaker'] or 'unnamed'})"
        lines.append(f"  {label}: missing from {', '.join(f['missing'])}")
        lines.append(f"      \"{f.get('excerpt') or f['sentence']}\" — {', '.join(f['present'])}")
        if f.get("not_compared"):
            lines.append(f"      not compared, written in another language: {', '.join(f['not_compared'])}")
    if not report["facts"]:
        lines.append("  none")
    lines += ["", "People and places named per outlet:"]
    for o in report["outlets"]:
        lines.append(f"  {o['source']:<22} people: {', '.join(o['people']) or '-'}; places: {', '.join(o['places']) or '-'}")
    return "\n".join(lines)
