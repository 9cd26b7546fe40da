"""Recognising speaker labels and time marks at the start of a line.

Shared by the text, Word and Teams parsers. The hard part is telling a label
(``IP 3:``, ``Anna-Karin Ström:``) from an ordinary sentence with a colon
(``Det var så här: vi ringde.``); the rules here only judge one candidate, the
document-wide decision (how often a label recurs, where the header ends) is made in
:mod:`transcripts.importers.turns`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def words(text: str) -> list[str]:
    """Split a word list written as a paragraph (easier to review than a list literal)."""
    return text.split()


# --- whitespace -------------------------------------------------------------------------

# Invisible characters that sneak in from Word/Teams copy-paste and would make two
# identical labels differ; removed, not replaced by a space. (A regex, not str.translate:
# translate with a dict is ten times slower on long texts.)
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Collapse all whitespace runs (tabs, NBSP, thin spaces) to one space and trim."""
    text = _INVISIBLE_RE.sub("", text)
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub(" ", text)
    return " ".join(text.split())


def nfc(text: str) -> str:
    """Compose characters: macOS writes "å" as "a" + ring, which would not match "å"."""
    return unicodedata.normalize("NFC", text)


# --- time marks -------------------------------------------------------------------------

# Inside brackets we accept any digits-and-colons shape so garbage like [99:99] is still
# recognised (and removed) as an attempted time mark; bare marks must look like a time.
_TIME_IN_BRACKETS = r"\d{1,3}(?::\d{1,3}){1,2}(?:[.,]\d{1,3})?"
_BARE_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
TIME_MARK = rf"(?:[\[(]\s*{_TIME_IN_BRACKETS}\s*[\])]|{_BARE_TIME}(?!\d|:\d))"
_TIME_ONLY_RE = re.compile(rf"^{TIME_MARK}$")
_DIGITS_RE = re.compile(r"\d+")

MAX_SECONDS = 24 * 3600


def time_to_seconds(mark: str | None) -> int | None:
    """Seconds for ``[hh:mm:ss]``, ``mm:ss``, ``(h:mm:ss.ms)`` …; ``None`` when implausible.

    Minutes/seconds of 60 or more, or a time beyond 24 h, mean a typo: the mark is still
    stripped from the text by the caller, but no time is invented.
    """
    if not mark:
        return None
    main = re.split(r"[.,]", mark.strip("[]() \t"))[0]
    parts = [int(p) for p in _DIGITS_RE.findall(main)]
    if not 2 <= len(parts) <= 3:
        return None
    if len(parts) == 2:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    if minutes >= 60 or seconds >= 60:
        return None
    total = hours * 3600 + minutes * 60 + seconds
    return total if total <= MAX_SECONDS else None


def is_time_only(text: str) -> bool:
    return bool(_TIME_ONLY_RE.match(text))


# --- labels -------------------------------------------------------------------------------

# Words that make a "label" read as the start of a sentence. Prepositions are left out on
# purpose so role labels like "Chef för hemtjänsten" can still be accepted when they recur.
SENTENCE_WORDS = frozenset(
    words(
        """
    jag du han hon vi ni dem dom det detta denna dessa mig dig oss er sig hen
    min mitt mina din ditt dina vår vårt våra deras hans hennes
    är var vara varit blir blev bli har hade ha kan kunde ska skulle vill ville måste
    får fick gör gjorde göra sa sade säger sägs tycker tyckte tänker tänkte tror trodde
    vet visste menar menade känner kände finns fanns brukar började kommer kom gick går
    och men eller att som om när så här där nu också bara inte ej aldrig alltid ju väl
    nog kanske alltså liksom typ fast eftersom sen sedan först dock även än utan
    ja nej jo nä nää okej ok precis exakt absolut visst mm mhm hmm aha jaha jaså tack hej
    nämen oj åh ah vad vem hur varför vilken vilket vilka något någon några allt alla
    mycket lite en ett
    """
    )
)

# Role words seen in focus-group transcripts; a label starting with one of these is a
# speaker even if it occurs only once, and even without a capital letter ("ip3:").
ROLE_WORDS = frozenset(
    words(
        """
    intervjuare intervjuaren moderator moderatorn samtalsledare samtalsledaren ledare
    gruppledare bisittare observatör deltagare deltagaren informant informanten
    respondent respondenten talare person forskare intervjuperson ip int fp i r p d
    speaker interviewer facilitator participant
    sjuksköterska distriktssköterska undersköterska arbetsterapeut fysioterapeut
    sjukgymnast biståndshandläggare handläggare enhetschef chef verksamhetschef läkare
    kurator dietist logoped vårdbiträde stödassistent boendestödjare hemtjänstpersonal
    omsorgspersonal rehabassistent anhörig brukare patient medarbetare samordnare
    """
    )
)
_ROLE_WITH_NUMBER_RE = re.compile(r"^(?:ip|int|fp|i|r|p|d|fg|deltagare|informant|talare|person)\d{1,3}$")

# Header fields (before the first turn) and section headings (anywhere) that share the
# "Word: text" shape with turns but are never speakers.
HEADER_KEYS = frozenset(
    words(
        """
    datum tid tidpunkt klockslag plats ort lokal längd inspelningslängd varaktighet
    transkriberat transkriberad transkribent transkribering transkription transkriptör
    närvarande deltagare frånvarande kommun verksamhet projekt studie fil filnamn
    inspelning ljudfil ämne rubrik titel version kodning anteckningar kommentar
    kommentarer anm anmärkning obs not teckenförklaring förkortningar intervjudatum
    intervjutid inspelad omgång runda fokusgrupp grupp team
    """
    )
)
HEADER_PHRASES = frozenset(
    {
        "transkriberat av",
        "transkriberad av",
        "inspelat av",
        "antal deltagare",
        "fokusgrupp nr",
        "längd på inspelning",
    }
)
# Nouns that introduce an explanation in speech ("Problemet: ingen svarar.") and are
# never speaker labels on their own.
NOT_LABELS = frozenset(
    words(
        """
    exempel sammanfattning fördelar nackdelar problem problemet förslag tips slutsats
    slutsatsen frågan poängen skillnaden grejen saken resultatet målet syftet anledningen
    orsaken alternativ citat nyckeln utmaningen svårigheten
    """
    )
)
_SECTION_RE = re.compile(
    r"^(?:fråga|frågeområde|tema|del|avsnitt|område|bilaga|fokusgrupp|grupp|team|omgång|runda)"
    r"\s*(?:\d{1,3}[a-z]?|[ivx]{1,4})$"
)

# Name particles ("Jan de Vries") that are also pronouns: allowed inside a label, not first.
_NOT_FIRST = frozenset({"de", "den"})
_PARTICLES = frozenset({"von", "af", "van", "der", "den", "de", "la", "le", "da", "di", "del", "bin", "ibn"})
_WORD_OK_RE = re.compile(r"^[^\W_][\w'’.\-]*$")
_PAREN_RE = re.compile(r"\s*\([^()]{1,30}\)$")
_DESIGNATOR_RE = re.compile(r"^(?:\d{1,3}|[A-ZÅÄÖ]|[A-ZÅÄÖ]{1,3}\d{1,3}|[IVX]{1,4})$")

MAX_LABEL_WORDS = 5
MAX_LABEL_CHARS = 50


@dataclass(frozen=True)
class LabelInfo:
    """How much a label candidate looks like a speaker, judged on the label alone."""

    label: str  # as found (whitespace-normalised)
    key: str  # case-folded, for counting occurrences
    strict: bool  # every word capitalised / a designator: "Anna-Karin Ström", "IP 3"
    known: bool  # starts with a role word: "Intervjuare", "ip3", "Sjuksköterska 2"
    designated: bool  # ends with a number/letter designator: "Deltagare A", "IP 3"
    header: bool  # a header field or section heading ("Datum", "Fråga 2"): never a speaker


def judge_label(raw: str) -> LabelInfo | None:
    """Return a :class:`LabelInfo` if ``raw`` could be a speaker label, else ``None``.

    ``None`` means "certainly not a label" (a sentence, too long, punctuation); the
    looser cases are returned with ``strict=False`` and only accepted when they recur.
    """
    label = clean(raw)
    if not label or len(label) > MAX_LABEL_CHARS or label[-1] in ".,;!?-–":
        return None
    tokens = _PAREN_RE.sub("", label).split()
    if not 1 <= len(tokens) <= MAX_LABEL_WORDS or not all(_WORD_OK_RE.match(w) for w in tokens):
        return None
    folded = [w.casefold() for w in tokens]
    key = " ".join(label.casefold().split())
    header = _is_header(folded)
    first = tokens[0]
    known = folded[0] in ROLE_WORDS or bool(_ROLE_WITH_NUMBER_RE.match(folded[0]))
    if folded[0] in _NOT_FIRST or (len(folded) == 1 and folded[0] in NOT_LABELS):
        return None
    if not header and any(w in SENTENCE_WORDS for w in folded):
        return None
    if not (first[0].isupper() or known or header):
        return None
    designated = (len(tokens) > 1 and bool(_DESIGNATOR_RE.match(tokens[-1]))) or bool(
        _ROLE_WITH_NUMBER_RE.match(folded[0])
    )
    strict = all(_is_name_like(w) for w in tokens[1:])
    return LabelInfo(label, key, strict, known, designated, header)


def _is_header(folded: list[str]) -> bool:
    joined = " ".join(folded)
    return (
        (len(folded) == 1 and folded[0] in HEADER_KEYS) or joined in HEADER_PHRASES or bool(_SECTION_RE.match(joined))
    )


def _is_name_like(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit() or word in _PARTICLES or bool(_DESIGNATOR_RE.match(word))


# --- line shapes --------------------------------------------------------------------------

# A label, optionally with a parenthesis ("Anna (moderator)") that is not a time mark.
_LABEL_CHARS = r"[^\W\d_][^:\[\]()\n]{0,48}?(?:\s*\((?!\s*\d{1,3}:)[^()\n]{1,30}\))?"

# "[00:01:02] Intervjuare [00:01:02]: [00:01:02] text" – each time mark optional.
# The colon must not be followed by a digit or "/" so "kl. 10:30" and URLs stay text.
LABEL_COLON_RE = re.compile(
    rf"^(?:(?P<t1>{TIME_MARK})\s*(?:[-–:]\s*)?)?"
    rf"(?P<label>{_LABEL_CHARS})"
    rf"\s*(?P<t2>{TIME_MARK})?\s*"
    r":(?![\d/])\s*"
    rf"(?:(?P<t3>{TIME_MARK})(?:\s*[-–:])?(?!\S)\s*)?"
    r"(?P<rest>.*)$"
)

# A line holding only a label, without colon: "Intervjuare", "Anna Andersson 0:03".
LABEL_ALONE_RE = re.compile(
    rf"^(?:(?P<t1>{TIME_MARK})\s+(?:[-–]\s*)?)?"
    rf"(?P<label>{_LABEL_CHARS})"
    rf"(?:\s+(?:[-–]\s*)?(?P<t2>{TIME_MARK}))?$"
)


LEADING_TIME_RE = re.compile(rf"^(?P<time>{TIME_MARK})(?:\s+|$)(?P<rest>.*)$")


def first_time(*marks: str | None) -> tuple[bool, int | None]:
    """(whether any mark was present, seconds of the first plausible one)."""
    present = [m for m in marks if m]
    for mark in present:
        seconds = time_to_seconds(mark)
        if seconds is not None:
            return True, seconds
    return bool(present), None
