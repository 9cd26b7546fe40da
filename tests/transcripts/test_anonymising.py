"""Tests for transcripts.anonymising: finding personal data and replacing it consistently.

Pure functions, no database. Personnummer used here are made up and Luhn-valid
(850312-2387, samordningsnummer 850372-2384); 0701234569 is both a valid mobile number and
a valid personnummer (born 2007), 0701234567 only a mobile number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import random

import pytest

from transcripts.anonymising import (
    Finding,
    Scanner,
    apply_replacements,
    assign_placeholders,
    normalise_term,
    placeholder_key,
    plan_placeholders,
    term_digest_entry,
    term_token_count,
)
from transcripts.anonymising.lexicon import lexicon, read_list

SPEAKERS = ["Anna-Karin Ström", "Erik Johansson (Extern)"]
_KEY = b"test-key-for-term-digests"


def _digest(term: str) -> str:
    return hmac.new(_KEY, term.encode("utf-8"), hashlib.sha256).hexdigest()


def _found(text: str, scanner: Scanner | None = None) -> list[tuple[str, str]]:
    return [(f.text, f.category) for f in (scanner or Scanner()).scan(text)]


def _one(text: str, scanner: Scanner | None = None) -> Finding:
    findings = (scanner or Scanner()).scan(text)
    assert len(findings) == 1, findings
    return findings[0]


# -- personnummer and samordningsnummer -----------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["19850312-2387", "850312-2387", "8503122387", "198503122387", "850312 2387", "850312–2387"],
)
def test_it_finds_personnummer_in_every_format(number):
    finding = _one(f"Hennes personnummer är {number} enligt journalen.")
    assert finding.text == number
    assert finding.category == "personnummer"
    assert finding.placeholder == "[personnummer]"
    assert finding.reason == "Giltigt personnummer (datum och kontrollsiffra stämmer)"
    assert finding.certain
    assert finding.key == "personnummer:198503122387"


def test_it_finds_samordningsnummer():
    finding = _one("Han har bara samordningsnummer, 850372-2384, eftersom han är ny i landet.")
    assert finding.category == "personnummer"
    assert finding.placeholder == "[personnummer]"
    assert "samordningsnummer" in finding.reason


def test_it_finds_a_personnummer_with_plus_for_people_over_100():
    assert _found("Hon är född 850312+2387.") == [("850312+2387", "personnummer")]


@pytest.mark.parametrize("number", ["8503122384", "850312-2384", "19850312-2380", "851332-2387"])
def test_it_ignores_numbers_with_wrong_check_digit_or_date(number):
    assert _found(f"Ärendenumret är {number} i systemet.") == []


def test_it_tells_a_phone_number_from_a_personnummer_by_the_words_around_it():
    # 0701234569 is a valid mobile number and a valid personnummer (2007-01-23).
    assert _found("Ring mig på 0701234569 så pratar vi.") == [("0701234569", "telefon")]
    assert _found("Pojkens personnummer är 0701234569 tror jag.") == [("0701234569", "personnummer")]
    assert _found("Pojken, pnr 070123-4569, har en kontaktperson.") == [("070123-4569", "personnummer")]


def test_it_decides_by_the_written_form_without_context():
    assert _found("Det stod 070123-4569 på lappen.") == [("070123-4569", "personnummer")]
    finding = _one("Det stod 0701234569 på lappen.")
    assert finding.category == "telefon"
    assert "personnummer" in finding.reason


def test_it_takes_a_luhn_invalid_mobile_number_as_a_phone_number():
    assert _found("Numret 0701234567 gick inte fram.") == [("0701234567", "telefon")]


# -- phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["070-123 45 67", "0701234567", "070 123 45 67", "070-1234567"])
def test_it_finds_mobile_numbers(number):
    finding = _one(f"Du når mig på {number} hela veckan.")
    assert (finding.text, finding.category, finding.placeholder) == (number, "telefon", "[telefonnummer]")
    assert finding.reason == "Svenskt mobilnummer"
    assert finding.key == "telefon:+46701234567"


@pytest.mark.parametrize("number", ["013-20 50 00", "011-15 00 00", "08-123 456 78"])
def test_it_finds_landline_numbers_with_area_code(number):
    finding = _one(f"Växeln har nummer {number} om ni vill ringa.")
    assert (finding.text, finding.category) == (number, "telefon")
    assert "riktnummer" in finding.reason


@pytest.mark.parametrize("number", ["+46 70 123 45 67", "+46701234567", "0046 70 123 45 67"])
def test_it_finds_international_formats_with_the_same_key(number):
    finding = _one(f"Hon lämnade numret {number} till oss.")
    assert finding.text == number
    assert finding.key == "telefon:+46701234567"


def test_it_finds_several_numbers_in_one_sentence():
    text = "Ring 013-20 50 00 eller 070-123 45 67, annars +46 8 123 456 78."
    assert [f.text for f in Scanner().scan(text)] == ["013-20 50 00", "070-123 45 67", "+46 8 123 456 78"]


def test_it_does_not_flag_years_times_dates_counts_or_short_numbers():
    text = (
        "Sedan 2019 har vi haft teamet, och 2023 började vi med digitala möten. Mötet började "
        "klockan 10:30 och slutade 11.45. Beslutet kom den 2023-05-12, alltså 12/5. Vi var 12 "
        "personer, budgeten var 4 500 kronor i månaden och 1 200 000 kronor totalt. Ärende 1234, "
        "12345 och 123456 gäller perioden 2019-2023 och åldern 0-18 år."
    )
    assert _found(text) == []


# -- e-mail -------------------------------------------------------------------------------------


def test_it_finds_email_addresses_also_with_swedish_letters():
    text = "Mejla åsa.öberg@kommun.se eller anna.svensson@linkoping.se."
    assert _found(text) == [("åsa.öberg@kommun.se", "epost"), ("anna.svensson@linkoping.se", "epost")]
    assert Scanner().scan(text)[0].placeholder == "[e-post]"


def test_it_does_not_take_an_at_sign_alone_for_an_email_address():
    assert _found("Vi ses @ mötet, eller på Teams.") == []


# -- names -------------------------------------------------------------------------------------


def test_it_finds_the_speakers_names_in_every_form_with_one_key():
    scanner = Scanner(speaker_names=SPEAKERS)
    text = (
        "Jag pratade med Anna-Karin igår. Ströms idé var bra, sa Erik. Eriks kollega och "
        "Anna-Karin Ström höll med, och Ström skrev ner det. Johansson också."
    )
    findings = scanner.scan(text)
    assert [f.text for f in findings] == [
        "Anna-Karin",
        "Ströms",
        "Erik",
        "Eriks",
        "Anna-Karin Ström",
        "Ström",
        "Johansson",
    ]
    assert all(f.category == "namn" and f.certain and f.reason == "Talarens namn i filen" for f in findings)
    assert {f.key for f in findings[:2]} == {"namn:anna-karin ström"}
    assert {f.placeholder for f in findings if "ström" in f.key} == {"[namn 1]"}
    assert {f.placeholder for f in findings if "johansson" in f.key} == {"[namn 2]"}


def test_it_reads_teams_voice_tags():
    scanner = Scanner(speaker_names=["Johansson, Erik", "Lisa Berg | Linköpings kommun", "Sven Ek (Gäst)"])
    keys = {f.key for f in scanner.scan("Erik, Lisa och Sven var med. Berg och Ek också.")}
    assert keys == {"namn:erik johansson", "namn:lisa berg", "namn:sven ek"}


def test_it_keeps_a_first_name_shared_by_two_speakers_apart():
    scanner = Scanner(speaker_names=["Anna Berg", "Anna Lind"])
    finding = _one("Vad tycker Anna om det?", scanner)
    assert finding.key == "namn:anna"
    assert "flera talare" in finding.reason


def test_it_never_flags_lowercase_names():
    assert _found("Jag vet inte om hans mamma fick veta något, eller om hon bor kvar.") == []
    assert _found("Vi vill att de ska kunna bo hemma så länge som möjligt.") == []


def test_it_treats_an_ambiguous_name_at_a_sentence_start_as_weak():
    finding = _one("Hans mamma ringde till oss i förra veckan.")
    assert (finding.text, finding.category, finding.certain) == ("Hans", "namn", False)
    assert "vanligt ord" in finding.reason


def test_it_is_certain_of_an_ambiguous_name_followed_by_a_surname():
    finding = _one("Hans Andersson ringde till oss i förra veckan.")
    assert (finding.text, finding.certain, finding.key) == ("Hans Andersson", True, "namn:hans andersson")


def test_it_is_certain_of_an_ambiguous_name_capitalised_mid_sentence():
    finding = _one("Vi pratade med Hans om saken.")
    assert (finding.text, finding.certain) == ("Hans", True)


def test_it_is_certain_of_two_names_in_a_row():
    assert [(f.text, f.certain) for f in Scanner().scan("Bo Ek var också där.")] == [("Bo Ek", True)]
    assert [(f.text, f.certain) for f in Scanner().scan("Bo hemma vill de flesta.")] == [("Bo", False)]


def test_it_finds_common_first_names_and_surnames():
    text = "Karin tyckte att det var bra. Sedan kom Mohammed och pratade med Andersson och Ahmadi."
    findings = Scanner().scan(text)
    assert [(f.text, f.certain) for f in findings] == [
        ("Karin", True),
        ("Mohammed", True),
        ("Andersson", True),
        ("Ahmadi", True),
    ]
    assert [f.reason for f in findings[:3]] == ["Vanligt förnamn", "Vanligt förnamn", "Vanligt efternamn"]
    assert [f.placeholder for f in findings] == ["[namn 1]", "[namn 2]", "[namn 3]", "[namn 4]"]


def test_it_finds_full_names_with_unlisted_surnames():
    assert _found("Lisa Kowalczyk från socialtjänsten var med.") == [("Lisa Kowalczyk", "namn")]
    assert _found("Vi ringde Sunesson på måndagen.") == [("Sunesson", "namn")]
    assert _found("Ann-Britt Nowak-Lindqvist var med.") == [("Ann-Britt Nowak-Lindqvist", "namn")]


def test_it_maps_genitives_and_case_to_the_same_key():
    findings = Scanner().scan("Karins förslag var bra. Vi följde Karin.")
    assert [f.key for f in findings] == ["namn:karin", "namn:karin"]
    assert [f.placeholder for f in findings] == ["[namn 1]", "[namn 1]"]


def test_it_does_not_flag_role_words_areas_weekdays_or_months():
    text = (
        "Intervjuare: Vad tänker ni om Samverkan och Delaktighet? Arbetsterapeut: På Måndag och "
        "i Januari pratade vi om Personcentrering. Sjuksköterska: Kompetens och Digitalisering."
    )
    assert _found(text) == []


def test_it_treats_a_month_that_is_also_a_name_as_weak():
    assert [(f.text, f.certain) for f in Scanner().scan("Vi ses i Maj igen.")] == [("Maj", False)]
    assert [(f.text, f.certain) for f in Scanner().scan("Maj Berg kom också.")] == [("Maj Berg", True)]


def test_it_skips_existing_placeholders_but_not_bracketed_names():
    assert _found("[namn 1] sa att [kommun] och [arbetsplats] var bra, [namn 12] höll med.") == []
    assert _found("Hon [Anna Berg] sa att det var bra.") == [("Anna Berg", "namn")]


# -- municipalities ------------------------------------------------------------------------------


def test_it_has_all_290_municipalities():
    names = read_list("kommuner.txt")
    assert len(names) == 290
    assert len(set(names)) == 290
    ostergotland = {
        "Boxholm",
        "Finspång",
        "Kinda",
        "Linköping",
        "Mjölby",
        "Motala",
        "Norrköping",
        "Söderköping",
        "Vadstena",
        "Valdemarsvik",
        "Ydre",
        "Åtvidaberg",
        "Ödeshög",
    }
    assert ostergotland <= set(names)
    assert {"Upplands Väsby", "Upplands-Bro", "Malung-Sälen", "Borås", "Håbo", "Habo", "Lilla Edet"} <= set(names)


def test_it_finds_every_municipality_after_a_place_preposition():
    scanner = Scanner()
    for name in lexicon().municipalities:
        findings = scanner.scan(f"Vi åkte till {name} igår.")
        assert [(f.text, f.category, f.certain) for f in findings] == [(name, "kommun", True)], name
        assert findings[0].placeholder == "[kommun]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Linköpings socialtjänst har ett nytt team.", "Linköpings"),
        ("Vi var i Borås förra veckan.", "Borås"),
        ("Borås socialtjänst var med.", "Borås"),
        ("Hon jobbar i Linköpings kommun sedan länge.", "Linköpings kommun"),
        ("Det gäller Linköping kommun också.", "Linköping kommun"),
        ("Det var Motala kommuns beslut.", "Motala kommuns"),
        ("Vi har kontakt med Göteborgs stad.", "Göteborgs stad"),
        ("Hon kommer från Upplands Väsby.", "Upplands Väsby"),
        ("Han pendlar från Malung-Sälens kommun.", "Malung-Sälens kommun"),
        ("Många motalabor åker hit.", "motalabor"),
        ("Linköpingsborna är nöjda.", "Linköpingsborna"),
        ("Norrköpingsbon som vi träffade var nöjd.", "Norrköpingsbon"),
    ],
)
def test_it_finds_inflected_municipality_names(text, expected):
    finding = _one(text)
    assert (finding.text, finding.category, finding.certain) == (expected, "kommun", True)


def test_it_gives_inflected_forms_of_one_municipality_one_key():
    findings = Scanner().scan("Linköping, Linköpings kommun och linköpingsbor.")
    assert {f.key for f in findings} == {"kommun:linköping"}


def test_it_treats_municipalities_that_are_words_as_weak_unless_followed_by_kommun():
    assert [(f.text, f.certain) for f in Scanner().scan("Vara med på mötet är viktigt.")] == [("Vara", False)]
    assert [(f.text, f.certain) for f in Scanner().scan("Vi har kontakt med Vara kommun.")] == [("Vara kommun", True)]
    assert [(f.text, f.certain) for f in Scanner().scan("Ale kommun och Mark kommun samverkar.")] == [
        ("Ale kommun", True),
        ("Mark kommun", True),
    ]
    assert [(f.text, f.certain) for f in Scanner().scan("Han bor i Vara sedan länge.")] == [("Vara", True)]
    assert _found("Det ska vara bra för den som bor på landet och äger mark.") == []


def test_it_tells_a_surname_from_the_municipality_of_the_same_name():
    assert _found("Vi åkte till Lund i våras.") == [("Lund", "kommun")]
    assert _found("Vi ringde Anna Lund i våras.") == [("Anna Lund", "namn")]


# -- workplaces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi samarbetar med vårdcentralen Ekholmen sedan i höstas.", "Ekholmen"),
        ("Vårdcentralen Ekholmen har öppet på kvällarna.", "Ekholmen"),
        ("Hon bodde på HVB-hemmet Kompassen i ett år.", "Kompassen"),
        ("Han flyttade till äldreboendet Lärkan i maj.", "Lärkan"),
        ("Hon bor på gruppboendet Tallbacken.", "Tallbacken"),
        ("Korttidsboendet Solbacken hade inga platser.", "Solbacken"),
        ("Barnen går på Ekbackeskolan sedan två år.", "Ekbackeskolan"),
        ("Hon jobbar på Solgården och trivs.", "Solgården"),
        ("Vi hade mötet på Lindgården.", "Lindgården"),
        ("Han går till Ekholmens vårdcentral varje vecka.", "Ekholmens"),
        ("Pojken går i Lindbacka skola.", "Lindbacka"),
    ],
)
def test_it_finds_workplace_names(text, expected):
    finding = _one(text)
    assert (finding.text, finding.category, finding.placeholder) == (expected, "arbetsplats", "[arbetsplats]")
    assert finding.certain


def test_it_gives_genitive_workplace_names_the_same_key():
    findings = Scanner().scan("Ekholmens vårdcentral, alltså vårdcentralen Ekholmen, är bra.")
    assert [f.key for f in findings] == ["arbetsplats:ekholmen", "arbetsplats:ekholmen"]


def test_it_treats_an_unknown_compound_at_a_sentence_start_as_weak():
    finding = _one("Ekbackeskolan har fått nya lokaler.")
    assert (finding.text, finding.certain) == ("Ekbackeskolan", False)


def test_it_never_flags_generic_workplace_words():
    text = (
        "Skolan ringde i morse. Förskolan har stängt, och på gården fanns ingen. Vårdcentralen har "
        "långa köer, äldreboendet också. Vi åkte till skolan. Korttidsboendet är fullt. Vår skola "
        "är bra, och vi pratade med vårdcentralen. Jag tycker att Gruppboendet fungerar."
    )
    assert _found(text) == []


# -- reviewer terms and term digests -----------------------------------------------------------------


def test_it_normalises_terms_for_digests():
    assert normalise_term("  Vårdcentralen   EKHOLMEN. ") == "vårdcentralen ekholmen"
    assert normalise_term("«Gamla Tanneforsvägen»") == "gamla tanneforsvägen"
    assert normalise_term("A\u030angen") == "ången"  # decomposed å from a Word document
    assert term_token_count("Gamla  Tanneforsvägen 12!") == 3


def test_it_finds_the_reviewers_extra_terms():
    scanner = Scanner(
        extra_terms=[
            ("Kompassen", "arbetsplats"),
            ("Brunnsparken", "ort"),
            ("Pelle Svanslös", "namn"),
            ("Röda rummet", "term"),
        ]
    )
    text = "Vi träffades i brunnsparken med Pelle  Svanslös. Kompassens personal och Röda rummet."
    findings = scanner.scan(text)
    assert [(f.text, f.category, f.placeholder) for f in findings] == [
        ("brunnsparken", "ort", "[kommun]"),
        ("Pelle  Svanslös", "namn", "[namn 1]"),
        ("Kompassens", "arbetsplats", "[arbetsplats]"),
        ("Röda rummet", "term", "[uppgift]"),
    ]
    assert findings[2].key == "arbetsplats:kompassen"


def test_it_finds_terms_known_only_by_their_digests():
    digests = [
        term_digest_entry("Tanneforsvägen", "ort", _digest),
        term_digest_entry("Gamla Tanneforsvägen", "ort", _digest),
        term_digest_entry("Föreningen Gläntan", "arbetsplats", _digest),
    ]
    assert digests[1][1:] == (2, "ort")
    scanner = Scanner(term_digests=digests, digest_fn=_digest)
    text = "Hon bor på Gamla Tanneforsvägen, nära föreningen Gläntans lokal. Tanneforsvägen är lång."
    assert [(f.text, f.category) for f in scanner.scan(text)] == [
        ("Gamla Tanneforsvägen", "ort"),
        ("föreningen Gläntans", "arbetsplats"),
        ("Tanneforsvägen", "ort"),
    ]


def test_it_matches_terms_as_whole_words_only():
    scanner = Scanner(
        extra_terms=[("Ek", "arbetsplats")],
        term_digests=[term_digest_entry("Gläntan", "arbetsplats", _digest)],
        digest_fn=_digest,
    )
    assert _found("Eken vid huset, ekorren i skogsgläntan och Gläntan-huset.", scanner) == []
    assert _found("Vi träffades vid Ek och i gläntan.", scanner) == [("Ek", "arbetsplats"), ("gläntan", "arbetsplats")]


def test_it_needs_a_digest_function_for_digests():
    with pytest.raises(ValueError):
        Scanner(term_digests=[("abc", 1, "ort")])


# -- overlaps and general properties -----------------------------------------------------------------


def test_it_prefers_the_longest_finding():
    scanner = Scanner(speaker_names=SPEAKERS, extra_terms=[("Ström", "arbetsplats")])
    findings = scanner.scan("Anna-Karin Ström ringde från anna-karin.strom@linkoping.se.")
    assert [(f.text, f.category) for f in findings] == [
        ("Anna-Karin Ström", "namn"),
        ("anna-karin.strom@linkoping.se", "epost"),
    ]


def test_it_returns_frozen_findings():
    finding = _one("Karin var där.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.text = "x"  # type: ignore[misc]


# -- consistency across texts ----------------------------------------------------------------------


def test_it_numbers_people_consistently_across_turns():
    scanner = Scanner(speaker_names=SPEAKERS)
    turns = [
        "Vi pratade med Lisa om det, och Erik höll med.",
        "Anna-Karin tyckte likadant. Eriks förslag var bra.",
        "Ströms kollega i Motala kommun ringde. Lisa också.",
        "Anna-Karin Ström och Erik Johansson sammanfattade i Motala.",
    ]
    per_turn = assign_placeholders([scanner.scan(t) for t in turns])
    pairs = [(f.text, f.placeholder) for findings in per_turn for f in findings]
    assert pairs == [
        ("Lisa", "[namn 1]"),
        ("Erik", "[namn 2]"),
        ("Anna-Karin", "[namn 3]"),
        ("Eriks", "[namn 2]"),
        ("Ströms", "[namn 3]"),
        ("Motala kommun", "[kommun]"),
        ("Lisa", "[namn 1]"),
        ("Anna-Karin Ström", "[namn 3]"),
        ("Erik Johansson", "[namn 2]"),
        ("Motala", "[kommun]"),
    ]
    assert {placeholder_key(f) for f in per_turn[3] if f.category == "namn"} == {
        "namn:anna-karin ström",
        "namn:erik johansson",
    }


def test_it_merges_a_lone_name_with_the_one_full_name_containing_it():
    scanner = Scanner()
    turns = ["Jag pratade med Lisa Berg igår.", "Lisa sa att Berg var sjuk, men Karin kom."]
    plan = plan_placeholders([scanner.scan(t) for t in turns])
    findings = plan.apply([scanner.scan(t) for t in turns])
    assert [(f.text, f.placeholder) for turn in findings for f in turn] == [
        ("Lisa Berg", "[namn 1]"),
        ("Lisa", "[namn 1]"),
        ("Berg", "[namn 1]"),
        ("Karin", "[namn 2]"),
    ]
    assert sorted(plan.keys_of("namn:lisa berg")) == ["namn:berg", "namn:lisa", "namn:lisa berg"]
    assert findings[1][0].key == "namn:lisa berg"


def test_it_keeps_a_lone_name_apart_when_two_full_names_contain_it():
    scanner = Scanner()
    turns = ["Anna Berg och Anna Lind var där.", "Anna sa att det var bra."]
    findings = assign_placeholders([scanner.scan(t) for t in turns])
    assert [f.placeholder for turn in findings for f in turn] == ["[namn 1]", "[namn 2]", "[namn 3]"]


def test_it_keeps_fixed_placeholders_and_skips_their_numbers():
    scanner = Scanner()
    turns = ["Karin och Mohammed och Andersson var där."]
    fixed = {"namn:mohammed": "[namn 1]", "namn:andersson": "[brukare]"}
    findings = assign_placeholders([scanner.scan(t) for t in turns], fixed=fixed)
    assert [f.placeholder for f in findings[0]] == ["[namn 2]", "[namn 1]", "[brukare]"]


def test_it_derives_a_key_for_findings_made_by_hand():
    finding = Finding(0, 9, "Ekholmen.", "arbetsplats", "[arbetsplats]", "Markerat för hand", True)
    assert placeholder_key(finding) == "arbetsplats:ekholmen"


# -- applying replacements -------------------------------------------------------------------------


def test_it_applies_replacements_and_maps_offsets():
    text = "Anna-Karin ringde Erik i Motala."
    new, moved = apply_replacements(text, [(25, 31, "[kommun]"), (0, 10, "[namn 1]"), (18, 22, "[namn 2]")])
    assert new == "[namn 1] ringde [namn 2] i [kommun]."
    assert moved(0) == 0  # start of a span: start of its replacement
    assert moved(5) == 8  # inside a span: end of its replacement
    assert moved(10) == 8  # end of a span: end of its replacement
    assert moved(11) == 9  # "ringde" moved two places left
    assert moved(18) == 16
    assert moved(24) == 26
    assert moved(31) == len(new) - 1
    assert moved(len(text)) == len(new)


def test_it_maps_turn_boundaries_through_replacements():
    turns = ["Intervjuare: Hur går det i Motala?", "Anna: Bra, Erik håller med."]
    text = "\n".join(turns)
    scanner = Scanner(speaker_names=["Erik Johansson"])
    findings = scanner.scan(text)
    new, moved = apply_replacements(text, [(f.start, f.end, f.placeholder) for f in findings])
    boundary = len(turns[0]) + 1
    assert new[: moved(boundary)] == "Intervjuare: Hur går det i [kommun]?\n"
    assert new[moved(boundary) :] == "[namn 1]: Bra, [namn 2] håller med."


def test_it_rejects_overlapping_or_outside_replacements():
    with pytest.raises(ValueError, match="overlaps"):
        apply_replacements("Anna-Karin Ström", [(0, 10, "[namn 1]"), (5, 16, "[namn 1]")])
    with pytest.raises(ValueError, match="outside"):
        apply_replacements("kort", [(2, 9, "x")])
    _new, moved = apply_replacements("kort", [])
    with pytest.raises(ValueError):
        moved(5)


def test_it_allows_adjacent_replacements_and_insertions():
    new, moved = apply_replacements("AnnaBerg", [(0, 4, "[a]"), (4, 8, "[b]"), (8, 8, "!")])
    assert new == "[a][b]!"
    assert moved(4) == 3
    assert moved(8) == 7


# -- a whole transcript ------------------------------------------------------------------------------

_FILLER = [
    "Vi har ju jobbat med det här i flera år nu och det har blivit bättre.",
    "Det handlar mycket om att hitta former för samverkan mellan kommun och region.",
    "Jag tycker att brukaren ska vara delaktig i planeringen från början.",
    "Ibland blir det svårt när vi inte kan läsa varandras journaler.",
    "Vi träffas varannan vecka och går igenom de ärenden som är mest akuta.",
    "Det tog nästan ett år innan vi hade en gemensam bild av uppdraget.",
    "Sjuksköterskan och arbetsterapeuten gör ofta hembesöken tillsammans.",
    "Många av våra brukare har både missbruk och psykisk ohälsa.",
    "Jag vet inte om hans mamma fick veta något om det.",
    "Vi hade 12 deltagare förra året och i år är det 15.",
    "Mötet började klockan 10:30 och höll på till tolv.",
    "Sedan 2019 har vi haft ett gemensamt team för de här frågorna.",
    "Beslutet kom den 2023-05-12 efter ett långt utredningsarbete.",
    "Det är en lång väg att gå, men vi är på rätt spår.",
    "Digitaliseringen har gjort att vi kan ha möten på Teams i stället.",
    "Man måste ha förtroende för varandras kompetens, annars fungerar det inte.",
    "Skolan har en viktig roll när det gäller barnen i familjen.",
    "Förskolan ringde och sa att pojken inte hade kommit.",
    "Vi har ungefär 4 500 kronor per månad att röra oss med.",
    "Det ska vara enkelt för den enskilde att få hjälp när den behöver det.",
    "Intervjuare: Vad tänker ni om det här citatet?",
    "Vi pratade om Personcentrering och Delaktighet på måndagens möte.",
]

_PLANTED = [
    ("Jag ringde till Anna-Karin på förmiddagen.", "Anna-Karin", "namn"),
    ("Ströms förslag var att vi skulle ses oftare.", "Ströms", "namn"),
    ("Kontakta mig på 070-123 45 67 om det är något.", "070-123 45 67", "telefon"),
    ("Mejla till lena.ostergren@linkoping.se så ordnar jag det.", "lena.ostergren@linkoping.se", "epost"),
    ("Hon flyttade till Motala kommun förra året.", "Motala kommun", "kommun"),
    ("Han har sitt personnummer 19850312-2387 på blanketten.", "19850312-2387", "personnummer"),
    ("Vi samarbetar mycket med vårdcentralen Ekholmen.", "Ekholmen", "arbetsplats"),
    ("Lisa Kowalczyk från socialtjänsten var med på mötet.", "Lisa Kowalczyk", "namn"),
    ("Vi åkte till Norrköping för utbildningen.", "Norrköping", "kommun"),
    ("Barnen går på Ekbackeskolan sedan i höstas.", "Ekbackeskolan", "arbetsplats"),
]


def generated_transcript(words: int = 12_000, seed: int = 7) -> tuple[list[str], list[tuple[int, str, str]]]:
    """About `words` words in turns of one to four sentences, with a planted finding in
    every fifth turn: (turns, [(turn index, finding text, category)]). Also used to time
    the scanner by hand."""
    rng = random.Random(seed)
    turns: list[str] = []
    planted: list[tuple[int, str, str]] = []
    count = 0
    while count < words:
        sentences = rng.sample(_FILLER, rng.choice((1, 2, 2, 3)))
        if len(turns) % 5 == 0:
            sentence, found, category = _PLANTED[len(planted) % len(_PLANTED)]
            sentences.insert(rng.randrange(len(sentences) + 1), sentence)
            planted.append((len(turns), found, category))
        turn = " ".join(sentences)
        turns.append(turn)
        count += len(turn.split())
    return turns, planted


def test_it_finds_the_planted_data_in_a_long_transcript():
    turns, planted = generated_transcript()
    assert sum(len(t.split()) for t in turns) >= 12_000
    assert len(turns) > 400
    scanner = Scanner(speaker_names=SPEAKERS)
    per_turn = [scanner.scan(turn) for turn in turns]
    certain = {(i, f.text, f.category) for i, findings in enumerate(per_turn) for f in findings if f.certain}
    assert certain == set(planted)
    for turn, findings in zip(turns, per_turn, strict=True):
        assert all(turn[f.start : f.end] == f.text for f in findings)
        assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    numbered = assign_placeholders(per_turn)
    assert {f.placeholder for findings in numbered for f in findings if f.text == "Anna-Karin"} == {"[namn 1]"}
    assert {f.placeholder for findings in numbered for f in findings if f.text == "Ströms"} == {"[namn 1]"}


def test_it_scans_the_whole_transcript_as_one_text_too():
    turns, planted = generated_transcript(words=3_000)
    text = "\n".join(turns)
    findings = Scanner(speaker_names=SPEAKERS).scan(text)
    assert sorted(f.text for f in findings if f.certain) == sorted(found for _i, found, _c in planted)
