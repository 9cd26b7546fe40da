"""The scanner: finds personal data in one text and suggests placeholders.

One `Scanner` is built per transcript (it knows the speakers' real names and the
reviewer's terms) and scans the turns one by one. Everything that does not depend on the
transcript (name lists, municipality forms, regexes) is built once per process, so a
scan is a single pass over the words with dictionary look-ups.

How names are judged (Swedish capitalises only names mid-sentence):

* only capitalised words are names ("hans bil" never is);
* two or more name words in a row are one certain finding ("Bo Ek", "Anna Andersson"),
  and a sure first name followed by an unknown capitalised word takes it as a surname;
* a name that is also an ordinary word ("Hans", "Bo", "Klara", "Berg") is weak at the
  start of a sentence and certain elsewhere; one that is also a month ("Maj") is weak
  everywhere unless another name follows;
* the speakers' own names (from the file's voice tags) are certain, with first names,
  surnames and genitives mapped to the speaker's key.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from transcripts.anonymising.findings import (
    RANK_NAME_LIST,
    RANK_PLACE,
    RANK_SPEAKER,
    Candidate,
    Finding,
    placeholder_for,
)
from transcripts.anonymising.lexicon import (
    MUNICIPALITY_WORDS,
    PLACE_PREPOSITIONS,
    lexicon,
)
from transcripts.anonymising.numbers import find_emails, find_numbers
from transcripts.anonymising.terms import DigestTerms, ExtraTerms
from transcripts.anonymising.textutil import WORD_RE, adjacent, at_sentence_start, is_capitalised
from transcripts.anonymising.workplaces import find_workplaces

REASON_SPEAKER = "Talarens namn i filen"
REASON_SPEAKER_SHARED = "Talarens namn i filen (flera talare har det namnet)"
REASON_SPEAKER_CALENDAR = "Talarens namn i filen, men också namnet på en månad"
REASON_FULL_NAME = "Förnamn och efternamn"
REASON_FIRST = "Vanligt förnamn"
REASON_SURNAME = "Vanligt efternamn"
REASON_SSON = "Efternamn (slutar på -sson)"
REASON_WORD_START = ", men också ett vanligt ord i början av en mening"
REASON_WORD_MID = " (också ett vanligt ord, men med stor bokstav mitt i meningen)"
REASON_CALENDAR = ", men också namnet på en månad eller ett vanligt ord"
REASON_KOMMUN = "Kommunnamn"
REASON_KOMMUN_WORD = "Kommunnamn, men också ett vanligt ord"
REASON_KOMMUN_DEMONYM = "Invånare i en kommun (-bo, -borna)"

# Existing placeholders ("[namn 1]", "[arbetsplats]") are never scanned again. Real
# bracketed text by a transcriber ("[Anna Berg]") is capitalised and still scanned.
_PLACEHOLDER_RE = re.compile(r"\[[a-zåäö][a-zåäö -]{0,40}?(?: \d{1,4})?\]")
_SSON_RE = re.compile(r"[^\W\d_]{2,}sson")
_SPEAKER_NOISE_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>")
_SPEAKER_SUFFIX_RE = re.compile(r"\s+[-–|/]\s+|\s*\|\s*")
_MAX_RUN = 4
_CACHE_LIMIT = 50_000
_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class _NameInfo:
    """What the lists say about one capitalised word."""

    base: str  # casefolded, genitive -s removed
    speakers: frozenset[int]  # indices of speakers with this name part
    first: bool
    surname: bool
    by_suffix: bool  # not in the lists, but ends in -sson
    also_word: bool  # ocksa_ord.txt: weak at a sentence start
    calendar: bool  # also in inte_namn.txt (the month "Maj"): weak unless in a run


class Scanner:
    """Finds personal data in the texts of one transcript.

    `speaker_names` are the real names from the file ("Anna-Karin Ström", "Erik Johansson
    (Extern)"). `extra_terms` are (term, category) pairs a reviewer added. `term_digests`
    are (digest, token_count, category) tuples of the study's sensitive terms, where
    digest = digest_fn(normalise_term(term)); see `term_digest_entry`.
    """

    def __init__(
        self,
        *,
        speaker_names: Iterable[str] = (),
        extra_terms: Iterable[tuple[str, str]] = (),
        term_digests: Iterable[tuple[str, int, str]] = (),
        digest_fn: Callable[[str], str] | None = None,
    ) -> None:
        self._lex = lexicon()
        self._speaker_keys: list[str] = []
        self._speaker_parts: dict[str, frozenset[int]] = {}
        self._add_speakers(speaker_names)
        self._extra = ExtraTerms(extra_terms)
        self._digests = DigestTerms(term_digests, digest_fn)
        self._info_cache: dict[str, _NameInfo | None] = {}

    # -- speakers ------------------------------------------------------------------------

    def _speaker_words(self, raw: str) -> list[str]:
        """The name words of a voice tag: "Erik Johansson (Extern)" -> ["Erik", "Johansson"].

        Drops bracketed notes and anything after " - " or "|" (Teams adds the employer),
        turns "Johansson, Erik" round and reads "anna.strom@…" as "anna strom".
        """
        name = unicodedata.normalize("NFC", raw)
        if "@" in name:
            name = re.sub(r"[._]", " ", name.split("@", 1)[0])
        name = _SPEAKER_NOISE_RE.sub(" ", name)
        name = _SPEAKER_SUFFIX_RE.split(name)[0]
        if name.count(",") == 1:
            last, first = (part.strip() for part in name.split(","))
            name = f"{first} {last}"
        lex = self._lex
        return [w for w in WORD_RE.findall(name)
                if len(w) > 1 and (w.casefold() not in lex.never_names or lex.is_name(w.casefold()))]

    def _add_speakers(self, names: Iterable[str]) -> None:
        parts: dict[str, set[int]] = {}
        for raw in names:
            words = self._speaker_words(raw)
            if not words:
                continue
            key = "namn:" + " ".join(w.casefold() for w in words)
            if key in self._speaker_keys:
                continue
            index = len(self._speaker_keys)
            self._speaker_keys.append(key)
            for word in words:
                parts.setdefault(word.casefold(), set()).add(index)
        self._speaker_parts = {part: frozenset(ids) for part, ids in parts.items()}

    # -- word look-ups -------------------------------------------------------------------

    def _info(self, token: str) -> _NameInfo | None:
        """Cached `_lookup`: capitalised words repeat a lot ("Jag", "Anna", "Det")."""
        try:
            return self._info_cache[token]
        except KeyError:
            if len(self._info_cache) > _CACHE_LIMIT:
                self._info_cache.clear()
            info = self._info_cache[token] = self._lookup(token)
            return info

    def _lookup(self, token: str) -> _NameInfo | None:
        lex = self._lex
        low = token.casefold()
        forms = [low]
        if low in lex.never_names and not lex.is_name(low) and low not in self._speaker_parts:
            return None  # "Dels", "Jag": never a name, not even through its genitive
        if len(low) > 2 and low.endswith("s"):
            forms.append(low[:-1])  # genitive: "Eriks", "Ströms", "Anna-Karins"
        for form in forms:
            speakers = self._speaker_parts.get(form, _EMPTY)
            first = form in lex.first_names
            surname = form in lex.surnames
            if speakers or first or surname:
                return _NameInfo(form, speakers, first, surname, False, form in lex.also_words,
                                 form in lex.never_names)
        if "-" in low:  # double names not in the lists: "Eva-Britt", "Svensson-Berg"
            parts = low.split("-")
            if all(lex.is_name(p) for p in parts):
                return _NameInfo(low, _EMPTY, all(p in lex.first_names for p in parts),
                                 not all(p in lex.first_names for p in parts), False, False, False)
        if _SSON_RE.fullmatch(low) or (low.endswith("ssons") and _SSON_RE.fullmatch(low[:-1])):
            return _NameInfo(low.removesuffix("s") if low.endswith("ssons") else low, _EMPTY, False, True,
                             True, False, False)
        return None

    @staticmethod
    def _takes_unknown_surname(text: str, start: int, info: _NameInfo) -> bool:
        """Whether a first name is sure enough to take an unlisted capitalised word after it
        as a surname ("Lisa Kowalczyk"): a speaker's name, a listed first name that is not
        also a word, or one that is but stands capitalised mid-sentence ("och Hans Nowak")."""
        if info.speakers:
            return True
        if not info.first or info.calendar:
            return False
        return not info.also_word or not at_sentence_start(text, start)

    def _unknown_surname(self, token: str) -> bool:
        """Whether a capitalised word after a sure first name can be its surname."""
        low = token.casefold()
        lex = self._lex
        return (is_capitalised(token) and len(low) > 1 and low not in lex.never_names
                and low not in lex.municipality_forms and low not in lex.municipality_pairs
                and not low.endswith(("skolan", "gården", "hemmet", "boendet", "kliniken", "centralen")))

    # -- scanning ------------------------------------------------------------------------

    def scan(self, text: str) -> list[Finding]:
        """All findings in `text`, sorted by start and without overlaps.

        Where candidates overlap, the longer span wins ("Anna-Karin Ström" over "Ström",
        "Linköpings kommun" over "Linköpings"); for equal spans the stronger kind wins
        (structured numbers, then the reviewer's terms, speakers, places, name lists).
        Names are numbered "[namn 1]", "[namn 2]" in order of first appearance in this
        text; `assign_placeholders` renumbers them across the texts of a transcript.
        """
        candidates: list[Candidate] = []
        candidates += find_emails(text)
        if _has_digit(text):
            candidates += find_numbers(text)
        tokens = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]
        candidates += self._names_and_places(text, tokens)
        candidates += find_workplaces(text, tokens, self._lex)
        candidates += self._extra.find(text)
        candidates += self._digests.find(text)
        if "[" in text:
            candidates = _outside_placeholders(text, candidates)
        return _findings(text, _resolve(candidates))

    def _names_and_places(self, text: str, tokens: list[tuple[int, int, str]]) -> list[Candidate]:
        found: list[Candidate] = []
        lex = self._lex
        count = len(tokens)
        i = 0
        while i < count:
            start, end, token = tokens[i]
            if not is_capitalised(token):
                if token[0].islower():
                    municipality = lex.demonyms.get(token.casefold())
                    if municipality is not None:
                        found.append(Candidate(start, end, "kommun", True, REASON_KOMMUN_DEMONYM,
                                               f"kommun:{municipality.casefold()}", RANK_PLACE))
                i += 1
                continue
            info = self._info(token)
            if info is not None:
                stop, infos = self._run(text, tokens, i, info)
                if len(infos) > 1:
                    found.append(self._run_candidate(start, tokens[stop - 1][1], infos))
                    i = stop
                    continue
                if not (token.casefold() in lex.municipality_forms and self._place_context(text, tokens, i)):
                    found.append(self._single_candidate(text, start, end, info))
                    i += 1
                    continue
            stop = self._municipality(text, tokens, i, found)
            i = max(stop, i + 1)
        return found

    def _run(self, text: str, tokens: list[tuple[int, int, str]], i: int,
             info: _NameInfo) -> tuple[int, list[_NameInfo]]:
        """Name words in a row from token i: returns the index after the run and their infos."""
        infos = [info]
        j = i + 1
        while j < len(tokens) and len(infos) < _MAX_RUN:
            if not adjacent(text, tokens[j - 1][1], tokens[j][0]) or not is_capitalised(tokens[j][2]):
                break
            next_info = self._info(tokens[j][2])
            if next_info is None:
                if len(infos) == 1 and self._takes_unknown_surname(text, tokens[i][0], info) \
                        and self._unknown_surname(tokens[j][2]):
                    infos.append(_NameInfo(tokens[j][2].casefold(), _EMPTY, False, True, True, False, False))
                    j += 1
                break
            infos.append(next_info)
            j += 1
        return j, infos

    def _run_candidate(self, start: int, end: int, infos: list[_NameInfo]) -> Candidate:
        common = frozenset.intersection(*(i.speakers for i in infos))
        if common and len(common) == 1:
            key, reason, rank = self._speaker_keys[next(iter(common))], REASON_SPEAKER, RANK_SPEAKER
        else:
            key = "namn:" + " ".join(i.base for i in infos)
            reason, rank = REASON_FULL_NAME, RANK_NAME_LIST
        return Candidate(start, end, "namn", True, reason, key, rank)

    def _single_candidate(self, text: str, start: int, end: int, info: _NameInfo) -> Candidate:
        sentence_start = at_sentence_start(text, start)
        if info.speakers:
            if len(info.speakers) == 1:
                key, reason = self._speaker_keys[next(iter(info.speakers))], REASON_SPEAKER
            else:
                key, reason = f"namn:{info.base}", REASON_SPEAKER_SHARED
            # The file says this person took part, so even "Hans" at a sentence start is
            # more likely the name than the pronoun; only a month name stays weak.
            if info.calendar:
                return Candidate(start, end, "namn", False, REASON_SPEAKER_CALENDAR, key, RANK_SPEAKER)
            return Candidate(start, end, "namn", True, reason, key, RANK_SPEAKER)
        if info.by_suffix:
            reason = REASON_SSON
        elif info.first:
            reason = REASON_FIRST
        else:
            reason = REASON_SURNAME
        certain = True
        if info.calendar:
            certain, reason = False, reason + REASON_CALENDAR
        elif info.also_word:
            if sentence_start:
                certain, reason = False, reason + REASON_WORD_START
            else:
                reason += REASON_WORD_MID
        return Candidate(start, end, "namn", certain, reason, f"namn:{info.base}", RANK_NAME_LIST)

    def _place_context(self, text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
        """ "i Lund", "från Vara" or "Vara kommun": the word is a place, not a name."""
        if i > 0 and tokens[i - 1][2].casefold() in PLACE_PREPOSITIONS \
                and adjacent(text, tokens[i - 1][1], tokens[i][0]):
            return True
        return i + 1 < len(tokens) and tokens[i + 1][2].casefold() in MUNICIPALITY_WORDS \
            and adjacent(text, tokens[i][1], tokens[i + 1][0])

    def _municipality(self, text: str, tokens: list[tuple[int, int, str]], i: int,
                      found: list[Candidate]) -> int:
        """Add a municipality starting at token i, if any; return the index after it."""
        lex = self._lex
        start, end, token = tokens[i]
        low = token.casefold()
        name = None
        stop = i + 1
        for tails, canonical in lex.municipality_pairs.get(low, ()):
            if stop < len(tokens) and tokens[stop][2].casefold() in tails \
                    and adjacent(text, end, tokens[stop][0]):
                name, stop = canonical, stop + 1
                break
        if name is None:
            name = lex.municipality_forms.get(low)
            if name is None:
                demonym_of = lex.demonyms.get(low)  # "Linköpingsborna" opening a sentence
                if demonym_of is not None:
                    found.append(Candidate(start, end, "kommun", True, REASON_KOMMUN_DEMONYM,
                                           f"kommun:{demonym_of.casefold()}", RANK_PLACE))
                return stop
        end = tokens[stop - 1][1]
        with_word = stop < len(tokens) and tokens[stop][2].casefold() in MUNICIPALITY_WORDS \
            and adjacent(text, end, tokens[stop][0])
        if with_word:
            end = tokens[stop][1]
            stop += 1
        reason = REASON_KOMMUN
        certain = True
        if name.casefold() in lex.also_words and not with_word:
            reason = REASON_KOMMUN_WORD
            certain = not at_sentence_start(text, start) and self._place_context(text, tokens, i)
        found.append(Candidate(start, end, "kommun", certain, reason, f"kommun:{name.casefold()}", RANK_PLACE))
        return stop


def _has_digit(text: str) -> bool:
    return _DIGIT_RE.search(text) is not None


_DIGIT_RE = re.compile(r"\d")


def _outside_placeholders(text: str, candidates: list[Candidate]) -> list[Candidate]:
    spans = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
    if not spans:
        return candidates
    starts = [s for s, _e in spans]
    kept = []
    for cand in candidates:
        k = bisect.bisect_right(starts, cand.start) - 1
        inside = (k >= 0 and cand.start < spans[k][1]) or (
            k + 1 < len(spans) and spans[k + 1][0] < cand.end)
        if not inside:
            kept.append(cand)
    return kept


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then strongest, then certain, then first."""
    ordered = sorted(candidates, key=lambda c: (c.start - c.end, -c.rank, not c.certain, c.start))
    starts: list[int] = []
    chosen: list[Candidate] = []
    for cand in ordered:
        k = bisect.bisect_right(starts, cand.start)
        if k > 0 and chosen[k - 1].end > cand.start:
            continue
        if k < len(chosen) and chosen[k].start < cand.end:
            continue
        starts.insert(k, cand.start)
        chosen.insert(k, cand)
    return chosen


def _findings(text: str, candidates: list[Candidate]) -> list[Finding]:
    """Findings with placeholders; names numbered by first appearance in this text."""
    numbers: dict[str, int] = {}
    findings = []
    for cand in candidates:
        number = None
        if cand.category == "namn":
            number = numbers.setdefault(cand.key, len(numbers) + 1)
        findings.append(Finding(cand.start, cand.end, text[cand.start:cand.end], cand.category,
                                placeholder_for(cand.category, number), cand.reason, cand.certain, cand.key))
    return findings
