"""Synthetic Swedish interview text for the demo study, written for this project.

Sentences are grouped by NVOS area and by the demo code they illustrate, so that the demo
codings are plausible: a demo coder tags a sentence with the code it was written for.
"""

from __future__ import annotations

# area slug -> {code name: [sentences]}
SENTENCES: dict[str, dict[str, list[str]]] = {
    "samverkan": {
        "Gemensam planering": [
            "Vi sitter tillsammans varje morgon och går igenom vem som behöver vad under dagen.",
            "När alla yrkesgrupper är med från början slipper vi lämna över saker i flera led.",
            "Det är lättare att planera en hemgång när både kommunen och regionen sitter vid samma bord.",
        ],
        "Korta kontaktvägar": [
            "Jag kan gå över korridoren och fråga sjuksköterskan direkt i stället för att skicka ett meddelande.",
            "Förr kunde det ta en vecka att få svar, nu löser vi det ofta samma förmiddag.",
            "Man vet vem man ska ringa, och det gör att brukaren inte behöver vänta.",
        ],
        "Olika regelverk": [
            "Ibland krockar våra regler med regionens, och då får vi sitta och reda ut vem som ansvarar.",
            "Vi har olika chefer och olika budgetar, så det är inte alltid självklart vem som betalar.",
        ],
    },
    "personcentrering": {
        "Individens egna mål": [
            "Vi börjar alltid med att fråga vad personen själv vill klara av hemma.",
            "Målet ska vara brukarens eget, inte vårt, annars blir det ingen motivation.",
            "Hon ville kunna gå ner till brevlådan själv, och det blev vårt gemensamma mål.",
        ],
        "Helhetssyn": [
            "När flera yrken tittar på samma person ser vi hela livssituationen och inte bara en diagnos.",
            "Det handlar inte bara om vården, det sociala sammanhanget är minst lika viktigt.",
        ],
        "Tid för relationen": [
            "Det tar tid att bygga förtroende, och den tiden finns inte alltid i schemat.",
            "Kontinuiteten gör att personen känner igen oss och vågar berätta hur det egentligen är.",
        ],
    },
    "delaktighet": {
        "Delaktighet i beslut": [
            "Vid vårdplaneringen är personen med och bestämmer vilka insatser som ska sättas in.",
            "Vi försöker att inte fatta beslut över huvudet på någon, men det är svårt när det är bråttom.",
            "I myndighetsbeslutet står det vad man har rätt till, och där är det svårare att påverka.",
        ],
        "Anpassad information": [
            "Vi har börjat använda bildstöd när vi förklarar vad som ska hända.",
            "Informationen måste vara begriplig, annars blir delaktigheten bara på papperet.",
        ],
        "Anhörigas roll": [
            "Anhöriga vill ofta vara med, men det är personen själv som avgör hur mycket.",
            "Ibland får vi balansera mellan vad anhöriga önskar och vad brukaren vill.",
        ],
    },
    "kompetens-och-kunskap": {
        "Lära av varandra": [
            "Jag har lärt mig jättemycket om förflyttningar av arbetsterapeuten i teamet.",
            "Vi har korta utbildningspass för varandra där varje yrke berättar om sitt område.",
            "Man får andra glasögon på en situation när kollegorna har en annan utbildning.",
        ],
        "Professionens gränser": [
            "Vi ska hjälpa varandra, men jag kan inte ta över sjuksköterskans ansvar.",
            "Det gäller att vara gränsöverskridande utan att bli gränslös i sin yrkesroll.",
        ],
        "Personalomsättning": [
            "När någon slutar försvinner mycket kunskap, och det tar lång tid att bygga upp igen.",
            "Vikarierna hinner sällan lära sig hur vi arbetar i teamet.",
        ],
    },
    "digitalisering": {
        "Digitala möten": [
            "Vårdplaneringarna sker numera ofta via video, och det sparar mycket restid.",
            "Det fungerar bra digitalt när alla känner varandra, men det blir stelare med nya personer.",
        ],
        "Journalåtkomst": [
            "Vi kan inte läsa i varandras journaler, så vi får fråga muntligt hela tiden.",
            "Det vore en stor skillnad om vi hade ett gemensamt system för dokumentation.",
        ],
        "Sekretess": [
            "Sekretessen är inget hinder om vi har samtycke, men det kräver en del extra arbete.",
            "Vi måste vara noga med vad vi skickar och hur, särskilt när det gäller känsliga uppgifter.",
        ],
    },
}

QUESTIONS: dict[str, list[str]] = {
    "samverkan": ["Hur samverkar ni i teamet i vardagen?",
                  "Vad gör samverkan med andra aktörer lättare eller svårare?"],
    "personcentrering": ["Hur utgår ni från individens egna behov?",
                         "Kan ni ge ett exempel på ett personcentrerat arbetssätt?"],
    "delaktighet": ["Hur gör ni individen delaktig i besluten?", "Vad betyder delaktighet i myndighetsbeslut för er?"],
    "kompetens-och-kunskap": ["Hur delar ni kunskap mellan yrkesgrupperna?", "Vilken kompetens saknas i teamet?"],
    "digitalisering": ["Hur använder ni digitala verktyg i samverkan?", "Vad betyder sekretessen för ert arbete?"],
}

FILLERS = [
    "Ja, precis.",
    "Jag håller med om det.",
    "Det är ett bra exempel.",
    "Mm, så är det nog för oss också.",
    "Det där känner jag igen.",
]

ROUND2_INTRO = "Nu läser jag ett citat från förra omgången. Vad får ni för tankar av detta citat?"

CODE_DEFINITIONS: dict[str, str] = {
    "Gemensam planering": "Teamet planerar insatser tillsammans, över yrkes- och organisationsgränser.",
    "Korta kontaktvägar": "Att snabbt nå rätt person i ett annat yrke eller en annan organisation.",
    "Individens egna mål": "Insatser utgår från mål som personen själv formulerat.",
    "Delaktighet i beslut": "Personen deltar i beslut om sina insatser, även i myndighetsbeslut.",
    "Lära av varandra": "Kunskapsutbyte mellan yrkesgrupperna i teamet.",
    "Journalåtkomst": "Möjligheten att ta del av varandras dokumentation mellan organisationer.",
}

# name, area slug (None: spans areas), status, definition, codes
THEMES: list[tuple[str, str | None, str, str, list[str]]] = [
    ("Nära samarbete i vardagen", "samverkan", "definierad",
     "Teamets dagliga, gemensamma planering och korta kontaktvägar gör att insatser kommer på plats snabbare "
     "och att färre överlämningar behövs.", ["Gemensam planering", "Korta kontaktvägar"]),
    ("Regelverk som skaver", "samverkan", "granskad",
     "Olika huvudmäns regler, chefer och budgetar skapar oklarhet om ansvar.", ["Olika regelverk"]),
    ("Personens egna mål som riktning", "personcentrering", "definierad",
     "Insatserna tar sin riktning från det personen själv vill klara av.", ["Individens egna mål", "Helhetssyn"]),
    ("Delaktighet kräver tid", None, "kandidat", "", ["Delaktighet i beslut", "Tid för relationen"]),
    ("Kunskapsutbyte mellan yrken", "kompetens-och-kunskap", "granskad",
     "Yrkesgrupperna lär av varandra och breddar teamets gemensamma kompetens.", ["Lära av varandra"]),
    ("Digitala möten i vardagen", "digitalisering", "kandidat", "", ["Digitala möten"]),
    ("Tekniken som hinder", "digitalisering", "forkastad",
     "Förkastat: materialet handlade om journalåtkomst, inte om tekniken i sig.", ["Journalåtkomst"]),
]

ROUND_PROMPTS: dict[str, tuple[str, str]] = {
    "samverkan": ("När alla yrkesgrupper är med från början slipper vi lämna över saker i flera led.",
                  "Är det skillnad på att arbeta i ett yrkesspecifikt team och ett multidisciplinärt team?"),
    "personcentrering": ("Målet ska vara brukarens eget, inte vårt, annars blir det ingen motivation.",
                         "Hur märks det i er vardag att ni utgår från personens mål?"),
    "delaktighet": ("Informationen måste vara begriplig, annars blir delaktigheten bara på papperet.",
                    "Hur gör ni personen delaktig när insatsen bygger på ett myndighetsbeslut?"),
    "kompetens-och-kunskap": ("Det gäller att vara gränsöverskridande utan att bli gränslös i sin yrkesroll.",
                              "Var går gränsen mellan att hjälpa varandra och att ta över?"),
    "digitalisering": ("Sekretessen är inget hinder om vi har samtycke, men det kräver en del extra arbete.",
                       "Vad skulle göra den digitala samverkan enklare?"),
}

PHASE_HISTORY = [
    (1, 2, "Alla transkript från omgång 1 är lästa och har bekantskapsanteckningar."),
    (2, 3, "Inledande kodning klar för team 1–4; områdena har fungerat som inledande koder."),
    (3, 4, "Kandidatteman finns för alla fem områden. Nu granskar vi dem mot materialet."),
]
