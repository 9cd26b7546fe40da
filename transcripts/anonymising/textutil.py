"""Small text helpers shared by the scanner's parts.

They live apart so that the app can compute term digests (`normalise_term`,
`term_token_count`) exactly the way the scanner compares them, without importing the
scanner's word lists.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters, optionally joined by a hyphen or an apostrophe ("Anna-Karin",
# "HVB-hemmet", "Malung-Sälen"). Digits end a word, so "070-talet" gives "talet".
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# A whitespace-separated chunk of text without the punctuation at its ends: what
# `normalise_term` keeps of one token. Used for the n-grams of the term digests.
CORE_TOKEN_RE = re.compile(r"[^\W_](?:\S*[^\W_])?")

# Characters skipped when looking back for the end of the previous sentence.
_OPENERS = frozenset("\"'”“„«»‘’([{–—-*•")
_SENTENCE_ENDS = frozenset(".!?…:")


def normalise_term(term: str) -> str:
    """Normalise a sensitive term before hashing or comparing it.

    NFC (Word documents sometimes hold decomposed å/ä/ö), casefold, collapse runs of
    whitespace to one space and strip punctuation at both ends. The app must build its
    term digests with this very function, or the scanner will never match them.
    """
    folded = " ".join(unicodedata.normalize("NFC", term).casefold().split())
    # Same as stripping r"[\W_]" at both ends (re's \w is str.isalnum() plus "_"), but
    # without a regex: this runs once per word n-gram when term digests are in use.
    start, end = 0, len(folded)
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return folded[start:end]


def term_token_count(term: str) -> int:
    """How many tokens the scanner counts in a term: the `token_count` of its digest."""
    return len(CORE_TOKEN_RE.findall(normalise_term(term)))


def is_capitalised(token: str) -> bool:
    """True for "Anna", "Anna-Karin", "Linköping"; false for "anna" and for acronyms ("LSS")."""
    return token[0].isupper() and not (len(token) > 1 and token.isupper())


def at_sentence_start(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence (or a line, or the whole text).

    Swedish capitalises only names mid-sentence, so a capitalised word there is a strong
    sign of a name; at a sentence start it is not. Quotes, brackets and dashes before the
    word are skipped; a colon counts as a sentence end because transcripts write
    "Talare: Hans ..." and "Intervjuaren frågade: Hans ...".
    """
    i = pos - 1
    while i >= 0:
        char = text[i]
        if char == "\n":
            return True
        if char.isspace() or char in _OPENERS:
            i -= 1
            continue
        return char in _SENTENCE_ENDS
    return True


def adjacent(text: str, end: int, start: int) -> bool:
    """Whether two words are separated by nothing but spaces on the same line."""
    if start - end == 1:
        return text[end] in " \u00a0"
    gap = text[end:start]
    return 0 < len(gap) <= 3 and gap.isspace() and "\n" not in gap
