"""Reference data for transcripts: municipalities, service areas, spider-diagram categories.

The lists are the source of truth; data migrations hold frozen copies so the rows exist
everywhere after `migrate`, tests included. `sync_reference_data()` re-applies the lists
(update_or_create, never delete) and is safe to re-run.
"""

from __future__ import annotations

# Östergötland's 13 municipalities with SCB codes. Size class by population (SCB 2023):
# stor over 50 000, mellanstor 15 000-50 000, liten under 15 000 inhabitants.
MUNICIPALITIES: list[tuple[str, str, str]] = [
    ("0560", "Boxholm", "liten"),
    ("0562", "Finspång", "mellanstor"),
    ("0513", "Kinda", "liten"),
    ("0580", "Linköping", "stor"),
    ("0586", "Mjölby", "mellanstor"),
    ("0583", "Motala", "mellanstor"),
    ("0581", "Norrköping", "stor"),
    ("0582", "Söderköping", "liten"),
    ("0584", "Vadstena", "liten"),
    ("0563", "Valdemarsvik", "liten"),
    ("0512", "Ydre", "liten"),
    ("0561", "Åtvidaberg", "liten"),
    ("0509", "Ödeshög", "liten"),
]

# Socialstyrelsen's Öppna jämförelser split of social services.
SERVICE_AREAS: list[tuple[str, str]] = [
    ("barn-och-unga", "Barn- och ungdomsvård"),
    ("missbruk", "Missbruks- och beroendevård"),
    ("aldreomsorg", "Äldreomsorg"),
    ("kommunal-hsl", "Kommunal hälso- och sjukvård"),
    ("funktionshinder-lss", "Funktionshinderområdet och LSS"),
    ("socialpsykiatri", "Socialpsykiatri"),
    ("ekonomiskt-bistand", "Ekonomiskt bistånd"),
    ("vald-i-nara-relationer", "Våld i nära relationer"),
]

# The spider tool's ten categories (Danermark & Germundsson).
SPIDER_CATEGORIES: list[tuple[str, str]] = [
    ("teamets-engagemang", "Teamets engagemang"),
    ("ledningens-engagemang", "Ledningens engagemang"),
    ("individen-delaktig", "Att göra individen delaktig"),
    ("tillgang-till-resurser", "Tillgång till resurser"),
    ("andra-parters-engagemang", "Andra parters engagemang"),
    ("samsyn-arbetssatt", "Samsyn kring arbetssätt"),
    ("kunskap-om-parter", "Kunskap om samverkansparter"),
    ("regelverk-harmonierar", "Parternas regelverk harmonierar"),
    ("informationsflode", "Informationsflöde mellan parterna"),
    ("forutsattningar-personcentrering", "Förutsättningar för personcentrering"),
]


def sync_reference_data(apps=None) -> int:
    """Create or update the rows above; returns how many rows were created."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Municipality = apps.get_model("transcripts", "Municipality")
    ServiceArea = apps.get_model("transcripts", "ServiceArea")
    SpiderCategory = apps.get_model("transcripts", "SpiderCategory")
    created = 0
    for code, name, size in MUNICIPALITIES:
        _obj, new = Municipality.objects.update_or_create(code=code, defaults={"name": name, "size_class": size})
        created += new
    for order, (slug, name) in enumerate(SERVICE_AREAS, start=1):
        _obj, new = ServiceArea.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
        created += new
    for order, (slug, name) in enumerate(SPIDER_CATEGORIES, start=1):
        _obj, new = SpiderCategory.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
        created += new
    return created
