from django.urls import include, path

from . import codebook_views, notes_views, theme_views, views

app_name = "coding"

S = "studier/<int:study_id>/"
T = S + "transkript/<int:transcript_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(S, views.study_dashboard, name="study_dashboard"),
    path(S + "installningar/", views.study_settings, name="study_settings"),
    path(S + "transkript/", views.transcript_list, name="transcript_list"),
    path(T, views.transcript_detail, name="transcript_detail"),
    path(T + "avsnitt/", views.passage_detail, name="passage_detail"),
    path(T + "kodningar/", views.coding_create, name="coding_create"),
    path(T + "andringar/", views.transcript_changes, name="transcript_changes"),
    path(T + "anteckning/", views.familiarisation_note_update, name="familiarisation_note_update"),
    path(T + "tilldela/", views.transcript_assign, name="transcript_assign"),
    path(S + "kodningar/<int:coding_id>/ta-bort/", views.coding_delete, name="coding_delete"),
    path(S + "kodningar/<int:coding_id>/memo/", views.coding_memo_update, name="coding_memo_update"),
    path(S + "kodfarger.css", views.code_colours, name="code_colours"),
    path(S + "kodbok/", codebook_views.codebook, name="codebook"),
    path(S + "kodbok/ny-kod/", views.code_create_inline, name="code_create_inline"),
    path(S + "kodbok/importera/", codebook_views.codebook_import, name="codebook_import"),
    path(S + "kodbok/<int:code_id>/", codebook_views.code_detail, name="code_detail"),
    path(S + "kodbok/<int:code_id>/sammanfoga/", codebook_views.code_merge, name="code_merge"),
    path(S + "kodbok/<int:code_id>/ta-bort/", codebook_views.code_delete, name="code_delete"),
    path(S + "kodbok/<int:code_id>/memo/", codebook_views.code_memo_update, name="code_memo_update"),
    path(S + "fas/", theme_views.phase_change, name="phase_change"),
    path(S + "teman/", theme_views.theme_list, name="theme_list"),
    path(S + "teman/karta/", theme_views.thematic_map, name="thematic_map"),
    path(S + "teman/koppla/", theme_views.theme_code_link, name="theme_code_link"),
    path(S + "teman/jamforelse/", theme_views.round_comparison, name="round_comparison"),
    path(S + "teman/<int:theme_id>/", theme_views.theme_detail, name="theme_detail"),
    path(S + "teman/<int:theme_id>/dela/", theme_views.theme_split, name="theme_split"),
    path(S + "teman/<int:theme_id>/sammanfoga/", theme_views.theme_merge, name="theme_merge"),
    path(S + "teman/<int:theme_id>/forkasta/", theme_views.theme_discard, name="theme_discard"),
    path(S + "teman/<int:theme_id>/citat/<int:coding_id>/", theme_views.quote_update, name="quote_update"),
    path(S + "anteckningar/", notes_views.notes, name="notes"),
    path(S + "anteckningar/<int:note_id>/", notes_views.note_edit, name="note_edit"),
    path(S + "anteckningar/<int:note_id>/ta-bort/", notes_views.note_delete, name="note_delete"),
    path("", include("coding.summary_urls")),
]
