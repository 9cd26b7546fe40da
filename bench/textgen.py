"""Swedish synthetic interview text for the benchmark study.

Every fragment below was written for this generator: it talks about the five NVOS areas the
way a municipal team might in a focus group, but no sentence comes from a real interview or
from the seed reports, and it holds no names or personal data (people and places appear only
as the placeholders anonymisation leaves: [namn], [kommun], [arbetsplats]).

Pure Python, no Django: `generate_transcript()` returns the text and the turn spans
(code-point offsets, turns joined by a blank line) with each turn's word offsets, so the
study builder can place codings at word boundaries without searching the text again.
"""

from __future__ import annotations

import random
import re
from array import array
from dataclasses import dataclass, field

# Same order as coding.reference_data.AREAS.
AREA_SLUGS = ("samverkan", "personcentrering", "delaktighet", "kompetens-och-kunskap", "digitalisering")
AREA_WORDS_SV = ("samverkan", "personcentrering", "delaktighet", "kompetens och kunskap", "digitalisering")
# How much each area's section gets of a transcript (the seeds note areas 3 and 4 produced the most).
AREA_SHARE = (1.0, 0.9, 1.2, 1.3, 0.8)

TURN_SEPARATOR = "\n\n"
_TOKEN_RE = re.compile(r"\S+")

# Openers that end in "att" start a subordinate clause: no filler word is put inside it.
OPENERS = [
    "Alltså,", "Ja, men", "Jag tänker att", "För oss är det så att", "Det jag märker är att",
    "Om man ser det från vårt håll så tror jag att", "Eh,", "Ja precis, och", "Nej, men", "Det är väl så att",
    "Jag håller med om det, och", "Från början var det så att", "Vi har pratat mycket om att",
    "Det som har hänt sen sist är att", "Jag skulle säga att", "Min bild är att", "Samtidigt så vet vi att",
    "Och sen är det ju så att", "Det är klart att", "Men jag vet inte, jag tycker att",
    "Ärligt talat så tycker jag att", "För mig som är ny i teamet känns det som att",
    "Det vi ser ute hos brukarna är att", "Ja, och",
]
_SUBORDINATE = tuple(opener.endswith("att") for opener in OPENERS)
FILLERS = ["ju", "liksom", "faktiskt", "väl", "typ", "alltså", "ändå"]

SUBJECTS: dict[str, list[str]] = {
    "samverkan": [
        "samarbetet med regionen", "vår samverkan inom kommunen", "kontakten med vårdcentralen",
        "samordningen kring hemgången", "morgonmötet i teamet", "den gemensamma planeringen",
        "dialogen med biståndshandläggarna", "samverkan med hemsjukvården", "arbetet över förvaltningsgränserna",
        "överlämningen mellan verksamheterna", "samarbetet med föreningarna", "SIP-mötet",
        "den täta kontakten med [arbetsplats]", "vårt gemensamma ansvar", "samverkan med skolan",
        "kontakten med psykiatrin",
    ],
    "personcentrering": [
        "individens egna önskemål", "personens vardag", "det personcentrerade förhållningssättet",
        "genomförandeplanen", "kontinuiteten i personalgruppen", "relationen till brukaren",
        "helhetssynen på personen", "sättet vi pratar med den enskilde på", "hänsynen till personens egna resurser",
        "det som är viktigt för individen", "samtalet med de närstående", "planeringen utifrån personens mål",
        "vårt bemötande", "tiden vi får hos varje person",
    ],
    "delaktighet": [
        "brukarens delaktighet", "individens inflytande över insatserna", "informationen till den enskilde",
        "beslutet från biståndshandläggaren", "personens egen röst", "möjligheten att tacka nej",
        "uppföljningen tillsammans med individen", "självbestämmandet", "delaktigheten i vardagliga beslut",
        "informationen på lättläst svenska", "tolkstödet", "mötet där individen själv är med",
        "arbetet med att anpassa informationen", "individens egna mål",
    ],
    "kompetens-och-kunskap": [
        "kompetensen i personalgruppen", "grundutbildningen för undersköterskor", "introduktionen av nyanställda",
        "kunskapen om varandras yrken", "handledningen", "fortbildningen", "personalomsättningen",
        "bemanningen på kvällar och helger", "arbetsterapeutens perspektiv", "sjuksköterskans bedömning",
        "kunskapsöverföringen i teamet", "språkkunskaperna hos personalen", "utbildningen i förflyttningsteknik",
        "erfarenheten hos de äldre kollegorna",
    ],
    "digitalisering": [
        "de digitala mötena", "journalsystemet", "åtkomsten till regionens journal",
        "sekretessen mellan huvudmännen", "uppkopplingen ute hos brukarna", "surfplattorna i hemtjänsten",
        "välfärdstekniken", "läkemedelsroboten", "den digitala tillsynen", "Teams-mötena med vårdcentralen",
        "dokumentationen i mobilen", "de digitala verktygen", "inloggningen med e-tjänstekortet",
        "videosamtalen med närstående",
    ],
}

PREDICATES: dict[str, list[str]] = {
    "samverkan": [
        "har blivit mycket bättre det senaste året", "fungerar inte alltid som vi vill", "tar tid att bygga upp",
        "bygger på att vi känner varandra", "blir lätt beroende av enskilda personer",
        "hänger mycket på ledningens stöd", "kräver att någon tar ansvar för helheten",
        "faller ibland mellan stolarna", "har gjort att vi hittar lösningar snabbare",
        "är något vi har jobbat hårt med", "känns mer självklart nu än i början", "stannar av när någon slutar",
        "behöver struktur för att hålla över tid", "skapar en trygghet för alla inblandade",
        "gör att färre behöver åka tillbaka till sjukhuset", "påverkas av att vi har olika regelverk",
    ],
    "personcentrering": [
        "måste vara utgångspunkten i allt vi gör", "glöms ibland bort när det är stressigt",
        "styrs för mycket av regelverket", "kräver att vi verkligen lyssnar",
        "har blivit tydligare sedan vi började med teamet", "ser olika ut beroende på vem man frågar",
        "är lätt att säga men svårt att göra", "gör att personen känner sig sedd",
        "krockar ibland med hur verksamheten är organiserad", "behöver följas upp mer än vi gör i dag",
        "handlar om att se hela människan", "skapar ett mer jämlikt samtal",
        "blir svårare när tiden inte räcker till", "får inte bli bara ett fint ord",
    ],
    "delaktighet": [
        "ökar när vi tar oss tid att förklara", "blir begränsad när beslutet redan är fattat",
        "kräver att vi anpassar språket", "är svårare att få till för personer med kognitiv svikt",
        "har stärkts av att individen sitter med på mötet", "hänger på att informationen når fram",
        "kan krocka med vad de närstående vill", "brister ofta i myndighetsutövningen",
        "är något vi pratar mycket om i teamet", "gör att insatserna faktiskt används", "måste få ta tid",
        "påverkas av hur vi formulerar frågorna", "blir lätt en formalitet",
        "har blivit bättre sedan vi började fråga tidigare",
    ],
    "kompetens-och-kunskap": [
        "varierar väldigt mycket mellan enheterna", "räcker inte alltid till för de svåraste ärendena",
        "har blivit en förutsättning för att teamet ska fungera", "försvinner när folk slutar",
        "behöver finnas på plats från första dagen", "gör att vi kan gå över gränserna utan att bli gränslösa",
        "prioriteras bort när det är ont om personal", "lyfts i nästan varje utvecklingssamtal",
        "är det vi saknar mest just nu", "sprids bäst när vi jobbar tillsammans",
        "kostar pengar men lönar sig i längden", "har gett oss ett gemensamt språk",
        "blir sårbar när vi förlitar oss på timvikarier", "är något ledningen måste ta ansvar för",
    ],
    "digitalisering": [
        "sparar mycket tid när det fungerar", "krånglar oftare än man tror", "gör att vi missar viktig information",
        "har gjort det lättare att samverka på distans", "kräver att alla har rätt behörighet",
        "skapar en ojämlikhet för dem som inte är vana", "står i vägen för ett smidigt informationsflöde",
        "har blivit vardag sedan pandemin", "behöver anpassas efter den enskilde",
        "går inte att lita på ute på landsbygden", "tar bort en del av det personliga mötet",
        "skulle kunna användas mycket mer", "väcker frågor om integritet",
        "fungerar bara om någon visar hur man gör",
    ],
}

TAILS = [
    "i vardagen", "för det mesta", "om man ska vara ärlig", "när det väl gäller", "över tid",
    "särskilt på helgerna", "i de flesta ärenden", "när det är mycket att göra", "i alla fall hos oss",
    "enligt min erfarenhet", "om man jämför med hur det var förut", "för den enskilde", "på [arbetsplats]",
    "här i [kommun]", "tycker jag", "nu för tiden", "i vår verksamhet",
]

STORIES: dict[str, list[str]] = {
    "samverkan": [
        "Vi hade en man som skrevs ut en fredag eftermiddag, och ingen i kommunen visste om det förrän på måndagen.",
        "När vi började sitta i samma lokaler blev det helt plötsligt lättare att bara knacka på och fråga.",
        "Förra veckan löste vi ett ärende på tio minuter på morgonmötet som annars hade tagit flera dagar.",
        "Det blir lätt att man skickar meddelanden fram och tillbaka i stället för att faktiskt prata med varandra.",
        "Vi har bjudit in [arbetsplats] till våra träffar några gånger och det har gett väldigt mycket.",
        "[namn] på vårdcentralen ringer alltid tillbaka samma dag, och det gör enorm skillnad för oss.",
    ],
    "personcentrering": [
        "En kvinna sa till oss att hon mest av allt ville kunna gå till affären själv igen, och då blev det vårt mål.",
        "Vi frågar numera alltid vad som är viktigt för personen innan vi pratar om insatser.",
        "Det är lätt att man ser diagnosen i stället för människan när det är stressigt.",
        "Ibland måste vi förklara för de närstående att det är personens egen vilja som gäller.",
        "När samma personal kommer varje dag så märker man direkt att personen blir lugnare.",
        "Han ville hellre ha hjälp med trädgården än med städningen, och det passade inte in i någon mall.",
    ],
    "delaktighet": [
        "Han ville inte ha något larm, och det fick vi respektera även om vi var oroliga.",
        "Vi har börjat skicka hem en enkel sammanfattning efter mötet så att personen kan läsa den i lugn och ro.",
        "Hon satt med på hela mötet och det var första gången hon själv fick säga vad hon behövde.",
        "Många vet inte ens att de kan överklaga ett beslut, så där har vi ett ansvar att berätta.",
        "Med bildstöd kunde han faktiskt vara med och välja vilka dagar hemtjänsten skulle komma.",
        "Det är skillnad på att bli informerad och att faktiskt få vara med och bestämma.",
    ],
    "kompetens-och-kunskap": [
        "Vi fick tre nya undersköterskor på en månad och ingen av dem fick någon ordentlig introduktion.",
        "Arbetsterapeuten lärde oss att tänka på hur vi placerar möblerna, och det har vi nytta av varje dag.",
        "Det är inte meningen att alla ska kunna allt, men man måste veta vem man ska fråga.",
        "När vi hade gemensam utbildning förra hösten så började vi prata samma språk.",
        "De som har jobbat länge har så mycket kunskap som aldrig skrivs ner någonstans.",
        "Vi turas om att berätta om våra yrken på arbetsplatsträffen, och det har varit uppskattat.",
    ],
    "digitalisering": [
        "Vi kan inte se vad vårdcentralen har skrivit, så vi får ringa och fråga varje gång.",
        "Under pandemin lärde vi oss att ha möten på Teams, och det har vi fortsatt med.",
        "Ute i glesbygden tappar surfplattan uppkopplingen hela tiden, så man får skriva efteråt.",
        "Läkemedelsroboten har gjort att en del kan bo kvar hemma längre än de annars hade kunnat.",
        "Det är inte alla brukare som vill ha en kamera i hemmet, och det måste man respektera.",
        "Vi har fyra olika system att logga in i under en vanlig dag, och inget av dem pratar med de andra.",
    ],
}

REACTIONS = [
    "Mm, precis.", "Ja, absolut.", "Det håller jag med om.", "Ja, det är så.", "Nej, verkligen inte.",
    "Ja, jag känner igen det.", "Exakt.", "Mm.", "Ja, det stämmer.", "Så är det ju.", "Ja, verkligen.",
    "Precis, det var det jag menade.",
]

QUESTIONS: dict[str, list[str]] = {
    "samverkan": [
        "Hur skulle ni beskriva samverkan i teamet i dag?",
        "Vilka andra aktörer samverkar ni med, och hur fungerar det?",
        "Vad gör att samverkan håller över tid?",
    ],
    "personcentrering": [
        "Hur utgår ni från individens egna behov i ert arbete?",
        "Kan ni ge ett exempel på när ni har arbetat personcentrerat?",
        "Vad gör det svårt att arbeta personcentrerat?",
    ],
    "delaktighet": [
        "Hur gör ni den enskilde delaktig i besluten?",
        "Hur anpassar ni informationen till den det gäller?",
        "Finns det situationer där delaktigheten brister?",
    ],
    "kompetens-och-kunskap": [
        "Vilken kompetens behöver teamet för att fungera?",
        "Hur tar ni till vara på varandras kunskaper?",
        "Hur påverkar personalomsättningen ert arbete?",
    ],
    "digitalisering": [
        "Hur använder ni digitala verktyg i teamets arbete?",
        "Hur fungerar det att dela information digitalt mellan huvudmännen?",
        "Vad skulle digitaliseringen kunna göra bättre för er?",
    ],
}

# The round-2 follow-up question per area (also the RoundPrompt follow-up).
FOLLOW_UP_BY_AREA = {
    "samverkan": "Har något förändrats i er samverkan sedan förra intervjun?",
    "personcentrering": "Hur märks det personcentrerade arbetssättet för den enskilde i dag?",
    "delaktighet": "Vad skulle behövas för att individen ska bli ännu mer delaktig?",
    "kompetens-och-kunskap": "Vilken kompetens har ni fått, eller tappat, under det senaste halvåret?",
    "digitalisering": "Vilket digitalt stöd har gjort störst skillnad för teamet sedan sist?",
}

FOLLOW_UPS = [
    "Kan du utveckla det?", "Hur menar du då?", "Känner ni andra igen er i det?", "Mm.", "Okej, intressant.",
    "Kan du ge ett exempel?", "Vad tänker ni andra?", "Hur har det förändrats över tid?",
    "Vad skulle behövas för att det ska bli bättre?", "Ja, precis.", "Hur märks det för den enskilde?",
    "Och hur hanterar ni det då?", "Mm, berätta gärna mer.",
]

INTRO = {
    1: ("Välkomna hit och tack för att ni ställer upp. Vi spelar in samtalet, och när det skrivs ut tas alla "
        "namn bort. Ni får avbryta när ni vill. Vi börjar med en kort presentationsrunda."),
    2: ("Välkomna tillbaka! Den här gången läser vi upp ett citat från förra omgången för varje område, och så "
        "får ni berätta vad ni tänker. Vi spelar in som förra gången och allt avidentifieras. Vill ni presentera "
        "er kort igen?"),
}
PRESENTATIONS = [
    "Jag heter [namn] och jobbar som {profession} i teamet sedan starten.",
    "Ja, jag är {profession} på [arbetsplats] och har varit med i teamet i ungefär två år.",
    "[namn] heter jag, {profession}, och jag kom in i teamet i höstas.",
    "Jag är {profession} och jobbar mest ute i hemmen, men är med på teamträffarna varje vecka.",
    "Jag jobbar som {profession} här i [kommun], och det här är mitt första år i teamet.",
]
AREA_INTRO = {
    1: "Då går vi över till {area}. {question}",
    2: "Nu läser jag upp ett citat om {area} från förra omgången: ”{quote}” Vad får ni för tankar av det här citatet?",
}
CLOSING_QUESTION = "Vi börjar närma oss slutet. Finns det något mer ni vill lägga till innan vi avslutar?"
CLOSING = "Tack så mycket för att ni ville vara med, det här har varit väldigt värdefullt för studien."

CODING_MEMOS = [
    "Tydligt exempel.", "Osäker på om detta hör hit, ta upp i gruppen.", "Jämför med omgång 1.",
    "Bra citat till rapporten?", "Dubbelkodat med en kod om delaktighet.", "Kanske eget tema?",
    "Motsäger det som sades tidigare i samma intervju.", "Återkommer i flera team.",
    "Här pratar de om systemnivån, inte om det enskilda ärendet.", "Kolla gränsdragningen mot närliggande kod.",
]
NOTE_SENTENCES = [
    "Teamet återkommer ofta till att {subject} {predicate}.",
    "Första intrycket är att {subject} {predicate}.",
    "Intressant att flera säger att {subject} {predicate}.",
    "Det märks en skillnad mellan yrkesgrupperna i synen på {subject}.",
    "Mycket engagemang när samtalet kommer in på {subject}.",
    "Lite tyst i gruppen när vi pratar om {subject}, värt att fundera på.",
]
JOURNAL_SENTENCES = [
    "Jag märker att min egen förförståelse om {subject} färgar hur jag läser.",
    "Efter dagens kodningsträff funderar jag på om vi är för snabba att sortera in allt under områdena.",
    "Svårt att hålla isär det teamen gör och det de önskar att de gjorde.",
    "Vi diskuterade hur mycket ett citat får redigeras utan att innebörden ändras.",
    "Jag har själv arbetat med {subject}, så jag behöver vara extra noggrann här.",
    "Gruppen var oenig om {subject}; vi lät frågan ligga kvar till nästa träff.",
    "Det blir tydligare för varje transkript att {subject} {predicate}.",
]
CODE_MEMO_SENTENCES = [
    "Koden används när teamet beskriver hur {subject} {predicate}.",
    "Gränsen mot närliggande koder är inte helt tydlig ännu.",
    "Vi har slagit ihop två tidigare koder till den här.",
    "Förekommer mest i omgång 2.",
    "Används sparsamt: bara när det är teamets egen erfarenhet, inte en allmän åsikt.",
    "Ta med i diskussionen om kandidatteman.",
]
_EDIT_FILLERS = re.compile(r"\b(?:eh|liksom|typ|alltså|ju|väl|ändå)\b,?\s*", re.IGNORECASE)


@dataclass
class GeneratedTurn:
    kind: str  # "interviewer" or "participant"
    speaker: int  # index into the participants, -1 for the interviewer
    area: int  # index into AREA_SLUGS, -1 outside the area sections
    start: int = 0
    end: int = 0
    time_seconds: int = 0
    word_starts: array = field(default_factory=lambda: array("I"))
    word_ends: array = field(default_factory=lambda: array("I"))


@dataclass
class GeneratedTranscript:
    text: str
    turns: list[GeneratedTurn]
    word_count: int
    duration_seconds: int


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _clause(rng: random.Random, area: str, subordinate: bool) -> str:
    subject = rng.choice(SUBJECTS[area])
    predicate = rng.choice(PREDICATES[area])
    if not subordinate and rng.random() < 0.25:
        verb, _sep, rest = predicate.partition(" ")
        predicate = f"{verb} {rng.choice(FILLERS)} {rest}" if rest else f"{verb} {rng.choice(FILLERS)}"
    return f"{subject} {predicate}"


def sentence(rng: random.Random, area: str) -> str:
    """One spoken sentence about an area (its slug)."""
    roll = rng.random()
    if roll < 0.12:
        return rng.choice(STORIES[area])
    parts = []
    subordinate = False
    if roll < 0.62:
        index = rng.randrange(len(OPENERS))
        parts.append(OPENERS[index])
        subordinate = _SUBORDINATE[index]
    parts.append(_clause(rng, area, subordinate))
    if rng.random() < 0.55:
        parts.append(rng.choice(TAILS))
    if rng.random() < 0.15:
        parts.append("och " + _clause(rng, area, False))
    text = " ".join(parts)
    return _cap(text) + ("..." if rng.random() < 0.04 else ".")


def participant_text(rng: random.Random, area: str, target_words: int) -> str:
    """A participant turn of at least target_words words, mostly about `area`."""
    if target_words <= 4:
        return rng.choice(REACTIONS)
    sentences: list[str] = []
    count = 0
    while count < target_words:
        topic = area if rng.random() < 0.85 else rng.choice(AREA_SLUGS)
        text = sentence(rng, topic)
        sentences.append(text)
        count += text.count(" ") + 1
    if rng.random() < 0.2:
        sentences.insert(0, rng.choice(REACTIONS))
    return " ".join(sentences)


def _add(turns, texts, kind, speaker, area, text):
    turns.append(GeneratedTurn(kind=kind, speaker=speaker, area=area))
    texts.append(text)
    return text.count(" ") + 1


def prompt_quotes(rng: random.Random) -> dict[str, str]:
    """The quote per area read to the teams in round 2 (also stored as the RoundPrompt)."""
    return {area: " ".join(sentence(rng, area) for _i in range(2)) for area in AREA_SLUGS}


def generate_transcript(rng: random.Random, *, words: int, participants: list[str], round_number: int,
                        duration_seconds: int, prompts: dict[str, str] | None = None) -> GeneratedTranscript:
    """A focus-group transcript of about `words` words.

    `participants` are the professions of the speakers (lower case, "sjuksköterska"); turns name
    them by index. Structure: welcome, presentations, one section per area (interviewer question,
    participant turns, short follow-ups), closing. Time marks grow with the words spoken.
    """
    turns: list[GeneratedTurn] = []
    texts: list[str] = []
    used = _add(turns, texts, "interviewer", -1, -1, INTRO[2 if round_number == 2 else 1])
    for index, profession in enumerate(participants):
        used += _add(turns, texts, "participant", index, -1, rng.choice(PRESENTATIONS).format(profession=profession))
    closing_budget = 60
    budget = max(words - used - closing_budget, 40 * len(AREA_SLUGS))
    total_share = sum(AREA_SHARE)
    last = -1
    for area_index, area in enumerate(AREA_SLUGS):
        section = budget * AREA_SHARE[area_index] / total_share
        start_used = used
        if round_number == 2:
            quote = (prompts or {}).get(area) or sentence(rng, area)
            opening = AREA_INTRO[2].format(area=AREA_WORDS_SV[area_index], quote=quote)
        else:
            opening = AREA_INTRO[1].format(area=AREA_WORDS_SV[area_index], question=rng.choice(QUESTIONS[area]))
        used += _add(turns, texts, "interviewer", -1, area_index, opening)
        asked_follow_up = False
        while used - start_used < section:
            speaker = rng.randrange(len(participants))
            if speaker == last and len(participants) > 1:
                speaker = (speaker + 1) % len(participants)
            last = speaker
            remaining = int(section - (used - start_used))
            target = 2 if rng.random() < 0.1 else min(max(3, int(rng.lognormvariate(3.05, 0.6))), 220)
            target = min(target, max(remaining, 3))
            used += _add(turns, texts, "participant", speaker, area_index, participant_text(rng, area, target))
            if used - start_used < section and rng.random() < 0.35:
                if round_number == 2 and not asked_follow_up and rng.random() < 0.5:
                    question = FOLLOW_UP_BY_AREA[area]
                    asked_follow_up = True
                else:
                    question = rng.choice(FOLLOW_UPS)
                used += _add(turns, texts, "interviewer", -1, area_index, question)
    used += _add(turns, texts, "interviewer", -1, -1, CLOSING_QUESTION)
    speaker = rng.randrange(len(participants))
    used += _add(turns, texts, "participant", speaker, -1, participant_text(rng, rng.choice(AREA_SLUGS), 25))
    used += _add(turns, texts, "interviewer", -1, -1, CLOSING)

    # Offsets, word boundaries and time marks.
    offset = 0
    spoken = 0
    previous_time = -1
    for turn, text in zip(turns, texts, strict=True):
        turn.start = offset
        turn.end = offset + len(text)
        time = 3 + duration_seconds * spoken // max(used, 1)
        turn.time_seconds = max(time, previous_time + 1)
        previous_time = turn.time_seconds
        for match in _TOKEN_RE.finditer(text):
            turn.word_starts.append(offset + match.start())
            turn.word_ends.append(offset + match.end())
        spoken += len(turn.word_starts)
        offset = turn.end + len(TURN_SEPARATOR)
    text = TURN_SEPARATOR.join(texts)
    return GeneratedTranscript(text=text, turns=turns, word_count=spoken, duration_seconds=duration_seconds)


def _fill(rng: random.Random, template: str, area: str | None = None) -> str:
    area = area or rng.choice(AREA_SLUGS)
    return template.format(subject=rng.choice(SUBJECTS[area]), predicate=rng.choice(PREDICATES[area]))


def coding_memo(rng: random.Random) -> str:
    return rng.choice(CODING_MEMOS)


def familiarisation_note(rng: random.Random) -> str:
    return " ".join(_fill(rng, rng.choice(NOTE_SENTENCES)) for _i in range(rng.randint(3, 7)))


def journal_entry(rng: random.Random) -> str:
    return " ".join(_fill(rng, rng.choice(JOURNAL_SENTENCES)) for _i in range(rng.randint(2, 5)))


def code_memo(rng: random.Random, area: str) -> str:
    return " ".join(_fill(rng, rng.choice(CODE_MEMO_SENTENCES), area) for _i in range(rng.randint(2, 4)))


def theme_definition(rng: random.Random, area: str) -> tuple[str, str, str]:
    """(definition, includes, excludes) for a theme under an area."""
    definition = _fill(rng, "Temat samlar berättelser om hur {subject} {predicate}.", area)
    includes = _fill(rng, "Avsnitt där teamet beskriver {subject} utifrån egen erfarenhet.", area)
    excludes = "Allmänna åsikter utan koppling till teamets arbete."
    return definition, includes, excludes


def edit_for_readability(text: str) -> str:
    """A light readability edit of a quote: filler words out, first letter capitalised, a cut-off
    ending marked with […]. Returns the text unchanged when there is nothing to edit."""
    edited = re.sub(r"\s+", " ", _EDIT_FILLERS.sub("", text)).strip()
    if not edited:
        return text
    if edited[-1] not in ".?!":
        edited += " […]"
    return _cap(edited)
