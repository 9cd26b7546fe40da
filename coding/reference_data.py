"""Reference data for the analysis: the five NVOS areas and Braun & Clarke's six phases.

As in transcripts.reference_data: lists here, frozen copies in data migrations, and a
re-runnable `sync_reference_data()` that updates and never deletes.
"""

from __future__ import annotations

# slug, Swedish name, English name, Swedish definition, English definition, colour.
# Colours are distinct hues dark enough for white text (WCAG AA) and for margin bars.
AREAS: list[tuple[str, str, str, str, str, str]] = [
    (
        "samverkan", "Samverkan", "Collaboration",
        "Professioner och organisationer som arbetar tillsammans kontinuerligt över tid: inom kommunen, "
        "mellan kommun och region, med civilsamhället och staten.",
        "Professions and organisations working together continuously over time: within the municipality, "
        "between municipality and region, with civil society and the state.",
        "#1d4ed8",
    ),
    (
        "personcentrering", "Personcentrering", "Person-centredness",
        "Individens egna behov, resurser och förutsättningar är utgångspunkten; ett jämlikt partnerskap, "
        "både i vården och omsorgen som ges och på systemnivå.",
        "The individual's own needs, resources and conditions are the starting point; an equal partnership, "
        "both in the care given and at system level.",
        "#047857",
    ),
    (
        "delaktighet", "Delaktighet", "Participation and influence",
        "Individens delaktighet och inflytande: individen deltar i beslut, även i myndighetsbeslut, och får "
        "information anpassad efter sig.",
        "The individual takes part in decisions, also in authority decisions, and gets information adapted "
        "to them.",
        "#b45309",
    ),
    (
        "kompetens-och-kunskap", "Kompetens och kunskap", "Competence and knowledge",
        "Personalens kompetens, grundkompetens, utbildning, bemanning och personalomsättning, "
        "professionsgränser: gränsöverskridande men inte gränslöst.",
        "Staff competence, basic competence levels, training, staffing and turnover, professional "
        "boundaries: crossing boundaries without losing them.",
        "#7e22ce",
    ),
    (
        "digitalisering", "Digitalisering", "Digitalisation",
        "Digitala möten och verktyg, åtkomst till journaler mellan organisationer, sekretess och "
        "uppkoppling.",
        "Digital meetings and tools, access to records across organisations, secrecy and connectivity.",
        "#be123c",
    ),
]

# number, Swedish name (as the users write it), English name, Swedish guidance, English guidance.
PHASES: list[tuple[int, str, str, str, str]] = [
    (
        1, "Att bekanta sig med sina data", "Familiarising yourself with the data",
        "Läs transkripten i sin helhet, gärna flera gånger, och skriv en bekantskapsanteckning per "
        "transkript med första intryck och idéer. Ingen kodning ännu.",
        "Read the transcripts in full, ideally more than once, and write a familiarisation note per "
        "transcript with first impressions and ideas. No coding yet.",
    ),
    (
        2, "Att generera inledande koder", "Generating initial codes",
        "Markera avsnitt och koppla dem till koder under de fem områdena. Använd områdena som inledande "
        "koder och skapa nya koder när materialet kräver det. Skriv definitioner och memon.",
        "Mark passages and tag them with codes under the five areas. Use the areas as initial codes and "
        "create new codes where the material asks for it. Write definitions and memos.",
    ),
    (
        3, "Att leta efter teman", "Searching for themes",
        "Samla koder till kandidatteman på den tematiska kartan och jämför omgång 1 med omgång 2 per område.",
        "Gather codes into candidate themes on the thematic map and compare round 1 with round 2 per area.",
    ),
    (
        4, "Att granska teman", "Reviewing themes",
        "Granska varje tema mot sina kodade avsnitt: hänger de ihop, och speglar temat hela materialet? "
        "Dela, slå ihop eller förkasta teman. Markera nyckelcitat.",
        "Review each theme against its coded passages: do they hang together, and does the theme reflect "
        "the whole data set? Split, merge or discard themes. Mark key quotes.",
    ),
    (
        5, "Att definiera och namnge teman", "Defining and naming themes",
        "Ge varje tema ett namn och en definition: dess centrala organiserande idé, vad det omfattar och "
        "vad det inte omfattar.",
        "Give each theme a name and a definition: its central organising concept, what it includes and "
        "what it does not.",
    ),
    (
        6, "Att skriva rapporten", "Producing the report",
        "Välj nyckelcitat, läs sammanställningen per team, omgång och område och exportera "
        "temasammanfattningen till rapporten.",
        "Choose key quotes, read the summary per team, round and area, and export the theme summary "
        "for the report.",
    ),
]


def sync_reference_data(apps=None) -> int:
    """Create or update areas and phases; returns how many rows were created."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Area = apps.get_model("coding", "Area")
    Phase = apps.get_model("coding", "Phase")
    created = 0
    for order, (slug, name_sv, name_en, def_sv, def_en, colour) in enumerate(AREAS, start=1):
        _obj, new = Area.objects.update_or_create(
            slug=slug,
            defaults={"name_sv": name_sv, "name_en": name_en, "definition_sv": def_sv,
                      "definition_en": def_en, "colour": colour, "order": order},
        )
        created += new
    for number, name_sv, name_en, guide_sv, guide_en in PHASES:
        _obj, new = Phase.objects.update_or_create(
            number=number,
            defaults={"name_sv": name_sv, "name_en": name_en, "guidance_sv": guide_sv, "guidance_en": guide_en},
        )
        created += new
    return created
