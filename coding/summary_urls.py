"""Summary pages and export downloads (included by coding/urls.py, namespace "coding")."""

from django.urls import path

from . import summary_views

urlpatterns: list = [
    path("studier/<int:study_id>/sammanstallning/", summary_views.summary, name="summary"),
    path("studier/<int:study_id>/sammanstallning/cell/", summary_views.summary_cell, name="summary_cell"),
    path("studier/<int:study_id>/export/", summary_views.export, name="export"),
    path("studier/<int:study_id>/export/ladda-ner/", summary_views.export_download, name="export_download"),
    path("studier/<int:study_id>/export/utskrift/", summary_views.report_print, name="report_print"),
    path("studier/<int:study_id>/kodbok/<int:code_id>/citat.csv", summary_views.code_quotes_csv,
         name="code_quotes_csv"),
]
