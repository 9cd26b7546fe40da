"""Sensitive terms from the reviewer (clear text) and from the study's list (keyed hashes).

The study's list of sensitive terms (street names, a local association, a rare diagnosis)
is itself sensitive, so the app stores only keyed digests of the normalised terms. The
scanner hashes every word n-gram of the text with the same key and compares. Digests are
cached per scanner, so the turns of one transcript share the work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from transcripts.anonymising.findings import RANK_TERM, Candidate
from transcripts.anonymising.textutil import CORE_TOKEN_RE, normalise_term, term_token_count

REASON_EXTRA = "Ord som granskaren har lagt till"
REASON_DIGEST = "Känsligt ord i studiens lista"

_CACHE_LIMIT = 200_000
_WHITESPACE_RUN_RE = re.compile(r"\s+")


def term_digest_entry(term: str, category: str, digest_fn: Callable[[str], str]) -> tuple[str, int, str]:
    """The (digest, token_count, category) tuple the app stores for one sensitive term."""
    return digest_fn(normalise_term(term)), term_token_count(term), category


class ExtraTerms:
    """Clear-text terms added by a reviewer for one scan, found with one regex."""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self._categories: dict[str, str] = {}
        for term, category in terms:
            normalised = normalise_term(term)
            if normalised:
                self._categories[normalised] = category
        self._regex: re.Pattern[str] | None = None
        if self._categories:
            alternatives = sorted(self._categories, key=len, reverse=True)
            body = "|".join(r"\s+".join(map(re.escape, alt.split(" "))) for alt in alternatives)
            # The optional "s" finds genitives: "Ekholmens" for the term "Ekholmen".
            self._regex = re.compile(rf"(?<!\w)(?:{body})s?(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Candidate]:
        if self._regex is None:
            return []
        found = []
        for match in self._regex.finditer(text):
            normalised = normalise_term(match.group())
            category = self._categories.get(normalised)
            if category is None and normalised.endswith("s"):
                normalised = normalised[:-1]
                category = self._categories.get(normalised)
            if category is not None:
                found.append(Candidate(match.start(), match.end(), category, True, REASON_EXTRA,
                                       f"{category}:{normalised}", RANK_TERM))
        return found


class DigestTerms:
    """Terms known only by keyed digests: (digest, token_count, category)."""

    def __init__(self, digests: Iterable[tuple[str, int, str]], digest_fn: Callable[[str], str] | None) -> None:
        # token_count -> {digest: category}
        self._tables: dict[int, dict[str, str]] = {}
        for digest, count, category in digests:
            if count > 0:
                self._tables.setdefault(count, {})[digest] = category
        if self._tables and digest_fn is None:
            raise ValueError("term_digests need a digest_fn")
        self._digest_fn = digest_fn
        self._cache: dict[str, str] = {}

    def find(self, text: str) -> list[Candidate]:
        """Hash each n-gram (n = a token count in the list), also without a genitive -s.

        The n-gram strings are built from per-token pieces rather than by calling
        `normalise_term` on each slice: the result is the same (tokens start and end with a
        letter or digit, whitespace runs become one space) at a fraction of the cost. The
        cost is one `digest_fn` call per distinct n-gram and token count in the list, so a
        fast keyed hash (keyed BLAKE2b is about three times faster than HMAC-SHA256) and
        few distinct token counts keep long transcripts fast.
        """
        if not self._tables:
            return []
        spans = [m.span() for m in CORE_TOKEN_RE.finditer(text)]
        if not spans:
            return []
        if unicodedata.is_normalized("NFC", text):
            words = [text[s:e].casefold() for s, e in spans]
        else:
            words = [unicodedata.normalize("NFC", text[s:e]).casefold() for s, e in spans]
        gaps = [text[end:start] for (_s, end), (start, _e) in zip(spans, spans[1:], strict=False)]
        gaps = [gap if gap == " " else _WHITESPACE_RUN_RE.sub(" ", gap).casefold() for gap in gaps]
        found: list[Candidate] = []
        grams = words  # grams[i] is the n-gram starting at token i
        for count in range(1, max(self._tables) + 1):
            if count > 1:
                grams = [gram + gaps[i + count - 2] + words[i + count - 1] for i, gram in enumerate(grams[:-1])]
            table = self._tables.get(count)
            if table is None:
                continue
            self._match(grams, range(len(grams)), table, spans, count, found)
            # Genitive of the last word ("Gläntans" for the term "Gläntan"), if that word
            # has more than two letters.
            genitive = [i for i, gram in enumerate(grams)
                        if gram[-1] == "s" and len(gram) > 2 and " " not in gram[-3:]]
            self._match([grams[i][:-1] for i in genitive], genitive, table, spans, count, found)
        return found

    def _match(self, grams: list[str], starts: Sequence[int], table: dict[str, str],
               spans: list[tuple[int, int]], count: int, found: list[Candidate]) -> None:
        """Add a candidate for each gram whose digest is in `table`.

        Written with map() and a set test rather than a look-up per gram in Python: nearly
        every n-gram misses, and this keeps a miss cheap.
        """
        digests = list(map(self._cache.get, grams))
        if None in digests:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            digest_fn = self._digest_fn
            assert digest_fn is not None  # checked in __init__ whenever there are digests
            for k, digest in enumerate(digests):
                if digest is None:
                    digests[k] = self._cache[grams[k]] = digest_fn(grams[k])
        if table.keys().isdisjoint(digests):
            return
        for k, digest in enumerate(digests):
            category = table.get(digest or "")
            if category is not None:
                i = starts[k]
                found.append(Candidate(spans[i][0], spans[i + count - 1][1], category, True, REASON_DIGEST,
                                       f"{category}:{grams[k]}", RANK_TERM))
