"""Reference data: Östergötland's municipalities, service areas, spider-diagram categories.

A frozen literal copy of transcripts/reference_data.py at the time of writing: later
changes to the lists ship as new data migrations.
"""

from django.db import migrations

MUNICIPALITIES = [('0560', 'Boxholm', 'liten'),
 ('0562', 'Finspång', 'mellanstor'),
 ('0513', 'Kinda', 'liten'),
 ('0580', 'Linköping', 'stor'),
 ('0586', 'Mjölby', 'mellanstor'),
 ('0583', 'Motala', 'mellanstor'),
 ('0581', 'Norrköping', 'stor'),
 ('0582', 'Söderköping', 'liten'),
 ('0584', 'Vadstena', 'liten'),
 ('0563', 'Valdemarsvik', 'liten'),
 ('0512', 'Ydre', 'liten'),
 ('0561', 'Åtvidaberg', 'liten'),
 ('0509', 'Ödeshög', 'liten')]

SERVICE_AREAS = [('barn-och-unga', 'Barn- och ungdomsvård'),
 ('missbruk', 'Missbruks- och beroendevård'),
 ('aldreomsorg', 'Äldreomsorg'),
 ('kommunal-hsl', 'Kommunal hälso- och sjukvård'),
 ('funktionshinder-lss', 'Funktionshinderområdet och LSS'),
 ('socialpsykiatri', 'Socialpsykiatri'),
 ('ekonomiskt-bistand', 'Ekonomiskt bistånd'),
 ('vald-i-nara-relationer', 'Våld i nära relationer')]

SPIDER_CATEGORIES = [('teamets-engagemang', 'Teamets engagemang'),
 ('ledningens-engagemang', 'Ledningens engagemang'),
 ('individen-delaktig', 'Att göra individen delaktig'),
 ('tillgang-till-resurser', 'Tillgång till resurser'),
 ('andra-parters-engagemang', 'Andra parters engagemang'),
 ('samsyn-arbetssatt', 'Samsyn kring arbetssätt'),
 ('kunskap-om-parter', 'Kunskap om samverkansparter'),
 ('regelverk-harmonierar', 'Parternas regelverk harmonierar'),
 ('informationsflode', 'Informationsflöde mellan parterna'),
 ('forutsattningar-personcentrering', 'Förutsättningar för personcentrering')]


def seed(apps, schema_editor):
    Municipality = apps.get_model("transcripts", "Municipality")
    ServiceArea = apps.get_model("transcripts", "ServiceArea")
    SpiderCategory = apps.get_model("transcripts", "SpiderCategory")
    for code, name, size in MUNICIPALITIES:
        Municipality.objects.update_or_create(code=code, defaults={"name": name, "size_class": size})
    for order, (slug, name) in enumerate(SERVICE_AREAS, start=1):
        ServiceArea.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    for order, (slug, name) in enumerate(SPIDER_CATEGORIES, start=1):
        SpiderCategory.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("transcripts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
