from django.core.management.base import BaseCommand

from coding import demo


class Command(BaseCommand):
    help = "Create the synthetic demo study and demo users (safe to run again)."

    def handle(self, *args, **options) -> None:
        study, created = demo.create_demo_study()
        verb = "Skapade" if created else "Demostudien fanns redan:"
        self.stdout.write(f"{verb} {study.name}")
        self.stdout.write("")
        self.stdout.write(f"Demoinloggningar (lösenord för alla: {demo.DEMO_PASSWORD}):")
        for user in [*demo.DEMO_USERS, demo.OTHER_STUDY_USER]:
            self.stdout.write(f"  {user.username:<15} {user.first_name}")
