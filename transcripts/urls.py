from django.urls import path

from . import account_views, views

S = "studier/<int:study_id>/"
D = S + "import/<int:draft_id>/"

urlpatterns = [
    path("konto/logga-in/", account_views.login, name="login"),
    path("konto/logga-ut/", account_views.logout, name="logout"),
    path("konto/losenord/", account_views.password_change, name="password_change"),
    path("konto/tvastegsverifiering/", account_views.otp_verify, name="otp_verify"),
    path("konto/tvastegsverifiering/aktivera/", account_views.otp_setup, name="otp_setup"),
    path(S + "import/", views.import_start, name="import_start"),
    path(D + "talare/", views.import_speakers, name="import_speakers"),
    path(D + "granska/", views.import_review, name="import_review"),
    path(D + "fynd/<int:finding_id>/", views.import_finding_update, name="import_finding_update"),
    path(D + "fynd/ny/", views.import_finding_add, name="import_finding_add"),
    path(D + "alla/", views.import_decide_all, name="import_decide_all"),
    path(D + "publicera/", views.import_publish, name="import_publish"),
    path(D + "avbryt/", views.import_cancel, name="import_cancel"),
    path(S + "transkript/<int:transcript_id>/genomsok/", views.transcript_rescan, name="transcript_rescan"),
    path(S + "kansliga-ord/", views.sensitive_terms, name="sensitive_terms"),
    path(S + "kansliga-ord/<int:term_id>/ta-bort/", views.sensitive_term_delete, name="sensitive_term_delete"),
]
