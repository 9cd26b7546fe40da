"""The XSS corpus (xss_payloads.txt) and the checks that tell an inert page from an injected one.

Used by tests/security/test_xss.py (server side, test client) and tests/browser/test_xss.py
(Chromium). The checks look at what a browser would build from the HTML, not at strings
alone:

* `raw_problems`: a stored hostile value (or the start of one of its tags) appears in the
  page as it was typed, i.e. unescaped;
* `structure_problems`: the parsed page holds something our templates never produce:
  an element or attribute carrying a payload marker, an event-handler attribute, a
  javascript:/data: URL, an inline script or style, <base>, <iframe>, <meta refresh>,
  an htmx attribute pointing at a payload or the logout URL, an external form target;
* `template_problems`: text a payload's template syntax would have left had a template
  engine evaluated it ({{7*7}}xss126 → 49xss126);
* `json_script_problems`: data blocks from json_script that could end their <script>.

`page_problems` runs all four.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
from django.utils.html import escape

CORPUS = Path(__file__).with_name("xss_payloads.txt")
KINDS = frozenset({"html", "attr", "rcdata", "url", "htmx", "css", "tpl", "entity", "polyglot", "formula"})
# Kinds that are markup when interpreted (the rest are template syntax or spreadsheet formulas).
MARKUP_KINDS = frozenset({"html", "attr", "rcdata", "url", "htmx", "css", "entity", "polyglot"})
MARKER_RE = re.compile(r"xss\d{3}")
_ESCAPE_RE = re.compile(r"\[\[U\+([0-9A-Fa-f]{4,6})\]\]")
# Characters that escaping must change: a stored value holding one must never appear verbatim.
SPECIAL = frozenset("<>\"'&")
# What spreadsheets read as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LOGOUT_PATH = "/konto/logga-ut/"


@dataclass(frozen=True)
class Payload:
    id: int
    kind: str
    text: str
    evidence: str = ""  # tpl payloads: what evaluating the template syntax would leave in the page

    @property
    def marker(self) -> str:
        return f"xss{self.id:03d}"

    def __str__(self) -> str:  # readable test ids
        return f"{self.marker}-{self.kind}"


@cache
def load() -> tuple[Payload, ...]:
    payloads = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (3, 4):
            raise ValueError(f"{CORPUS.name}:{number}: expected ID<TAB>KIND<TAB>PAYLOAD[<TAB>EVIDENCE]")
        ident, kind, text = fields[:3]
        payloads.append(Payload(id=int(ident), kind=kind, text=_unescape(text),
                                evidence=_unescape(fields[3]) if len(fields) == 4 else ""))
    return tuple(payloads)


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


PAYLOADS: tuple[Payload, ...] = load()


def of_kind(*kinds: str) -> list[Payload]:
    return [p for p in PAYLOADS if p.kind in kinds]


def fitting(max_length: int, payloads: Iterable[Payload] = PAYLOADS) -> list[Payload]:
    """The payloads short enough for a field of max_length characters."""
    return [p for p in payloads if len(p.text) <= max_length]


def one_line(text: str) -> str:
    """A payload as it survives a single-line input or a "Speaker: text" line."""
    return " ".join(text.split())


def markers_in(text: str) -> set[str]:
    return set(MARKER_RE.findall(text))


# ---- the checks ---------------------------------------------------------------------------

_JSON_SCRIPT_RE = re.compile(r"<script\b[^>]*\btype=\"application/json\"[^>]*>(.*?)</script>", re.S | re.I)
_TAG_FRAGMENT_RE = re.compile(r"<[^<>]{0,200}?xss\d{3}")
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "data", "poster", "background", "dynsrc", "lowsrc", "srcset",
    "cite", "longdesc", "usemap", "codebase", "manifest", "ping", "xlink:href", "values", "to", "from", "by",
})
# Elements none of our pages (nor Django's admin) contain; an injection would bring them.
FORBIDDEN_TAGS = frozenset({
    "base", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "xmp", "plaintext", "listing",
    "noembed", "noframes", "noscript", "math", "mglyph", "malignmark", "marquee", "isindex", "keygen", "portal",
    "bgsound", "video", "audio", "source", "picture", "animate", "animatetransform", "animatemotion", "set", "use",
    "foreignobject", "handler", "image", "feimage",
})
_SAFE_DATA_URL = re.compile(r"^data:image/(?:png|gif|jpe?g|webp);", re.I)


def dangerous_url(value: str) -> bool:
    """What a browser would run or render as a document: javascript:, vbscript:, data: (except
    raster images). Browsers drop tabs and newlines anywhere and leading control characters."""
    url = re.sub(r"[\t\n\r]", "", html_lib.unescape(value)).lstrip("".join(chr(c) for c in range(0x21)))
    lowered = url.lower()
    if lowered.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    return lowered.startswith("data:") and not _SAFE_DATA_URL.match(url)


def is_external(value: str) -> bool:
    url = value.strip()
    return url.startswith("//") or bool(re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I))


def _local_use(tag: str, element) -> bool:
    """Django's admin draws its theme icons with <svg><use href="#icon-…">: same-document only."""
    hrefs = [v for k, v in element.attrib.items() if k.lower().endswith("href")]
    return tag == "use" and bool(hrefs) and all(h.startswith("#") and not MARKER_RE.search(h) for h in hrefs)


class Needles:
    """Stored hostile values prepared for `raw_problems`: every value (and every tag start in
    it) indexed by its payload marker, so a page is searched once per marker it contains
    instead of once per value."""

    def __init__(self, values: Iterable[str]):
        self.by_marker: dict[str, list[tuple[str, int, str]]] = {}
        for value in set(values):
            if not (SPECIAL & set(value)):
                continue
            needles = [(value, f"unescaped value: {value[:100]!r}")]
            needles += [(fragment, f"unescaped tag {fragment[:80]!r} of value {value[:60]!r}")
                        for fragment in _TAG_FRAGMENT_RE.findall(value)]
            for needle, message in needles:
                for match in MARKER_RE.finditer(needle):
                    self.by_marker.setdefault(match.group(), []).append((needle, match.start(), message))

    def find(self, body: str) -> list[str]:
        found: dict[str, None] = {}
        for match in MARKER_RE.finditer(body):
            for needle, offset, message in self.by_marker.get(match.group(), ()):
                start = match.start() - offset
                if start >= 0 and body.startswith(needle, start):
                    found[message] = None
        return list(found)


def raw_problems(page: str, stored: Iterable[str] | Needles) -> list[str]:
    """Stored hostile values (or the start of a tag in one) that appear in the page unescaped.
    Data blocks of json_script are left out here: JSON keeps quotes as \\" and is checked apart."""
    needles = stored if isinstance(stored, Needles) else Needles(stored)
    return needles.find(_JSON_SCRIPT_RE.sub("", page))


def structure_problems(page: str, *, live: bool = False) -> list[str]:
    """What the parsed page contains that our own markup never does. With `live` the page is a
    browser's serialised DOM, where our scripts have set style properties (allowed by the CSP)."""
    if not page.strip():
        return []
    try:
        document = lxml.html.document_fromstring(page)
    except Exception as exc:  # pragma: no cover - lxml parses anything HTML-like
        return [f"page does not parse: {exc}"]
    problems = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are inert
        tag = element.tag.lower().rsplit("}", 1)[-1]
        where = f"<{tag}{''.join(f' {k}={v!r}' for k, v in list(element.attrib.items())[:4])}>"[:160]
        if tag in FORBIDDEN_TAGS and not _local_use(tag, element):
            problems.append(f"forbidden element {where}")
        if tag == "script":
            src = element.get("src")
            if src is None and (element.get("type") or "").lower() != "application/json":
                problems.append(f"inline script {where}: {(element.text or '')[:80]!r}")
            if src is not None and (not src.startswith("/") or is_external(src)):
                problems.append(f"foreign script {where}")
        elif tag == "meta" and element.get("http-equiv") is not None:
            problems.append(f"meta http-equiv {where}")
        elif tag == "link" and (not (element.get("href") or "").startswith("/") or is_external(element.get("href", ""))
                                or (element.get("rel") or "").lower() not in ("stylesheet", "icon")):
            problems.append(f"foreign link {where}")
        elif tag == "img" and not (element.get("src") or "").startswith("/static/"):
            problems.append(f"foreign image {where}")
        elif tag == "template" and element.get("id") != "popup-strings":
            problems.append(f"template element {where}")
        for name, value in element.attrib.items():
            lname = name.lower()
            if lname.startswith("on"):
                problems.append(f"event handler {lname} on {where}")
            if MARKER_RE.search(lname):
                problems.append(f"attribute named by a payload {lname!r} on {where}")
            if lname in ("id", "class", "name", "for", "form", "slot") and MARKER_RE.search(value):
                problems.append(f"payload {lname} on {where}")
            if lname == "srcdoc" or (lname == "style" and not live):
                problems.append(f"{lname} attribute on {where}")
            if lname in URL_ATTRIBUTES or lname.endswith(":href"):
                if dangerous_url(value):
                    problems.append(f"dangerous URL in {lname} of {where}")
                elif is_external(value) and (MARKER_RE.search(value) or "evil" in value):
                    problems.append(f"external URL in {lname} of {where}")
            if lname.startswith(("hx-", "data-hx-")):
                if lname.startswith(("hx-on", "data-hx-on")):
                    problems.append(f"htmx handler {lname} on {where}")
                elif (MARKER_RE.search(value) or LOGOUT_PATH in value
                      or value.strip().startswith(("js:", "javascript:"))):
                    problems.append(f"htmx attribute {lname}={value!r} on {where}")
    return problems


def json_script_problems(page: str) -> list[str]:
    problems = []
    for content in _JSON_SCRIPT_RE.findall(page):
        if "<" in content or ">" in content:
            problems.append(f"json_script block holds a raw angle bracket: {content[:80]!r}")
        try:
            json.loads(content)
        except ValueError as exc:
            problems.append(f"json_script block is not JSON: {exc}")
    return problems


def template_problems(page: str, payloads: Iterable[Payload] = PAYLOADS) -> list[str]:
    """Output a template engine would have made of a payload's syntax."""
    return [f"template syntax of {p.marker} was evaluated: {p.evidence!r} in the page"
            for p in payloads if p.kind == "tpl" and p.evidence and p.evidence in page]


def page_problems(page: str, stored: Iterable[str] | Needles = ()) -> list[str]:
    return raw_problems(page, stored) + structure_problems(page) + json_script_problems(page) + template_problems(page)


def not_shown(page: str, values: Iterable[str]) -> list[str]:
    """Values that the page should show as text (escaped exactly once) but does not."""
    return [value for value in values if escape(value) not in page]


def header_problems(response) -> list[str]:
    """Response headers that a hostile value could split or extend."""
    problems = []
    for name, value in response.headers.items():
        if "\r" in value or "\n" in value:
            problems.append(f"line break in header {name}: {value[:80]!r}")
        if name.lower() == "location":  # a redirect may carry a payload percent-encoded, but stays here
            if dangerous_url(value) or (is_external(value) and not value.startswith("http://testserver/")):
                problems.append(f"redirect away: {value[:80]!r}")
        elif MARKER_RE.search(value) and name.lower() != "content-disposition":
            problems.append(f"payload in header {name}: {value[:80]!r}")
    return problems


def formula_cells(rows: Iterable[Iterable[object]]) -> list[str]:
    """Cells a spreadsheet would run as formulas."""
    return [cell[:80] for row in rows for cell in row if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES)]
