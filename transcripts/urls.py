from django.urls import path

from . import account_views, views

urlpatterns = [
    path("konto/logga-in/", account_views.login, name="login"),
    path("konto/logga-ut/", account_views.logout, name="logout"),
    path("konto/losenord/", account_views.password_change, name="password_change"),
    path("konto/tvastegsverifiering/", account_views.otp_verify, name="otp_verify"),
    path("konto/tvastegsverifiering/aktivera/", account_views.otp_setup, name="otp_setup"),
    path("studier/<int:study_id>/transkript/", views.transcript_list, name="transcript_list"),
]
