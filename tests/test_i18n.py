"""The Swedish catalogue covers every string in the code and templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/sv/LC_MESSAGES/django.po"


def _require_gettext() -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("NVOS_CI"):
            pytest.fail("xgettext (Debian package gettext) is missing in CI")
        pytest.skip("xgettext saknas: installera Debians paket gettext för att kontrollera katalogen")


def test_it_translates_every_string_to_swedish(tmp_path):
    _require_gettext()
    for name in ("nvos", "transcripts", "coding", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "nvos.settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete"], cwd=tmp_path,
                   env=env, check=True, capture_output=True)
    po = polib.pofile(str(tmp_path / "locale/sv/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{len(missing)} strings lack Swedish: run `make messages` and fill them"


def test_it_ships_a_compiled_catalogue_matching_the_po():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo}
    stale = [e.msgid for e in po if e.translated() and not e.msgid_plural and compiled.get(e.msgid) != e.msgstr]
    assert stale == [], "locale/sv/LC_MESSAGES/django.mo is stale: run scripts/po_fill.py"
