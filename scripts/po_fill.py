#!/usr/bin/env python
"""Fill the Swedish catalogue from a {msgid: msgstr} mapping and compile it.

    python scripts/po_fill.py --list                 # print untranslated msgids as a Python dict stub
    python scripts/po_fill.py translations.py        # apply TRANSLATIONS from that file, then compile .mo

Compiling with polib means no gettext tools are needed to build the catalogue.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/sv/LC_MESSAGES/django.po"


def main(argv: list[str]) -> int:
    po = polib.pofile(str(PO))
    if argv and argv[0] == "--list":
        print("TRANSLATIONS = {")
        for entry in po:
            if entry.obsolete:
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                key = (entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid
                print(f"    {key!r}: {'' if not entry.msgid_plural else ('', '')!r},")
        print("}")
        return 0
    mapping: dict = {}
    for path in argv:
        mapping.update(runpy.run_path(path)["TRANSLATIONS"])
    for entry in po:
        key = (entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid
        if key in mapping and mapping[key]:
            value = mapping[key]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.metadata["Language"] = "sv"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    print(f"{len(po) - len(missing)} translated, {len(missing)} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
