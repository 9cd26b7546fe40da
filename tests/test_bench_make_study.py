"""bench/make_study.py: a small synthetic study, checked for counts, offsets and reproducibility."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter

import pytest

from bench.make_study import StudyExists, main, make_study
from coding.models import Area, Code, Coding, Note, PhaseChange, Quote, RoundPrompt, Theme, ThemeCode, ThemeStatus
from transcripts.models import Interview, Membership, Role, Study, Transcript

pytestmark = pytest.mark.django_db

SMALL = {"transcripts": 3, "words": 600, "codings": 120}


@pytest.fixture(autouse=True)
def _reference_data():
    """Areas and municipalities exist after migrations; this also covers --no-migrations runs."""
    from coding.reference_data import sync_reference_data as sync_coding
    from transcripts.reference_data import sync_reference_data as sync_transcripts

    sync_transcripts()
    sync_coding()


@pytest.fixture
def small() -> dict:
    return make_study(seed=1, name="Benchmark A", **SMALL)


def _transcripts(result: dict) -> list[Transcript]:
    return list(Transcript.objects.filter(interview__team__study_id=result["study_id"])
                .order_by("interview__team__number", "interview__round__number"))


def _content_hash(result: dict) -> str:
    """Texts and codings as stored, independent of database ids."""
    digest = hashlib.sha256()
    for index, transcript in enumerate(_transcripts(result)):
        digest.update(transcript.text.encode())
        for coding in transcript.codings.select_related("code", "coder").order_by("start", "end", "code__name",
                                                                                  "coder__username"):
            digest.update(f"{index}|{coding.code.name}|{coding.coder.username}|{coding.start}|{coding.end}|"
                          f"{coding.memo}".encode())
    return digest.hexdigest()


def test_it_makes_what_it_reports(small):
    study = Study.objects.get(pk=small["study_id"])
    counts = small["counts"]
    assert small["database"] in {"sqlite", "postgresql"}
    assert study.teams.count() == counts["teams"] == 8
    assert study.rounds.count() == counts["rounds"] == 2
    assert Interview.objects.filter(team__study=study).count() == counts["interviews"] == 16
    assert len(_transcripts(small)) == counts["transcripts"] == 3
    assert Coding.objects.filter(transcript__interview__team__study=study).count() == counts["codings"] == 120
    assert Coding.objects.filter(transcript__interview__team__study=study).exclude(memo="").count() == \
        counts["codings_with_memo"]
    assert Code.objects.filter(study=study).count() == counts["codes"] == 60
    assert Theme.objects.filter(study=study).count() == counts["themes"] == 30
    assert ThemeCode.objects.filter(theme__study=study).count() == counts["theme_codes"]
    assert Quote.objects.filter(theme__study=study).count() == counts["quotes"] > 0
    assert PhaseChange.objects.filter(study=study).count() == counts["phase_changes"] == 5
    assert RoundPrompt.objects.filter(round__study=study, round__number=2).count() == counts["round_prompts"] == 5
    roles = Counter(Membership.objects.filter(study=study).values_list("role", flat=True))
    assert roles == {Role.CORESEARCHER: 3, Role.LEAD: 1}
    kinds = Counter(Note.objects.filter(study=study).values_list("kind", flat=True))
    assert kinds == counts["notes"]
    assert set(kinds) == {Note.Kind.FAMILIARISATION, Note.Kind.CODE_MEMO, Note.Kind.JOURNAL}
    assert sum(t.word_count for t in _transcripts(small)) == counts["words"]
    assert set(small["seconds"]) >= {"structure", "generate_texts", "transcripts_and_turns", "codings", "analysis",
                                     "total"}


def test_it_tiles_each_text_with_its_turns(small):
    for transcript in _transcripts(small):
        text = transcript.text
        turns = list(transcript.turns.order_by("position"))
        assert len(turns) > 10
        assert turns[0].start == 0
        assert turns[-1].end == len(text) == transcript.char_count
        for before, after in zip(turns, turns[1:], strict=False):
            assert after.start == before.end + 2
            assert text[before.end:after.start] == "\n\n"
            assert after.time_seconds > before.time_seconds
        for turn in turns:
            assert turn.text == text[turn.start:turn.end]
            assert turn.text and "\n" not in turn.text
            assert (turn.participant_id is None) == (turn.speaker_kind == "interviewer")
        assert transcript.word_count == len(text.split())
        assert unicodedata.is_normalized("NFC", text)
        assert any(ch in text for ch in "åäö")


def test_it_puts_every_coding_on_word_boundaries_inside_its_turn(small):
    codings = Coding.objects.filter(transcript__interview__team__study_id=small["study_id"]).select_related(
        "transcript", "turn", "code")
    study_codes = set(Code.objects.filter(study_id=small["study_id"]).values_list("pk", flat=True))
    keys = set()
    for coding in codings:
        text = coding.transcript.text
        assert coding.text == text[coding.start:coding.end]
        assert coding.turn.transcript_id == coding.transcript_id
        assert coding.turn.start <= coding.start < coding.turn.end
        assert coding.start == 0 or text[coding.start - 1].isspace()
        assert coding.end == len(text) or text[coding.end].isspace()
        assert not coding.text[0].isspace() and not coding.text[-1].isspace()
        assert coding.code_id in study_codes
        keys.add((coding.transcript_id, coding.code_id, coding.coder_id, coding.start, coding.end))
    assert len(keys) == small["counts"]["codings"]


def test_it_gives_the_same_study_for_the_same_seed(small):
    again = make_study(seed=1, name="Benchmark B", **SMALL)
    other = make_study(seed=2, name="Benchmark C", **SMALL)
    assert again["fingerprint"] == small["fingerprint"]
    assert _content_hash(again) == _content_hash(small)
    assert other["fingerprint"] != small["fingerprint"]
    assert _content_hash(other) != _content_hash(small)


def test_it_builds_the_codebook_and_the_themes(small):
    study_id = small["study_id"]
    per_area = Counter(Code.objects.filter(study_id=study_id).values_list("area__slug", flat=True))
    assert per_area == {area.slug: 12 for area in Area.objects.all()}
    nested = Code.objects.filter(study_id=study_id, parent__isnull=False).select_related("parent")
    assert nested.count() == small["counts"]["nested_codes"] > 0
    assert all(code.parent.area_id == code.area_id for code in nested)
    themes = Theme.objects.filter(study_id=study_id).prefetch_related("codes")
    assert Counter(themes.values_list("area__slug", flat=True)) == {area.slug: 6 for area in Area.objects.all()}
    for theme in themes:
        codes = list(theme.codes.all())
        assert 2 <= len(codes) <= 4
        assert {code.area_id for code in codes} == {theme.area_id}
    assert set(themes.values_list("status", flat=True)) == set(ThemeStatus.values)
    for quote in Quote.objects.filter(theme__study_id=study_id).select_related("coding"):
        assert ThemeCode.objects.filter(theme_id=quote.theme_id, code_id=quote.coding.code_id).exists()


def test_it_refuses_an_existing_name_unless_told_to_replace(small):
    with pytest.raises(StudyExists):
        make_study(seed=1, name="Benchmark A", **SMALL)
    replaced = make_study(seed=1, name="Benchmark A", replace=True, **SMALL)
    assert Study.objects.filter(name="Benchmark A").count() == 1
    assert not Study.objects.filter(pk=small["study_id"]).exists()
    assert not Coding.objects.filter(transcript__interview__team__study_id=small["study_id"]).exists()
    assert replaced["fingerprint"] == small["fingerprint"]


def test_it_adds_benchmark_teams_and_the_long_transcript():
    result = make_study(seed=3, name="Benchmark D", transcripts=19, words=300, codings=60,
                        long_transcript_words=2400)
    study = Study.objects.get(pk=result["study_id"])
    # 19 transcripts need 10 teams x 2 rounds; the long transcript gets team 11 (round 1 only).
    assert study.teams.count() == 11
    assert result["counts"]["transcripts"] == Transcript.objects.filter(interview__team__study=study).count() == 20
    extra = study.teams.filter(number__gt=8)
    assert all(team.target_group.startswith("Benchmarkteam") for team in extra)
    long = Transcript.objects.get(interview__team__number=11, interview__team__study=study)
    assert 2400 <= long.word_count < 2600
    assert long.turns.count() > 3 * Transcript.objects.get(interview__team__number=1, interview__round__number=1,
                                                            interview__team__study=study).turns.count()


def test_it_prints_one_json_object(capsys):
    assert main(["--transcripts", "1", "--words", "300", "--codings", "10", "--name", "Benchmark CLI"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"]["codings"] == 10
    assert printed["name"] == "Benchmark CLI"
