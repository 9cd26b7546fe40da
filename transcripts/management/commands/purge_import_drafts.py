from django.core.management.base import BaseCommand

from transcripts.models import ImportDraft


class Command(BaseCommand):
    help = "Delete unfinished imports (uploaded files with real names) older than 24 hours. Run from cron hourly."

    def handle(self, *args, **options) -> None:
        deleted = ImportDraft.purge_expired()
        self.stdout.write(f"Raderade {deleted} oavslutade importer äldre än 24 timmar.")
