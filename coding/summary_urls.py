"""Summary pages and export downloads (included by coding/urls.py, namespace "coding")."""

from django.urls import path

urlpatterns: list = []
