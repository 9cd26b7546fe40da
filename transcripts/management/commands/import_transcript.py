"""Import a transcript without the browser, for bulk work.

    python manage.py import_transcript FILE --interview ID --speakers 'Label in file=Role label' ...
        [--accept-suggestions] [--publish] [--single-speaker]

Role labels "Intervjuare" and "Medhjälpare" mean the interview's interviewer and assistant;
any other role label is a participant of the interview's team, created if missing.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from transcripts import importing
from transcripts.importers import TranscriptFileError
from transcripts.models import Interview


class Command(BaseCommand):
    help = "Import a transcript file for an interview: map speakers, scan for personal data, optionally publish."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--interview", type=int, required=True, help="Interview id")
        parser.add_argument("--speakers", nargs="*", default=[], metavar="LABEL=ROLE",
                            help="Map a speaker label of the file to a role label, e.g. 'Anna Berg=Arbetsterapeut'")
        parser.add_argument("--accept-suggestions", action="store_true",
                            help="Apply every suggested replacement, the uncertain ones included")
        parser.add_argument("--publish", action="store_true", help="Publish when every speaker is mapped")
        parser.add_argument("--single-speaker", action="store_true",
                            help="Import a text without speaker labels as one speaker's text")
        parser.add_argument("--user", default=None, help="Username recorded as importer (default: first superuser)")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        try:
            interview = Interview.objects.select_related("team", "round").get(pk=options["interview"])
        except Interview.DoesNotExist as exc:
            raise CommandError(f"Det finns ingen intervju med id {options['interview']}.") from exc
        user = self._user(options["user"])
        with transaction.atomic():
            try:
                draft = importing.start_import(interview=interview, user=user, filename=path.name,
                                               data=path.read_bytes(), single_speaker=options["single_speaker"])
            except (TranscriptFileError, importing.ImportProblem) as exc:
                raise CommandError(str(exc)) from exc
            self._map(draft, interview, options["speakers"])
            missing = importing.unmapped(draft)
            parsed = importing.parsed_of(draft)
            self.stdout.write(f"Läste {len(parsed.turns)} repliker från {len(parsed.speakers())} talare "
                              f"({draft.source_format}).")
            if missing:
                self.stdout.write("Talare utan roll: " + ", ".join(f"'{label}'" for label in missing))
                if options["publish"]:
                    raise CommandError("Kan inte publicera: varje talare måste få en roll (--speakers 'Etikett=Roll').")
                self.stdout.write(f"Importen sparades som utkast {draft.pk}; fortsätt i webbläsaren.")
                return
            findings = importing.scan(draft)
            self._print_findings(draft, findings)
            if options["accept_suggestions"]:
                importing.decide_all(draft, "accept")
            if not options["publish"]:
                self.stdout.write(f"Utkast {draft.pk} väntar på granskning i webbläsaren (raderas efter 24 timmar).")
                return
            problems = importing.publish_problems(draft)
            if problems:
                raise CommandError("Kan inte publicera: " + " ".join(problems)
                                   + " Använd --accept-suggestions eller granska i webbläsaren.")
            transcript = importing.publish(draft, user=user)
        self.stdout.write(self.style.SUCCESS(
            f"Publicerade transkript {transcript.pk}: {transcript.turns.count()} repliker, "
            f"{transcript.word_count} ord, {transcript.open_findings} kvarstående fynd."))

    def _user(self, username: str | None):
        User = get_user_model()
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist as exc:
                raise CommandError(f"Användaren {username} finns inte.") from exc
        user = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()
        if user is None:
            raise CommandError("Det finns ingen användare att registrera importen på; skapa en först.")
        return user

    def _map(self, draft, interview: Interview, pairs: list[str]) -> None:
        labels = importing.parsed_of(draft).speakers()
        participants = {p.role_label.casefold(): p for p in interview.team.participants.all()}
        targets = {label: importing.SpeakerTarget(entry.get("value", ""), entry.get("new_label", ""))
                   for label, entry in draft.speaker_map.items()}
        for pair in pairs:
            if "=" not in pair:
                raise CommandError(f"Ange talare som 'Etikett i filen=Roll', inte '{pair}'.")
            label, role = (part.strip() for part in pair.split("=", 1))
            if label not in labels:
                known = ", ".join(f"'{x}'" for x in labels)
                raise CommandError(f"Talaren '{label}' finns inte i filen. Talarna är: {known}.")
            if role.casefold() in {"intervjuare", interview.interviewer_label.casefold()}:
                targets[label] = importing.SpeakerTarget(importing.INTERVIEWER)
            elif role.casefold() in {"medhjälpare", interview.assistant_label.casefold()}:
                targets[label] = importing.SpeakerTarget(importing.ASSISTANT)
            elif role.casefold() in participants:
                targets[label] = importing.SpeakerTarget(f"p:{participants[role.casefold()].pk}")
            else:
                targets[label] = importing.SpeakerTarget(importing.NEW, role)
        errors = importing.set_mapping(draft, targets)
        if errors:
            raise CommandError(" ".join(errors))

    def _print_findings(self, draft, findings: list[dict]) -> None:
        texts = importing.turn_texts(draft)
        self.stdout.write(f"{len(findings)} fynd av möjliga personuppgifter:")
        for row in findings:
            before, found, after = importing.context_snippet(texts[row["turn"]], row["start"], row["end"], 30)
            sure = "" if row["certain"] else " (osäkert)"
            self.stdout.write(f"  replik {row['turn'] + 1}: {row['category']}{sure} → {row['replacement']}: "
                              f"{before}[{found}]{after}".replace("\n", " "))
