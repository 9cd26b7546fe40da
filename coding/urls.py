from django.urls import include, path

from . import views

app_name = "coding"

urlpatterns = [
    path("", views.home, name="home"),
    path("studier/<int:study_id>/", views.study_dashboard, name="study_dashboard"),
    path("studier/<int:study_id>/transkript/<int:transcript_id>/", views.transcript_detail,
         name="transcript_detail"),
    path("", include("coding.summary_urls")),
]
