"""Finding personal data in Swedish transcript text and replacing it consistently.

Pure and DB-free. Before a transcript is stored, the importer scans each turn; the review
screen shows every finding in context with a suggested placeholder; the reviewer accepts,
edits or rejects; the accepted replacements are applied::

    scanner = Scanner(speaker_names=["Anna-Karin Ström", "Erik Johansson (Extern)"])
    per_turn = [scanner.scan(turn) for turn in turns]
    per_turn = assign_placeholders(per_turn)          # "[namn 1]" is the same person everywhere
    # ... reviewer accepts some findings; group them by `placeholder_key` for "replace everywhere"
    new_text, moved = apply_replacements(text, [(f.start, f.end, f.placeholder) for f in accepted])

Categories: "personnummer" (also samordningsnummer), "telefon", "epost", "namn",
"kommun", "arbetsplats", and the reviewer's own categories for their terms ("term",
"ort", ...). Word lists are in `data/` (see data/SOURCES.md).

Texts should be NFC-normalised before scanning (the importers do this), since offsets
refer to the text exactly as given.
"""

from transcripts.anonymising.findings import CATEGORIES, Finding, placeholder_for, placeholder_key
from transcripts.anonymising.placeholders import PlaceholderPlan, assign_placeholders, plan_placeholders
from transcripts.anonymising.replacing import apply_replacements
from transcripts.anonymising.scanner import Scanner
from transcripts.anonymising.terms import term_digest_entry
from transcripts.anonymising.textutil import normalise_term, term_token_count

__all__ = [
    "CATEGORIES",
    "Finding",
    "PlaceholderPlan",
    "Scanner",
    "apply_replacements",
    "assign_placeholders",
    "normalise_term",
    "placeholder_for",
    "placeholder_key",
    "plan_placeholders",
    "term_digest_entry",
    "term_token_count",
]
