"""The word lists behind the scanner, read from `data/` once per process.

Everything is casefolded and turned into sets and dicts at first use, so a scan only does
constant-time look-ups. `lexicon()` is cached: tests and web requests share one copy.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")

# Suffixes that make the "X kommun" form of a municipality certain.
MUNICIPALITY_WORDS = frozenset({"kommun", "kommuns", "stad", "stads"})

# Prepositions after which a capitalised word is a place ("i Vara", "från Lund").
PLACE_PREPOSITIONS = frozenset({
    "i", "från", "till", "utanför", "nära", "mot", "kring", "runt", "inom", "via", "genom",
    "om", "åt",
})

# Demonyms that do not follow the regular "-bo" pattern.
_IRREGULAR_DEMONYMS = {
    "stockholmare": "Stockholm", "stockholmaren": "Stockholm", "stockholmarna": "Stockholm",
    "göteborgare": "Göteborg", "göteborgaren": "Göteborg", "göteborgarna": "Göteborg",
    "boråsare": "Borås", "boråsaren": "Borås", "boråsarna": "Borås",
    "malmöbo": "Malmö", "malmöbor": "Malmö", "malmöborna": "Malmö",
}


def read_list(name: str) -> list[str]:
    """The entries of one data file, without comments and blank lines."""
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    entries = []
    for line in lines:
        entry = unicodedata.normalize("NFC", line.strip())
        if entry and not entry.startswith("#"):
            entries.append(entry)
    return entries


@dataclass(frozen=True)
class Lexicon:
    """Casefolded look-up tables built from the data files."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    municipalities: tuple[str, ...]  # the 290 names as written in kommuner.txt
    also_words: frozenset[str]  # ocksa_ord.txt
    never_names: frozenset[str]  # inte_namn.txt
    # one-word forms ("linköping", "linköpings", "upplands-bro") -> canonical name
    municipality_forms: dict[str, str]
    # first word of a two-word name ("upplands") -> [(second word forms, canonical)]
    municipality_pairs: dict[str, list[tuple[frozenset[str], str]]]
    demonyms: dict[str, str]  # "linköpingsbor" -> "Linköping"

    def is_name(self, form: str) -> bool:
        return form in self.first_names or form in self.surnames


def genitive(name: str) -> str:
    """Swedish genitive: "Linköpings", "Motalas", but "Borås" and "Kalix" stay as they are."""
    return name if name[-1] in "sxzSXZ" else name + "s"


def _demonyms(names: list[str], also_words: frozenset[str]) -> dict[str, str]:
    """Regular "-bo" forms: "motalabo", "linköpingsbor", "mjölbyborna".

    Left out for names that are also ordinary words ("varabo" is fine, but "Vara" itself
    is too ambiguous to trust its derivations), for two-word names, and for names ending
    in s/x/z, whose demonyms are irregular ("boråsare").
    """
    result: dict[str, str] = {}
    for name in names:
        low = name.casefold()
        if " " in low or "-" in low or low in also_words or low[-1] in "sxz":
            continue
        stem = low if low[-1] in "aeiouyåäö" else low + "s"
        for ending in ("bo", "bon", "bor", "borna"):
            result[stem + ending] = name
    for demonym, name in _IRREGULAR_DEMONYMS.items():
        result[demonym] = name
    return result


@functools.cache
def lexicon() -> Lexicon:
    """Load and index the data files (once per process)."""
    first = frozenset(n.casefold() for n in read_list("fornamn_faker.txt") + read_list("fornamn_tillagg.txt"))
    sur = frozenset(n.casefold() for n in read_list("efternamn_faker.txt") + read_list("efternamn_tillagg.txt"))
    also = frozenset(w.casefold() for w in read_list("ocksa_ord.txt"))
    never = frozenset(w.casefold() for w in read_list("inte_namn.txt"))
    municipalities = tuple(read_list("kommuner.txt"))

    forms: dict[str, str] = {}
    pairs: dict[str, list[tuple[frozenset[str], str]]] = {}
    for name in municipalities:
        words = name.split()
        if len(words) == 1:
            forms[name.casefold()] = name
            forms[genitive(name).casefold()] = name
        else:
            head, tail = words[0].casefold(), words[-1]
            pairs.setdefault(head, []).append((frozenset({tail.casefold(), genitive(tail).casefold()}), name))
    return Lexicon(
        first_names=first,
        surnames=sur,
        municipalities=municipalities,
        also_words=also,
        never_names=never,
        municipality_forms=forms,
        municipality_pairs=pairs,
        demonyms=_demonyms(list(municipalities), also),
    )
