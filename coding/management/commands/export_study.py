"""Write a study's export to a file: the same code path as the download on the export page."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from coding.exports import EXPORTERS, ExportOptions
from coding.models import Area, Theme
from transcripts import audit
from transcripts.models import Round, Study, Team


class Command(BaseCommand):
    help = "Export a study (Word report, Excel, CSV or printable HTML) to a file, as the export page does."

    def add_arguments(self, parser):
        parser.add_argument("study_id", type=int)
        parser.add_argument("--format", required=True, choices=sorted(EXPORTERS), dest="format")
        parser.add_argument("-o", "--output", required=True, help="File to write; '-' writes to standard output.")
        parser.add_argument("--area", action="append", default=[], metavar="SLUG",
                            help="Area key, e.g. samverkan (repeat for several; default all).")
        parser.add_argument("--theme", action="append", default=[], type=int, metavar="ID",
                            help="Theme id (repeat for several; default all not discarded).")
        parser.add_argument("--round", action="append", default=[], type=int, metavar="NUMBER",
                            help="Round number, e.g. 2 (repeat for several; default all).")
        parser.add_argument("--team", action="append", default=[], type=int, metavar="NUMBER",
                            help="Team number, e.g. 3 (repeat for several; default all).")
        parser.add_argument("--verbatim", action="store_true",
                            help="Quote the verbatim text even where an edited version exists.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE,
                            choices=[code for code, _name in settings.LANGUAGES],
                            help="Language of headings and labels (default: %(default)s).")

    def handle(self, *args, **options):
        try:
            study = Study.objects.get(pk=options["study_id"])
        except Study.DoesNotExist as exc:
            raise CommandError(f"No study with id {options['study_id']}.") from exc
        export_options = ExportOptions(
            area_ids=self._ids(Area.objects.all(), "slug", options["area"], "area"),
            theme_ids=self._ids(Theme.objects.filter(study=study), "pk", options["theme"], "theme"),
            round_ids=self._ids(Round.objects.filter(study=study), "number", options["round"], "round"),
            team_ids=self._ids(Team.objects.filter(study=study), "number", options["team"], "team"),
            verbatim=options["verbatim"],
        )
        exporter = EXPORTERS[options["format"]]
        with translation.override(options["language"]):
            if options["output"] == "-":
                exporter.write(study, export_options, sys.stdout.buffer)
            else:
                with open(options["output"], "wb") as out:
                    exporter.write(study, export_options, out)
        audit.record(None, "export_downloaded", study, study_id=study.pk,
                     detail={"format": exporter.key, "via": "command"})
        if options["output"] != "-":
            self.stderr.write(f"Wrote {options['output']} ({exporter.key}).")

    @staticmethod
    def _ids(queryset, field: str, wanted: list, what: str) -> tuple[int, ...]:
        if not wanted:
            return ()
        found = dict(queryset.filter(**{f"{field}__in": wanted}).values_list(field, "pk"))
        missing = [str(value) for value in wanted if value not in found]
        if missing:
            raise CommandError(f"Unknown {what}: {', '.join(missing)}")
        return tuple(found[value] for value in wanted)
