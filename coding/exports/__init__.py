"""Export formats, looked up by key in one registry.

The download view and `manage.py export_study` both go through `EXPORTERS`, so a format
registered here is offered on the export page and by the command at once:

    from coding.exports import Exporter, register
    register(Exporter(key="qdpx", label=_("REFI-QDA project (.qdpx)"), extension="qdpx",
                      content_type="application/zip", filename_stem="nvos-projekt", write=write_qdpx))

`write(study, options, out)` writes the whole file to a binary file object; `stream(study,
options)`, when given, returns the same bytes as an iterator for a StreamingHttpResponse.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from transcripts.models import Study

from .common import ExportOptions, export_filename
from .docx_report import write_docx
from .html_report import write_html
from .refi import write_qdc, write_qdpx
from .tabular import iter_csv, write_csv, write_xlsx

Writer = Callable[[Study, ExportOptions, BinaryIO], None]
Streamer = Callable[[Study, ExportOptions], Iterator[bytes]]


@dataclass(frozen=True)
class Exporter:
    key: str
    label: str | Promise
    extension: str
    content_type: str
    filename_stem: str
    write: Writer
    stream: Streamer | None = None
    description: str | Promise = ""
    web: bool = True  # offered on the export page; False: only `manage.py export_study`

    def filename(self, study: Study, day: datetime.date | None = None) -> str:
        return export_filename(self.filename_stem, study, self.extension, day)


EXPORTERS: dict[str, Exporter] = {}


def web_exporters() -> dict[str, Exporter]:
    """Formats downloadable in the browser. The backup archive is not one of them: it holds
    everything, withdrawn participants' words and e-mail addresses included, so it is
    made on the server by an operator (`export_study --format archive`)."""
    return {key: exporter for key, exporter in EXPORTERS.items() if exporter.web}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.key] = exporter
    return exporter


register(Exporter(
    key="docx", label=_("Word report (.docx)"), extension="docx",
    content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    filename_stem="nvos-temasammanfattning", write=write_docx,
    description=_("Theme summary by area with prompt quotes, key quotes and a counts table."),
))
register(Exporter(
    key="xlsx", label=_("Excel (.xlsx)"), extension="xlsx",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    filename_stem="nvos-kodade-avsnitt", write=write_xlsx,
    description=_("One row per coded passage, and the counts per team, area and round."),
))
register(Exporter(
    key="csv", label=_("CSV (.csv)"), extension="csv", content_type="text/csv; charset=utf-8",
    filename_stem="nvos-kodade-avsnitt", write=write_csv, stream=iter_csv,
    description=_("The coded passages as text separated by semicolons, for Excel and statistics programs."),
))
register(Exporter(
    key="html", label=_("Printable page (.html)"), extension="html", content_type="text/html; charset=utf-8",
    filename_stem="nvos-temasammanfattning", write=write_html,
    description=_("The Word report as a web page to print or save as PDF."),
))
# REFI-QDA files always hold the whole study: the area, theme, round and team choices do not apply.
register(Exporter(
    key="qdpx", label=_("REFI-QDA project (.qdpx)"), extension="qdpx", content_type="application/zip",
    filename_stem="nvos-projekt", write=lambda study, options, out: write_qdpx(study, out),
    description=_("The whole study for NVivo, ATLAS.ti, MAXQDA or QualCoder: transcripts, codebook, codings, "
                  "teams as cases, memos and notes."),
))
register(Exporter(
    key="qdc", label=_("REFI-QDA codebook (.qdc)"), extension="qdc", content_type="application/xml",
    filename_stem="nvos-kodbok", write=lambda study, options, out: write_qdc(study, out),
    description=_("The codebook for other qualitative analysis programs."),
))
# The archive is a backup of the whole study (restore it with `manage.py import_study`): no choices apply.
from .archive import write_archive  # noqa: E402

register(Exporter(
    key="archive", label=_("Study archive for backup (.zip)"), extension="zip", content_type="application/zip",
    filename_stem="nvos-studiearkiv", write=write_archive, web=False,
    description=_("Everything in the study, for backup or moving it to another server; read it back with "
                  "manage.py import_study."),
))

__all__ = ["EXPORTERS", "ExportOptions", "Exporter", "register", "web_exporters"]
