from django.core.management.base import BaseCommand

from coding.reference_data import sync_reference_data as sync_coding
from transcripts.reference_data import sync_reference_data as sync_transcripts


class Command(BaseCommand):
    help = "Create or update areas, phases, municipalities, service areas and spider categories. Safe to re-run."

    def handle(self, *args, **options) -> None:
        created = sync_transcripts() + sync_coding()
        self.stdout.write(f"Referensdata kontrollerad: {created} nya rader.")
