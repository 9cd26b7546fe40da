from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranscriptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transcripts"
    verbose_name = _("Studies and transcripts")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the login/logout audit signals)
