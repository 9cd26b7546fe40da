"""Measure the speed a coder feels, on the benchmark study, and print one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nvos_bench .venv/bin/python bench/run.py [--make]
    .venv/bin/python bench/run.py --sqlite /tmp/nvos_bench.sqlite3 [--make]

Server times go through the whole Django stack in-process with Django's test client (URL
routing, middleware, sessions, CSP, templates, database), DEBUG off, so they exclude only
the network and the WSGI server. The painted time is measured in headless Chromium against
gunicorn on loopback: from navigation start to the marker the transcript page sets once its
codings are laid out. Each export runs in a subprocess of its own so that its peak memory
(maximum resident set size) is its own.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS_MS = {
    "transcript_page": 40, "transcript_page_painted": 300, "coding_apply_12k": 15, "coding_apply_48k": 15,
    "import_docx_with_scan": 150, "import_vtt_with_scan": 150, "summary_page": 100, "theme_page_500": 100,
    "thematic_map": 100, "export_docx": 3000, "export_xlsx": 3000, "export_qdpx": 5000, "code_quotes_csv": 10,
}


def setup_django(sqlite: str | None) -> None:
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) or pass --sqlite FILE.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nvos.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.update({"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "REQUIRE_2FA": "0"})
    import django

    django.setup()
    # As in Django's own test runner: keep one connection for the whole run instead of
    # reconnecting per request (production uses CONN_MAX_AGE, so this is what users get).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)  # so query counts can be captured across a request


def stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "n": len(ordered)}


def timed(fn, reps: int, warmup: int = 2) -> tuple[dict, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {**stats(samples), "queries": len(queries.captured_queries)}, result


def find_study():
    from bench.make_study import default_name
    from transcripts.models import Study

    return Study.objects.filter(name=default_name(1)).order_by("-pk").first()


def pick_transcripts(study):
    from django.db.models import Count

    from transcripts.models import Transcript

    rows = list(Transcript.objects.filter(interview__team__study=study).annotate(n=Count("codings"))
                .order_by("word_count"))
    regular = [t for t in rows if t.word_count < 20000]
    twelve = min(regular, key=lambda t: abs(t.n - 400))
    long = max(rows, key=lambda t: t.word_count)
    return twelve, long


def measure_pages(study, reps: int, results: dict) -> None:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from coding.models import Code, Coding, Theme, ThemeCode

    lead = get_user_model().objects.get(username="bench-projektledare")
    client = Client()
    client.force_login(lead)
    twelve, long = pick_transcripts(study)
    results["transcript_12k"] = {"id": twelve.pk, "words": twelve.word_count, "codings": twelve.n,
                                 "turns": twelve.turns.count()}
    results["transcript_48k"] = {"id": long.pk, "words": long.word_count, "turns": long.turns.count()}
    page = reverse("coding:transcript_detail", args=[study.pk, twelve.pk]) + "?visa=all"
    results["transcript_page"], _r = timed(lambda: client.get(page), reps)

    rng = random.Random(5)
    code = Code.objects.filter(study=study).first()
    created: list[int] = []
    for label, transcript in (("coding_apply_12k", twelve), ("coding_apply_48k", long)):
        turns = list(transcript.turns.filter(speaker_kind="participant").values_list("start", "end"))
        url = reverse("coding:coding_create", args=[study.pk, transcript.pk])

        def apply(url=url, turns=turns, transcript=transcript):
            start, end = rng.choice(turns)
            cut = rng.randint(start, max(start, end - 10))
            response = client.post(url, {"start": cut, "end": end, "codes": [code.pk]}, headers={"HX-Request": "true"})
            assert response.status_code == 200, response.content[:300]
            created.append(Coding.objects.filter(transcript=transcript, coder=lead).latest("pk").pk)
            return response

        results[label], _r = timed(apply, reps)

    removal = iter(created)

    def remove():
        response = client.post(reverse("coding:coding_delete", args=[study.pk, next(removal)]),
                               headers={"HX-Request": "true"})
        assert response.status_code == 200
    results["coding_remove"], _r = timed(remove, min(reps, len(created) - 3))
    Coding.objects.filter(pk__in=created).delete()

    counter = iter(range(10**6))

    def create_code():
        response = client.post(reverse("coding:code_create_inline", args=[study.pk]),
                               {"name": f"Benchkod {time.time_ns()}-{next(counter)}", "area": code.area_id})
        assert response.status_code == 201
    results["code_create_inline"], _r = timed(create_code, reps)
    Code.objects.filter(study=study, name__startswith="Benchkod ").delete()

    results["summary_page"], _r = timed(lambda: client.get(reverse("coding:summary", args=[study.pk])), reps)
    results["thematic_map"], _r = timed(lambda: client.get(reverse("coding:thematic_map", args=[study.pk])), reps)

    # A theme with at least 500 passages: the largest, or a temporary one linking codes until 500.
    counts = dict(Coding.objects.counted().filter(code__study=study).values("code").annotate(n=Count("pk"))
                  .values_list("code", "n"))
    theme = Theme.objects.create(study=study, name="Benchmarktema 500", created_by=lead)
    total = 0
    for code_id, n in sorted(counts.items(), key=lambda item: item[1]):
        if total >= 500:
            break
        ThemeCode.objects.create(theme=theme, code_id=code_id)
        total += n
    try:
        url = reverse("coding:theme_detail", args=[study.pk, theme.pk])
        results["theme_page_500"], _r = timed(lambda: client.get(url), reps)
        results["theme_page_500"]["passages"] = total
    finally:
        theme.delete()

    quotes_code = sorted(counts, key=counts.get)[len(counts) // 2]  # a code of median size
    url = reverse("coding:code_quotes_csv", args=[study.pk, quotes_code])
    results["code_quotes_csv"], _r = timed(lambda: client.get(url), reps)
    results["code_quotes_csv"]["rows"] = counts[quotes_code]


def measure_imports(study, reps: int, results: dict) -> None:
    import docx

    from bench import textgen
    from transcripts import importing
    from transcripts.models import Interview, Round, Team

    rng = random.Random(11)
    generated = textgen.generate_transcript(rng, words=12000, participants=[
        "arbetsterapeut", "sjuksköterska", "biståndshandläggare", "undersköterska"], round_number=1,
        duration_seconds=3600)
    # Real-looking names as Teams would give them, so the scan has speaker names to look for.
    names = ["Maria Sjöberg", "Anna Berg", "Karl Lind", "Sara Holm", "Omar Said"]
    labels = {t.speaker: names[t.speaker + 1] for t in generated.turns}
    texts = [generated.text[t.start:t.end] for t in generated.turns]
    document = docx.Document()
    for turn, text in zip(generated.turns, texts, strict=True):
        document.add_paragraph(f"{labels[turn.speaker]}: {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    files = {"import_docx_with_scan": ("intervju.docx", buffer.getvalue())}
    cues, seconds = ["WEBVTT", ""], 0
    for i, (turn, text) in enumerate(zip(generated.turns, texts, strict=True)):
        start, seconds = seconds, seconds + 7
        cues += [f"{i}", f"{_ts(start)} --> {_ts(seconds)}", f"<v {labels[turn.speaker]}>{text}</v>", ""]
    files["import_vtt_with_scan"] = ("teams.vtt", "\n".join(cues).encode())
    lead = study.memberships.get(role="projektledare").user
    team = Team.objects.create(study=study, number=999, size_class="liten", collaboration_type="inomkommunalt")
    interview = Interview.objects.create(team=team, round=Round.objects.filter(study=study).first())
    try:
        for label, (filename, data) in files.items():
            def run(filename=filename, data=data):
                draft = importing.start_import(interview=interview, user=lead, filename=filename, data=data)
                targets = {s: importing.SpeakerTarget(importing.NEW, f"Deltagare {i + 1}")
                           for i, s in enumerate(importing.parsed_of(draft).speakers())}
                importing.set_mapping(draft, targets)
                found = importing.scan(draft)
                draft.delete()
                return found
            results[label], found = timed(run, max(5, reps // 2), warmup=1)
            results[label].update({"bytes": len(data), "words": generated.word_count, "findings": len(found)})
    finally:
        team.delete()


def _ts(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


def measure_exports(study, results: dict, sqlite: str | None) -> None:
    for fmt in ("docx", "xlsx", "csv", "qdpx"):
        command = [sys.executable, __file__, "--export-one", fmt, "--study", str(study.pk)]
        if sqlite:
            command += ["--sqlite", sqlite]
        output = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=True)
        results[f"export_{fmt}"] = json.loads(output.stdout.strip().splitlines()[-1])


def export_one(fmt: str, study_id: int) -> None:
    from coding.exports import EXPORTERS, ExportOptions
    from transcripts.models import Study

    study = Study.objects.get(pk=study_id)
    before = _rss_mb()
    _reset_peak()
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as out:
        start = time.perf_counter()
        EXPORTERS[fmt].write(study, ExportOptions(), out)
        elapsed = (time.perf_counter() - start) * 1000
        size = out.tell()
    print(json.dumps({"ms": round(elapsed, 1), "bytes": size, "peak_rss_mb": _peak_mb(),
                      "rss_before_mb": before}))


def _status(field: str) -> float:
    """A memory figure (MB) of this process from /proc (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _rss_mb() -> float:
    return _status("VmRSS")


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux), so the peak is the export's.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    return _status("VmHWM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn():
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "60"}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "nvos.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def measure_paint(study, reps: int, results: dict) -> None:
    from playwright.sync_api import sync_playwright

    twelve, _long = pick_transcripts(study)
    with gunicorn() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(base + "/konto/logga-in/")
        page.fill("#id_username", "bench-projektledare")
        page.fill("#id_password", "nvos-bench-2026")
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/")
        url = f"{base}/studier/{study.pk}/transkript/{twelve.pk}/?visa=all"
        samples = []
        for index in range(reps + 2):
            page.goto(url)
            page.wait_for_selector("#painted[data-painted]", state="attached", timeout=30_000)
            painted = float(page.get_attribute("#painted", "data-painted"))
            if index >= 2:
                samples.append(painted)
        marks = page.locator("mark.coded").count()
        browser.close()
    results["transcript_page_painted"] = {**stats(samples), "marks": marks,
                                          "via": "gunicorn (2 workers) + headless Chromium, navigation start to marker"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="SQLite database file instead of DATABASE_URL")
    parser.add_argument("--make", action="store_true", help="generate the benchmark study if it is missing")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--export-one", help=argparse.SUPPRESS)
    parser.add_argument("--study", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup_django(args.sqlite)
    if args.export_one:
        export_one(args.export_one, args.study)
        return 0
    from django.db import connection

    study = find_study()
    if study is None or not study.teams.filter(number=51).exists():
        if not args.make:
            sys.exit("No benchmark study with the 48,000-word transcript: run with --make, or bench/make_study.py "
                     "--seed 1 --long-transcript-words 48000 --replace")
        from bench.make_study import make_study

        made = make_study(seed=1, long_transcript_words=48000, replace=True)
        study = find_study()
        print(json.dumps({"made": made["counts"]}), file=sys.stderr)
    results: dict = {}
    measure_pages(study, args.reps, results)
    measure_imports(study, args.reps, results)
    measure_exports(study, results, args.sqlite)
    if not args.skip_browser:
        measure_paint(study, max(10, args.reps // 3), results)
    met = {}
    for key, target in TARGETS_MS.items():
        if key in results:
            value = results[key].get("median_ms", results[key].get("ms"))
            met[key] = {"target_ms": target, "measured_ms": value, "met": value is not None and value <= target}
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": connection.vendor,
        "via": "Django test client in-process (server time, DEBUG off); exports in subprocesses; "
               "paint in headless Chromium against gunicorn",
        "study_id": study.pk,
        "results": results,
        "targets": met,
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
