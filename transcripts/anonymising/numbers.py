"""Personnummer, samordningsnummer, phone numbers and e-mail addresses.

These are found by their form, so they are the most reliable findings. The `personnummer`
package validates whole strings only, so a regex finds the candidates and the package
checks date and Luhn digit. `phonenumbers.PhoneNumberMatcher` is slow on long texts, so it
only runs on short regions that hold at least seven digits.
"""

from __future__ import annotations

import re

import phonenumbers
from personnummer import personnummer
from phonenumbers import PhoneNumberType

from transcripts.anonymising.findings import RANK_STRUCTURED, Candidate

# 10 or 12 digits, optionally a separator before the last four: "19850312-2384",
# "850312-2384", "8503122384", "850312 2384", "850312–2384", "850312+2384" (over 100).
_PNR_RE = re.compile(r"(?<![\w+])(19|20)?(\d{6})([-+–]| )?(\d{4})(?![\w])")

# A stretch of digits with the separators phone numbers are written with. Runs of
# several spaces are allowed; PhoneNumberMatcher finds the numbers inside.
_PHONE_REGION_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()\-–/]*\d")
_MIN_PHONE_DIGITS = 7

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Words near a number that say what it is. The last one before the number wins; if there
# is none before it, the first one after it.
_CONTEXT_RE = re.compile(
    r"\b(?:(?P<pnr>personnummer|personnumret|personnr|pnr|p-nr|samordningsnummer|samordningsnumret"
    r"|född|födelsedatum|födelsenummer)"
    r"|(?P<tel>telefonnummer|telefonnumret|telefon|tel|mobilnummer|mobilnumret|mobil|mobilen"
    r"|nummer|numret|ring|ringa|ringer|ringde|nå mig|nås|sms|sms:a|messa|sms:et))\b",
)
_CONTEXT_BEFORE = 40
_CONTEXT_AFTER = 25

REASON_PNR = "Giltigt personnummer (datum och kontrollsiffra stämmer)"
REASON_SAMORDNING = "Giltigt samordningsnummer (datum och kontrollsiffra stämmer)"
REASON_PNR_OR_PHONE = "Giltigt personnummer (datum och kontrollsiffra stämmer); kan också vara ett telefonnummer"
REASON_PHONE_NOT_PNR = "Mobilnummer (kan också läsas som ett personnummer)"
REASON_MOBILE = "Svenskt mobilnummer"
REASON_LANDLINE = "Svenskt telefonnummer med riktnummer"
REASON_PHONE = "Svenskt telefonnummer"
REASON_FOREIGN_PHONE = "Utländskt telefonnummer"
REASON_EMAIL = "E-postadress"


def find_emails(text: str) -> list[Candidate]:
    """E-mail addresses, also with å/ä/ö in the local part."""
    if "@" not in text:
        return []
    return [
        Candidate(m.start(), m.end(), "epost", True, REASON_EMAIL, f"epost:{m.group().casefold()}",
                  RANK_STRUCTURED)
        for m in _EMAIL_RE.finditer(text)
    ]


def find_numbers(text: str) -> list[Candidate]:
    """Personnummer, samordningsnummer and phone numbers, without overlaps between them."""
    found = _find_personnummer(text)
    taken = [(c.start, c.end) for c in found]
    for phone in _find_phone_numbers(text):
        if not any(phone.start < end and start < phone.end for start, end in taken):
            found.append(phone)
    return found


def _context(text: str, start: int, end: int) -> str | None:
    """"pnr" or "tel" from the words around a number, or None."""
    before = list(_CONTEXT_RE.finditer(text[max(0, start - _CONTEXT_BEFORE):start].casefold()))
    if before:
        return before[-1].lastgroup
    after = _CONTEXT_RE.search(text[end:end + _CONTEXT_AFTER].casefold())
    return after.lastgroup if after else None


def _swedish_phone(digits: str) -> phonenumbers.PhoneNumber | None:
    """The number if `digits` (national form, leading 0) is a valid Swedish number."""
    try:
        number = phonenumbers.parse(digits, "SE")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _find_personnummer(text: str) -> list[Candidate]:
    """Valid personnummer and samordningsnummer; 07… numbers decided by context.

    A ten-digit number such as 0701234567 may be both a mobile number and a valid
    personnummer (born 2007). Words nearby decide; without them a number written with a
    separator after six digits is taken as a personnummer, one without as a phone number.
    Either way it is a certain finding: both are personal data.
    """
    found: list[Candidate] = []
    for m in _PNR_RE.finditer(text):
        century, date, sep, serial = m.groups()
        normalised = f"{century or ''}{date}{'+' if sep == '+' else '-'}{serial}"
        try:
            number = personnummer.parse(normalised)
        except personnummer.PersonnummerException:
            number = None
        phone = _swedish_phone(date + serial) if century is None and date.startswith("0") else None
        if number is None and phone is None:
            continue  # Luhn or date wrong, and not a phone number either: not a finding
        context = _context(text, m.start(), m.end()) if number is not None and phone is not None else None
        if number is not None and (phone is None or context == "pnr" or (context is None and sep)):
            if phone is not None:
                reason = REASON_PNR_OR_PHONE
            else:
                reason = REASON_SAMORDNING if number.is_coordination_number() else REASON_PNR
            key = f"personnummer:{number.format(long_format=True)}"
            found.append(Candidate(m.start(), m.end(), "personnummer", True, reason, key, RANK_STRUCTURED))
        elif phone is not None:
            reason = REASON_PHONE_NOT_PNR if number is not None else _phone_reason(phone)
            found.append(Candidate(m.start(), m.end(), "telefon", True, reason, _phone_key(phone),
                                   RANK_STRUCTURED))
    return found


def _find_phone_numbers(text: str) -> list[Candidate]:
    """Swedish (and other +NN) phone numbers; years, dates, times and counts are left alone.

    A Swedish number is written with a leading 0 ("013-20 50 00") or with +46/0046, so
    matches starting with another digit ("2023-05-12", "1 200 000") are dropped.
    """
    found: list[Candidate] = []
    for region in _PHONE_REGION_RE.finditer(text):
        raw = region.group()
        if sum(char.isdigit() for char in raw) < _MIN_PHONE_DIGITS:
            continue
        offset = region.start()
        for match in phonenumbers.PhoneNumberMatcher(raw, "SE"):
            number_text = match.raw_string
            if number_text[0] not in "0+(" or (match.start > 0 and raw[match.start - 1].isdigit()):
                continue
            if not phonenumbers.is_valid_number(match.number):
                continue
            found.append(Candidate(offset + match.start, offset + match.end, "telefon", True,
                                   _phone_reason(match.number), _phone_key(match.number), RANK_STRUCTURED))
    return found


def _phone_reason(number: phonenumbers.PhoneNumber) -> str:
    if number.country_code != 46:
        return REASON_FOREIGN_PHONE
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return REASON_MOBILE
    if kind == PhoneNumberType.FIXED_LINE:
        return REASON_LANDLINE
    return REASON_PHONE


def _phone_key(number: phonenumbers.PhoneNumber) -> str:
    """One key per number however it is written ("070-…", "+46 70 …", "0046 70 …")."""
    return "telefon:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
