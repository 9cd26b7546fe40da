"""What the scanner reports, and how a finding's category becomes a placeholder.

A `Finding` is immutable and carries everything the review screen shows. Its `key` says
*what* was found (which person, which municipality, which number) independently of how it
was written, so "replace everywhere" can find every occurrence of the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from transcripts.anonymising.textutil import normalise_term

CATEGORIES = ("personnummer", "telefon", "epost", "namn", "kommun", "arbetsplats", "term")

_FIXED_PLACEHOLDERS = {
    "personnummer": "[personnummer]",
    "telefon": "[telefonnummer]",
    "epost": "[e-post]",
    "kommun": "[kommun]",
    "ort": "[kommun]",
    "arbetsplats": "[arbetsplats]",
}

# How strongly a kind of finding claims its span when two findings overlap. Length wins
# first (see Scanner.scan); rank breaks ties between spans of the same length.
RANK_STRUCTURED = 5  # personnummer, phone number, e-mail address: checked by their form
RANK_TERM = 4  # a reviewer's own term: the reviewer knows best
RANK_SPEAKER = 3  # a name that the file itself says belongs to a speaker
RANK_PLACE = 2  # municipality and workplace patterns
RANK_NAME_LIST = 1  # a word that happens to be in the name lists


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text.

    `start`/`end` are code-point offsets into the scanned text, `text == text[start:end]`.
    `certain` is False for weak findings (a name that is also an ordinary word at the
    start of a sentence, say): the review screen shows them but does not pre-accept them.
    `key` identifies what was found ("namn:anna-karin ström", "kommun:linköping",
    "telefon:+46701234567"); findings with the same key are the same person or thing and
    get the same placeholder. Keys hold the real data in normalised form: keep them out of
    logs and URLs like the text itself.
    """

    start: int
    end: int
    text: str
    category: str
    placeholder: str
    reason: str
    certain: bool
    key: str = ""


@dataclass(slots=True)
class Candidate:
    """A finding before overlaps are resolved and placeholders numbered (internal)."""

    start: int
    end: int
    category: str
    certain: bool
    reason: str
    key: str
    rank: int


def placeholder_for(category: str, number: int | None = None) -> str:
    """The placeholder of a category: names are numbered ("[namn 2]"), the rest are not.

    Reviewer categories other than the known ones become "[uppgift]" (a piece of
    information), which says that something was removed without saying what.
    """
    if category == "namn":
        return f"[namn {number or 1}]"
    return _FIXED_PLACEHOLDERS.get(category, "[uppgift]")


def placeholder_key(finding: Finding) -> str:
    """The identity of what a finding found, for "replace everywhere".

    The scanner fills `Finding.key`; a finding built elsewhere (say, a reviewer marking a
    word by hand) gets its category plus the normalised text.
    """
    if finding.key:
        return finding.key
    return f"{finding.category}:{normalise_term(finding.text)}"
