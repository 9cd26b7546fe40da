"""Names of workplaces: "vårdcentralen Ekholmen", "Lindbackens förskola", "Solgården".

Only the proper name is replaced ("på vårdcentralen [arbetsplats]"), because the kind of
workplace is what the analysis needs and does not identify anyone. A capitalised compound
("Ekbackeskolan") is replaced whole. Generic words are never findings: "skolan", "gården",
and capitalised generic compounds at a sentence start ("Förskolan har ...").
"""

from __future__ import annotations

from transcripts.anonymising.findings import RANK_PLACE, Candidate
from transcripts.anonymising.lexicon import Lexicon
from transcripts.anonymising.textutil import adjacent, at_sentence_start, is_capitalised

# Definite nouns followed by the workplace's name: "vårdcentralen Ekholmen",
# "HVB-hemmet Kompassen", "äldreboendet Lärkan". Any word ending in one of these counts
# ("korttidsboendet", "gruppboendet").
DEFINITE_SUFFIXES = (
    "centralen", "boendet", "hemmet", "skolan", "gården", "kliniken", "mottagningen",
    "servicehuset", "bostaden", "träffpunkten",
)

# Indefinite nouns preceded by the name: "Ekholmens vårdcentral", "Lindbacka skola".
INDEFINITE_NOUNS = frozenset({
    "vårdcentral", "hälsocentral", "familjecentral", "skola", "förskola", "grundskola", "gymnasieskola",
    "särskola", "äldreboende", "gruppboende", "korttidsboende", "vårdboende", "serviceboende",
    "stödboende", "demensboende", "hvb-hem", "behandlingshem", "servicehus", "fritidsgård", "klinik",
    "mottagning", "gruppbostad", "servicebostad", "gymnasium", "träffpunkt",
})

# Capitalised one-word names: "Ekbackeskolan", "Solgården", "Lindgården", "Solhemmet".
COMPOUND_SUFFIXES = ("skolan", "gården", "hemmet", "boendet", "kliniken")
_GENITIVE_COMPOUND_SUFFIXES = tuple(suffix + "s" for suffix in COMPOUND_SUFFIXES)

# First parts that make such a compound a generic word rather than a name.
GENERIC_PREFIXES = frozenset({
    "", "för", "grund", "gymnasie", "hög", "folkhög", "sär", "grundsär", "gymnasiesär", "special", "fri",
    "vuxen", "sommar", "kör", "musik", "kultur", "dans", "sim", "bil", "trafik", "språk", "yrkes",
    "polis", "sjuksköterske", "lågstadie", "mellanstadie", "högstadie", "montessori", "waldorf",
    "äldre", "grupp", "korttids", "stöd", "vård", "service", "trygghets", "demens", "lss", "hvb",
    "familje", "behandlings", "sjuk", "barn", "ungdoms", "föräldra", "barndoms", "ålderdoms",
    "träd", "bond", "inner", "skol", "fritids", "kyrko", "bak", "präst", "ladu", "lant", "gårds",
    "dag", "natt", "akut", "ögon", "tand", "hud", "minnes", "smärt", "rehab", "medicin", "kvinno",
    "psykiatri", "beroende", "habiliterings", "rehabiliterings", "central", "hälso",
    "kommunal", "privat", "egen", "hem", "ung", "ungdom",
})

REASON_AFTER_NOUN = "Namn på arbetsplats (efter t.ex. ”vårdcentralen”)"
REASON_BEFORE_NOUN = "Namn på arbetsplats (före t.ex. ”vårdcentral”)"
REASON_COMPOUND = "Namn på arbetsplats (ordet slutar på t.ex. -skolan, -gården)"
REASON_SENTENCE_START = " – i början av en mening, kan vara ett vanligt ord"


def _compound_stem(low: str) -> str | None:
    """The first part of "ekbackeskolan(s)" etc., or None if the word has no such ending."""
    for suffix in COMPOUND_SUFFIXES:
        if low.endswith(suffix):
            return low[: -len(suffix)].rstrip("-")
        if low.endswith(suffix + "s"):
            return low[: -len(suffix) - 1].rstrip("-")
    return None


def _is_generic_definite(token: str, low: str) -> bool:
    """ "vårdcentralen", "HVB-hemmet", "Korttidsboendet" – but not "Ekbackeskolan"."""
    if not low.endswith(DEFINITE_SUFFIXES):
        return False
    if not token[0].isupper():
        return True
    stem = _compound_stem(low)
    return stem is None or stem in GENERIC_PREFIXES or low.endswith(("centralen", "mottagningen"))


def _could_be_name(token: str, lex: Lexicon) -> bool:
    """Whether a word next to "vårdcentralen"/"skola" can be the workplace's name.

    Not a function word, a municipality (that is a "kommun" finding), another generic
    noun, or a first name ("på gården Kalle lekte": Kalle is a person).
    """
    low = token.casefold()
    base = low[:-1] if low.endswith("s") else low
    return (is_capitalised(token) and low not in lex.never_names and low not in lex.municipality_forms
            and not low.endswith(DEFINITE_SUFFIXES) and low not in lex.first_names
            and base not in lex.first_names)


def find_workplaces(text: str, tokens: list[tuple[int, int, str]], lex: Lexicon) -> list[Candidate]:
    """Workplace names in a tokenised text (tokens from `textutil.WORD_RE`)."""
    found: list[Candidate] = []
    count = len(tokens)
    for i, (start, end, token) in enumerate(tokens):
        low = token.casefold()
        if low.endswith(DEFINITE_SUFFIXES) and _is_generic_definite(token, low):
            if i + 1 < count:
                n_start, n_end, name = tokens[i + 1]
                if adjacent(text, end, n_start) and _could_be_name(name, lex):
                    # "äldreboendet Lilla Lärkan": take a second capitalised word too.
                    if i + 2 < count and adjacent(text, n_end, tokens[i + 2][0]) \
                            and _could_be_name(tokens[i + 2][2], lex):
                        n_end = tokens[i + 2][1]
                    key = "arbetsplats:" + " ".join(text[n_start:n_end].casefold().split())
                    found.append(Candidate(n_start, n_end, "arbetsplats", True, REASON_AFTER_NOUN, key,
                                           RANK_PLACE))
            continue
        if low in INDEFINITE_NOUNS:
            if i > 0:
                p_start, p_end, name = tokens[i - 1]
                if adjacent(text, p_end, start) and _could_be_name(name, lex):
                    base = name.casefold()
                    if base.endswith("s") and len(base) > 3:
                        base = base[:-1]  # "Ekholmens vårdcentral" is the same as "Ekholmen"
                    certain = not at_sentence_start(text, p_start)
                    reason = REASON_BEFORE_NOUN + ("" if certain else REASON_SENTENCE_START)
                    found.append(Candidate(p_start, p_end, "arbetsplats", certain, reason,
                                           f"arbetsplats:{base}", RANK_PLACE))
            continue
        if token[0].isupper() and len(low) > 7:
            stem = _compound_stem(low)
            if stem is None or stem in GENERIC_PREFIXES or len(stem) < 2 or low in lex.never_names:
                continue
            certain = not at_sentence_start(text, start)
            reason = REASON_COMPOUND + ("" if certain else REASON_SENTENCE_START)
            base = low[:-1] if low.endswith(_GENITIVE_COMPOUND_SUFFIXES) else low
            found.append(Candidate(start, end, "arbetsplats", certain, reason, f"arbetsplats:{base}",
                                   RANK_PLACE))
    return found
