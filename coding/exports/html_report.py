"""The theme summary as a print-friendly HTML page: the Word report's content, same options."""

from __future__ import annotations

from typing import BinaryIO

from django.template.loader import render_to_string

from transcripts.models import Study

from .common import ExportOptions, Report, build_report

TEMPLATE = "coding/report_print.html"


def render_html(report: Report, *, request=None) -> str:
    return render_to_string(TEMPLATE, {"report": report, "study": report.study}, request=request)


def write_html(study: Study, options: ExportOptions, out: BinaryIO) -> None:
    out.write(render_html(build_report(study, options)).encode("utf-8"))
