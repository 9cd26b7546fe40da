"""Restore a study from an archive written by `export_study STUDY_ID --format archive -o FILE`.

    python manage.py import_study FILE [--rename "Nytt namn"] [--user USERNAME]

All or nothing: the whole file is checked against its manifest first (sizes, SHA-256 of every
member and of every transcript and coding text), then everything is written in one
transaction. The format is described in coding/exports/archive.py.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from coding.exports.archive import USERS, ArchiveError, import_archive


class Command(BaseCommand):
    help = "Restore a study from a study archive (export_study --format archive) into this database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--rename", metavar="NEW_NAME", default=None,
                            help="Import the study under this name (needed when a study of the same name exists)")
        parser.add_argument("--user", default=None,
                            help="Username recorded as importer in the audit trail (default: none)")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"Det finns ingen användare som heter {options['user']}.") from exc
        try:
            result = import_archive(options["file"], rename=options["rename"], user=user)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f'Importerade studien "{result.study.name}" (id {result.study.pk}) från {options["file"].name}.'))
        self.stdout.write(f"Arkivet: formatversion {manifest['format_version']}, skapat {manifest.get('created_at')} "
                          f"med NVOS Kodning {manifest.get('app_version') or 'okänd version'}.")
        self.stdout.write("Rader per tabell:")
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<26} {count:>9}")
        self.stdout.write(f"  {'totalt':<26} {sum(result.counts.values()):>9}")
        self.stdout.write(f"Användare: {result.counts[USERS]} ({result.users_created} nya, "
                          f"{result.users_reused} fanns redan och återanvändes).")
        if result.users_created and not manifest.get("password_hashes"):
            self.stdout.write("De nya användarna har inget lösenord och måste få ett nytt "
                              "(manage.py changepassword ANVÄNDARNAMN eller via administrationen).")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Obs: {warning}"))
        self.stdout.write(f"Klart på {result.seconds:.1f} s.")
