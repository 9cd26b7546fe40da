from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "NVOS Kodning – administration"
admin.site.site_title = "NVOS Kodning"
admin.site.index_title = "Studier, team, intervjuer och deltagare"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("transcripts.urls")),
    path("", include("coding.urls")),
]
