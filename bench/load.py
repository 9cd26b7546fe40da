"""Load test: simulated co-researchers read and code transcripts through gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nvos_load .venv/bin/python bench/load.py \
        [--duration 120] [--users 30] [--workers 3] [--threads 4] [--ci]

The script prepares its own study in the DATABASE_URL database (bench/make_study.py, replaced
on every run) plus the users load-coder-01..NN, starts gunicorn on a free loopback port, lets
every user log in through the real login form and then, for --duration seconds, open
transcript pages, poll for changes, apply codings to random word spans and remove some of
their own codings again. Afterwards it stops gunicorn and checks through the ORM that every
acknowledged coding is stored and that no removed coding is left.

stdout gets one JSON object (requests, latency percentiles, errors, verification); stderr gets
a short human summary. With --ci the exit code is 1 when there was any error or any lost or
left-over coding; a p95 above the target is only a warning there, because CI machines vary.
See bench/README.md, "Load test".
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
STUDY_NAME = "Lasttest (syntetisk)"
LOAD_PASSWORD = "nvos-load-2026"
USERNAME_FORMAT = "load-coder-{:02d}"
P95_TARGET_MS = 300.0

# The status each kind of request must answer with; anything else counts as an error. A 200 on
# the login POST, for instance, is the form shown again: the login failed.
EXPECTED_STATUS: dict[str, frozenset[int]] = {
    "login_form": frozenset({200}),
    "login": frozenset({302}),
    "home": frozenset({200}),
    "transcript": frozenset({200}),
    "changes": frozenset({200, 204}),
    "coding_create": frozenset({200}),
    "coding_delete": frozenset({200}),
}

_CSRF_FORM = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_HEADER = re.compile(rb'"X-CSRFToken": "([^"]+)"')
_CODEBOOK = re.compile(rb'<script id="codebook-data" type="application/json">(.*?)</script>', re.S)
_CURSOR = re.compile(rb'data-cursor="(\d+)"')
_POLL = re.compile(rb'hx-trigger="every (\d+)s"')
_TURN = re.compile(
    r'<section class="turn ([a-z_ ]*?)"[^>]*? data-start="(\d+)" data-end="(\d+)" data-codable="([01])"'
    r'.*?<p class="turn-text" data-o="\d+">(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\S+")
_ITEM = re.compile(rb'<li class="coding-item" id="c-(\d+)">\s*<div class="coding-head"><span class="swatch k(\d+)"')

# (coder username, code id, start, end, transcript id): what identifies a coding for the check.
Key = tuple[str, int, int, int, int]


# --------------------------------------------------------------------------- set-up


def database_url_or_exit() -> str:
    """DATABASE_URL must name PostgreSQL: the point is concurrent transactions on the real
    database; SQLite serialises writers and would measure something else."""
    url = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(url).scheme
    if not url:
        print("bench/load.py: set DATABASE_URL to a PostgreSQL database, e.g. "
              "postgres://postgres@127.0.0.1:5432/nvos_load (it must exist; the script migrates it).", file=sys.stderr)
        sys.exit(2)
    if scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        print(f"bench/load.py: DATABASE_URL is {scheme or 'not a URL'}, not PostgreSQL. The load test measures "
              "concurrent coding on PostgreSQL and refuses to run on SQLite.", file=sys.stderr)
        sys.exit(2)
    return url


def setup_django(secret_key: str) -> None:
    """Production-like settings in this process too (DEBUG off, no test flag), so that
    collectstatic writes the manifest gunicorn's DEBUG=0 settings need."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nvos.settings"
    os.environ["DEBUG"] = "0"
    os.environ.pop("NVOS_TESTING", None)
    os.environ.setdefault("SECRET_KEY", secret_key)
    import django

    django.setup()


@dataclass
class Prepared:
    study_id: int
    transcript_ids: list[int]
    usernames: list[str]
    codings_before: int
    seconds: dict[str, float]


def prepare_data(*, users: int, seed: int, transcripts: int, words: int, codings: int) -> Prepared:
    """A fresh small study plus `users` co-researchers who are members of it.

    The password is hashed once and the hash reused for every load user: PBKDF2 costs about
    0.4 s per call here, and 30 hashes would dominate the set-up time of the CI run."""
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from bench.make_study import CODER_USERNAMES, LEAD_USERNAME, make_study
    from coding.models import Assignment, Coding
    from transcripts.models import Membership, Role, Transcript

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    study = make_study(seed=seed, transcripts=transcripts, words=words, codings=codings, name=STUDY_NAME,
                       replace=True)
    seconds["make_study"] = round(time.perf_counter() - started, 3)

    started = time.perf_counter()
    study_id = study["study_id"]
    usernames = [USERNAME_FORMAT.format(i) for i in range(1, users + 1)]
    if set(usernames) & {LEAD_USERNAME, *CODER_USERNAMES}:
        raise RuntimeError("load usernames collide with the benchmark users")
    user_model = get_user_model()
    password_hash = make_password(LOAD_PASSWORD)
    with transaction.atomic():
        existing = set(user_model.objects.filter(username__in=usernames).values_list("username", flat=True))
        user_model.objects.bulk_create([
            user_model(username=name, first_name=f"Lasttest {name[-2:]}", password=password_hash)
            for name in usernames if name not in existing
        ])
        user_model.objects.filter(username__in=usernames).update(password=password_hash, is_active=True)
        AccessAttempt.objects.filter(username__in=usernames).delete()
        user_ids = dict(user_model.objects.filter(username__in=usernames).values_list("username", "pk"))
        lead_id = user_model.objects.filter(username=LEAD_USERNAME).values_list("pk", flat=True).first()
        Membership.objects.bulk_create([Membership(study_id=study_id, user_id=user_ids[name],
                                                   role=Role.CORESEARCHER) for name in usernames])
        transcript_ids = list(Transcript.objects.filter(interview__team__study_id=study_id)
                              .order_by("pk").values_list("pk", flat=True))
        # Two assigned transcripts each, so the start page shows what a real co-researcher sees.
        Assignment.objects.bulk_create([
            Assignment(transcript_id=transcript_ids[(index + offset) % len(transcript_ids)],
                       user_id=user_ids[name], assigned_by_id=lead_id)
            for index, name in enumerate(usernames) for offset in range(min(2, len(transcript_ids)))
        ])
    codings_before = Coding.objects.filter(transcript_id__in=transcript_ids).count()
    seconds["users"] = round(time.perf_counter() - started, 3)
    return Prepared(study_id=study_id, transcript_ids=transcript_ids, usernames=usernames,
                    codings_before=codings_before, seconds=seconds)


def migrate() -> None:
    """CI hands over a freshly created, empty database; on a migrated one this is a quick no-op."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def collect_static() -> None:
    """gunicorn runs with DEBUG=0, whose storage needs staticfiles/ and its manifest (the
    Docker image does the same at build time). The directory is gitignored."""
    from django.conf import settings
    from django.core.management import call_command

    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in backend:
        raise RuntimeError(f"expected a manifest static storage with DEBUG=0, got {backend}")
    call_command("collectstatic", interactive=False, verbosity=0)


# --------------------------------------------------------------------------- gunicorn


class Server:
    """gunicorn as a child process in a session of its own, so that stopping it can reach
    the workers too (by the process group id of the master we started, nothing broader)."""

    def __init__(self, *, database_url: str, secret_key: str, workers: int, threads: int, keepalive: int,
                 log_path: Path, worker_class: str = "gthread") -> None:
        self.workers, self.threads = workers, threads
        self.log_path = log_path
        self.host = "127.0.0.1"
        self.listener = socket.create_server((self.host, 0), backlog=2048)
        self.port = self.listener.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in {"NVOS_TESTING", "DJANGO_SETTINGS_MODULE"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "nvos.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": self.host,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "REQUIRE_2FA": "0",
            "CONN_MAX_AGE": "60",
            "AXES_FAILURE_LIMIT": "100000",
            "CLIENT_IP_HEADER": "",
            "BEHIND_PROXY": "0",
            "PYTHONUNBUFFERED": "1",
        })
        fd = self.listener.fileno()
        # The listening socket is made here and handed over (fd://), so there is no window in
        # which another process could take a port we picked but had not bound yet.
        command = [sys.executable, "-m", "gunicorn", "nvos.wsgi:application", "--bind", f"fd://{fd}",
                   # sync with threads > 1 would silently become gthread: one thread then.
                   "--worker-class", worker_class, "--workers", str(workers),
                   "--threads", str(threads if worker_class == "gthread" else 1),
                   "--keep-alive", str(keepalive), "--timeout", "60", "--graceful-timeout", "10",
                   "--preload", "--log-level", "warning", "--error-logfile", "-"]
        if Path("/dev/shm").is_dir():
            command += ["--worker-tmp-dir", "/dev/shm"]
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, pass_fds=(fd,), start_new_session=True)

    def wait_ready(self, timeout: float) -> float:
        """Polls the login page until it answers 200; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail(40)}")
            connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
            try:
                connection.request("GET", "/konto/logga-in/")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return time.monotonic() - started
                raise RuntimeError(f"the login page answered {response.status}:\n{self.log_tail(40)}")
            except (ConnectionError, TimeoutError, http.client.HTTPException, OSError):
                time.sleep(0.1)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail(40)}")

    def pids(self) -> list[int]:
        """The master and its workers, from /proc (Linux only; empty elsewhere)."""
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return []
        return [master, *(int(p) for p in children)]

    def stop(self) -> None:
        """SIGTERM for a graceful stop (in-flight requests finish), then SIGKILL to the
        group if anything is still there."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=15)
        finally:
            # Also after a second Ctrl-C: whatever is left of the group goes, workers included.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            if self.process.poll() is None:
                self.process.wait(timeout=5)
            self.listener.close()
            self.log.close()

    def log_tail(self, lines: int) -> str:
        self.log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _process_ticks(pid: int) -> int | None:
    """utime + stime of one process in clock ticks, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def _postgres_ticks(database: str) -> dict[int, int]:
    """CPU ticks of the PostgreSQL backends serving `database`: their process title reads
    "postgres: 15/main: user database host(port) state"."""
    ticks = {}
    marker = f" {database} "
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres" or marker not in (entry / "cmdline").read_text():
                continue
        except OSError:
            continue
        value = _process_ticks(int(entry.name))
        if value is not None:
            ticks[int(entry.name)] = value
    return ticks


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot, from the first line of /proc/stat. Busy is
    user + nice + system + irq + softirq; guest time is already inside user, and steal (the
    hypervisor's other tenants) is nobody's on this machine, so neither is counted as busy."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    values += [0] * (8 - len(values))
    user, nice, system, _idle, _iowait, irq, softirq, _steal = values
    return user + nice + system + irq + softirq, sum(values)


class CpuMeter:
    """Where the CPU went during the work phase: gunicorn, the PostgreSQL backends that
    served it, this client, and the whole machine. On a 2-core machine shared with other
    jobs, this tells a slow run caused by the app from one caused by the neighbours.

    Backends are sampled twice a second because CONN_MAX_AGE=60 retires them during a
    two-minute run, and a process that is gone cannot be asked for its CPU time."""

    def __init__(self, server: Server, database: str) -> None:
        self.server, self.database = server, database
        self.available = Path("/proc/stat").exists()
        self.started: float | None = None
        self.postgres_start: dict[int, int] = {}
        self.postgres_last: dict[int, int] = {}
        self.done = threading.Event()
        self.sampler = threading.Thread(target=self._sample_loop, name="cpu-sampler", daemon=True)

    def start(self) -> None:
        if not self.available:
            return
        self.started = time.monotonic()
        self.client0 = time.process_time()
        self.machine0 = _machine_ticks()
        self.server0 = {pid: _process_ticks(pid) or 0 for pid in self.server.pids()}
        self.postgres_start = _postgres_ticks(self.database)
        self.postgres_last = dict(self.postgres_start)
        self.sampler.start()

    def _sample_loop(self) -> None:
        while not self.done.wait(0.5):
            self.postgres_last.update(_postgres_ticks(self.database))

    def stop(self) -> dict:
        if not self.available or self.started is None:
            return {}
        self.done.set()
        self.sampler.join(2)
        self.postgres_last.update(_postgres_ticks(self.database))
        seconds = time.monotonic() - self.started
        hz = os.sysconf("SC_CLK_TCK")
        client = time.process_time() - self.client0
        busy1, total1 = _machine_ticks()
        busy = (busy1 - self.machine0[0]) / max(1, total1 - self.machine0[1])
        server = sum((_process_ticks(pid) or self.server0.get(pid, 0)) - self.server0.get(pid, 0)
                     for pid in self.server.pids()) / hz
        postgres = sum(t - self.postgres_start.get(pid, 0) for pid, t in self.postgres_last.items()) / hz
        cpus = os.cpu_count() or 1
        ours = server + postgres + client
        return {
            "seconds": round(seconds, 1),
            "gunicorn_cpu_s": round(server, 2),
            "postgres_backends_cpu_s": round(postgres, 2),
            "postgres_backends_seen": len(self.postgres_last),
            "client_cpu_s": round(client, 2),
            "machine_busy_percent": round(100 * busy, 1),
            "others_cpu_s": round(max(0.0, busy * cpus * seconds - ours), 2),
        }


# --------------------------------------------------------------------------- one simulated user


@dataclass
class Turn:
    start: int
    end: int
    text: str
    words: list[tuple[int, int]]
    participant: bool


class TurnCache:
    """Turn texts and offsets per transcript, parsed from the first page that shows them.

    The published text never changes, so the parse is shared by all users: redoing it on
    every page view would mostly measure this client's CPU, which shares the 2 cores with
    the server."""

    def __init__(self) -> None:
        self._turns: dict[int, list[Turn]] = {}
        self._lock = threading.Lock()

    def get(self, transcript_id: int, page: bytes) -> list[Turn]:
        with self._lock:
            turns = self._turns.get(transcript_id)
            if not turns:
                turns = parse_turns(page.decode())
                if turns:  # never keep the parse of a broken page
                    self._turns[transcript_id] = turns
            return turns


def parse_turns(page: str) -> list[Turn]:
    """Codable turns with their text rebuilt from the segments (`data-o` spans), checked
    against `data-start`/`data-end` so that offsets sent back are exact."""
    turns = []
    for match in _TURN.finditer(page):
        classes, start, end, codable, inner = match.groups()
        text = html.unescape(_TAG.sub("", inner))
        start_i, end_i = int(start), int(end)
        if codable != "1" or len(text) != end_i - start_i:
            continue
        words = [(w.start(), w.end()) for w in _WORD.finditer(text)]
        if words:
            turns.append(Turn(start_i, end_i, text, words, "participant" in classes.split()))
    return turns


@dataclass
class Page:
    transcript_id: int
    turns: list[Turn]
    codes: list[int]
    recent: list[int]
    cursor: int
    poll_seconds: float
    last_poll: float


@dataclass
class Settings:
    host: str
    port: int
    study_id: int
    transcript_ids: list[int]
    password: str
    think: tuple[float, float]
    timeout: float
    login_timeout: float
    grace: float
    max_requests: int
    live_target: int
    keepalive: bool
    idle_close: float  # reconnect after this long idle: gunicorn has closed the connection by then


class Clock:
    """The shared schedule: the work phase starts when every user has logged in."""

    def __init__(self, duration: float, grace: float) -> None:
        self.duration, self.grace = duration, grace
        self.started = time.monotonic()
        self.work_started: float | None = None
        self.deadline = math.inf
        self.stop = threading.Event()
        self.on_start: Callable[[], None] | None = None

    def start_work(self) -> None:
        """Runs once, in the last user thread to reach the barrier, before any is released."""
        if self.on_start is not None:
            self.on_start()
        self.work_started = time.monotonic()
        self.deadline = self.work_started + self.duration


class RequestFailed(Exception):
    """A request that did not get the expected answer; it is already recorded."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class UserSim:
    """One co-researcher: its own connection, cookies, CSRF token and record of codings."""

    username: str
    settings: Settings
    clock: Clock
    turn_cache: TurnCache
    seed: int
    # (phase, kind, status, milliseconds, response bytes); status 0 for a timeout or connection error.
    samples: list[tuple[str, str, int, float, int]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # (key, "create" | "delete", succeeded): in order, for the database check.
    ops: list[tuple[Key, str, bool]] = field(default_factory=list)
    live: dict[int, dict[Key, int]] = field(default_factory=lambda: defaultdict(dict))
    span_adjusted: int = 0
    logged_in: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}/{self.username}")
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.phase = "login"
        self.last_used = -math.inf
        self.connection = http.client.HTTPConnection(self.settings.host, self.settings.port,
                                                     timeout=self.settings.login_timeout)
        self.origin = f"http://{self.settings.host}:{self.settings.port}"

    # -- HTTP

    def request(self, kind: str, method: str, path: str, data: dict | list | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """One request on the user's kept-alive connection, timed and recorded; raises
        RequestFailed (after recording it) for anything but the expected status."""
        if self.phase == "login":
            timeout = self.settings.login_timeout
        else:
            # In-flight requests get until deadline + grace, so the run ends on time.
            timeout = min(self.settings.timeout, self.clock.deadline + self.clock.grace - time.monotonic())
            timeout = max(timeout, 0.5)
        all_headers = {"Accept-Language": "sv", "User-Agent": "nvos-load/1"}
        if not self.settings.keepalive:
            all_headers["Connection"] = "close"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = self.origin
        all_headers.update(headers or {})
        connection = self.connection
        if time.monotonic() - self.last_used > self.settings.idle_close:
            connection.close()  # as a browser does: a fresh connection rather than a dead one
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            payload = raw.read()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            elapsed = (time.perf_counter() - started) * 1000
            self.last_used = -math.inf
            connection.close()
            self.samples.append((self.phase, kind, 0, elapsed, 0))
            reason = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            self.errors.append({"kind": kind, "status": 0, "error": reason, "path": path,
                                "ms": round(elapsed, 1)})
            raise RequestFailed(reason) from exc
        elapsed = (time.perf_counter() - started) * 1000
        self.last_used = time.monotonic()
        self.samples.append((self.phase, kind, raw.status, elapsed, len(payload)))
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if raw.status not in EXPECTED_STATUS[kind]:
            message = raw.headers.get("X-NVOS-Error")
            detail = unquote(message) if message else payload[:300].decode(errors="replace")
            self.errors.append({"kind": kind, "status": raw.status, "error": detail, "path": path,
                                "ms": round(elapsed, 1)})
            raise RequestFailed(f"{kind}: {raw.status}")
        return Response(raw.status, raw.headers, payload)

    def error(self, kind: str, status: int, detail: str) -> None:
        """A request with the right status but a wrong answer (e.g. an ack without the coding)."""
        self.errors.append({"kind": kind, "status": status, "error": detail})

    # -- the session

    def run(self, barrier: threading.Barrier) -> None:
        try:
            self.logged_in = self.login()
        except RequestFailed:
            self.logged_in = False
        finally:
            try:
                barrier.wait(timeout=4 * self.settings.login_timeout)
            except threading.BrokenBarrierError:
                self.connection.close()
                return
        self.phase = "work"
        try:
            if self.logged_in:
                self.work()
        finally:
            self.connection.close()

    def login(self) -> bool:
        """The real form: GET for the CSRF cookie and token, POST the credentials, then the
        start page as a browser would after the redirect."""
        page = self.request("login_form", "GET", "/konto/logga-in/")
        token = _CSRF_FORM.search(page.body)
        if token is None:
            self.error("login_form", page.status, "no csrfmiddlewaretoken in the login form")
            return False
        answer = self.request("login", "POST", "/konto/logga-in/", {
            "csrfmiddlewaretoken": token.group(1).decode(), "username": self.username,
            "password": self.settings.password, "next": "",
        }, {"Referer": f"{self.origin}/konto/logga-in/"})
        if "sessionid" not in self.cookies:
            self.error("login", answer.status, "no session cookie after login")
            return False
        home = self.request("home", "GET", answer.headers.get("Location") or "/")
        header = _CSRF_HEADER.search(home.body)
        if header is None:
            self.error("home", home.status, "no X-CSRFToken in hx-headers")
            return False
        self.csrf = header.group(1).decode()
        return True

    def active(self) -> bool:
        return (time.monotonic() < self.clock.deadline and len(self.samples) < self.settings.max_requests
                and not self.clock.stop.is_set())

    def think(self) -> bool:
        """A pause between actions; False when the deadline comes first."""
        pause = self.rng.uniform(*self.settings.think)
        remaining = self.clock.deadline - time.monotonic()
        if remaining <= pause:
            time.sleep(max(remaining, 0))
            return False
        time.sleep(pause)
        return self.active()

    def work(self) -> None:
        current: int | None = None
        while self.active():
            choices = [t for t in self.settings.transcript_ids if t != current] or self.settings.transcript_ids
            current = self.rng.choice(choices)
            try:
                page = self.open(current)
            except RequestFailed:
                if not self.think():
                    return
                continue
            for _step in range(self.rng.randint(4, 16)):
                if not self.think():
                    return
                with contextlib.suppress(RequestFailed):
                    self.act(page)

    def act(self, page: Page) -> None:
        """Poll when the page's timer would (or now and then), otherwise code or remove.
        Removing gets likelier once the user has many live codings, so the number of codings
        stays level and a two-minute run measures a steady state, not a growing table."""
        now = time.monotonic()
        if now - page.last_poll >= page.poll_seconds or self.rng.random() < 0.08:
            self.poll(page)
            return
        own = self.live[page.transcript_id]
        total = sum(len(v) for v in self.live.values())
        share = 0.6 if total >= self.settings.live_target else 0.2
        if own and self.rng.random() < share:
            self.remove(page)
        else:
            self.code(page)

    def open(self, transcript_id: int) -> Page:
        path = f"/studier/{self.settings.study_id}/transkript/{transcript_id}/"
        response = self.request("transcript", "GET", path)
        body = response.body
        header = _CSRF_HEADER.search(body[:4000]) or _CSRF_HEADER.search(body)
        codebook = _CODEBOOK.search(body)
        cursor = _CURSOR.search(body)
        poll = _POLL.search(body)
        turns = self.turn_cache.get(transcript_id, body)
        if header is None or codebook is None or cursor is None or not turns:
            self.error("transcript", response.status, "page lacks the CSRF token, codebook, cursor or turns")
            raise RequestFailed("transcript page")
        self.csrf = header.group(1).decode()
        data = json.loads(html.unescape(codebook.group(1).decode()))
        codes = [c["id"] for c in data.get("codes", [])]
        if not codes:
            self.error("transcript", response.status, "empty codebook")
            raise RequestFailed("codebook")
        return Page(transcript_id=transcript_id, turns=turns, codes=codes, recent=list(data.get("recent", [])),
                    cursor=int(cursor.group(1)), poll_seconds=float(poll.group(1)) if poll else 8.0,
                    last_poll=time.monotonic())

    def poll(self, page: Page) -> None:
        path = f"/studier/{self.settings.study_id}/transkript/{page.transcript_id}/andringar/?after={page.cursor}"
        page.last_poll = time.monotonic()
        response = self.request("changes", "GET", path, headers={"HX-Request": "true"})
        if response.status == 200:
            cursor = _CURSOR.search(response.body)
            if cursor is None:
                self.error("changes", 200, "changes without a new cursor")
                return
            page.cursor = int(cursor.group(1))

    def choose_span(self, page: Page) -> tuple[int, int, str]:
        """From a word start to a word end in one turn (sometimes on into the next), as a
        mouse selection gives it; `text` is what the browser would send along."""
        rng = self.rng
        participant = [i for i, t in enumerate(page.turns) if t.participant]
        index = rng.choice(participant or range(len(page.turns)))
        turn = page.turns[index]
        first = rng.randrange(len(turn.words))
        last = min(len(turn.words) - 1, first + rng.randint(2, 40))
        start = turn.start + turn.words[first][0]
        nxt = page.turns[index + 1] if index + 1 < len(page.turns) else None
        if last == len(turn.words) - 1 and nxt is not None and nxt.start - turn.end == 2 and rng.random() < 0.3:
            end = nxt.start + nxt.words[min(len(nxt.words) - 1, rng.randint(0, 10))][1]
            text = turn.text[turn.words[first][0]:] + "\n\n" + nxt.text[:end - nxt.start]
        else:
            end = turn.start + turn.words[last][1]
            text = turn.text[turn.words[first][0]:turn.words[last][1]]
        return start, end, text

    def code(self, page: Page) -> None:
        start, end, text = self.choose_span(page)
        rng = self.rng
        count = 2 if rng.random() < 0.15 else 1
        codes: list[int] = []
        while len(codes) < count:
            pool = page.recent if page.recent and rng.random() < 0.4 else page.codes
            code = rng.choice(pool)
            if code not in codes:
                codes.append(code)
        keys = {code: (self.username, code, start, end, page.transcript_id) for code in codes}
        path = f"/studier/{self.settings.study_id}/transkript/{page.transcript_id}/kodningar/"
        try:
            response = self.request("coding_create", "POST", path,
                                    {"start": start, "end": end, "codes": codes, "text": text},
                                    {"X-CSRFToken": self.csrf, "HX-Request": "true"})
        except RequestFailed:
            self.ops.extend((key, "create", False) for key in keys.values())
            raise
        listed = {int(code): int(coding) for coding, code in _ITEM.findall(response.body)}
        for code, key in keys.items():
            coding_id = listed.get(code)
            if coding_id is None:
                self.error("coding_create", 200, f"acknowledged, but code {code} is not in the passage panel")
                self.ops.append((key, "create", False))
                continue
            # The stored span, from the re-rendered turn's margin bar for this coding.
            bar = re.search(rb'data-s="(\d+)" data-e="(\d+)" data-c="%d"' % coding_id, response.body)
            if bar is not None and (int(bar.group(1)), int(bar.group(2))) != (start, end):
                self.span_adjusted += 1
                key = (self.username, code, int(bar.group(1)), int(bar.group(2)), page.transcript_id)
            self.ops.append((key, "create", True))
            self.live[page.transcript_id][key] = coding_id
        if not page.recent or codes[0] not in page.recent[:8]:
            page.recent = [codes[0], *page.recent][:8]

    def remove(self, page: Page) -> None:
        own = self.live[page.transcript_id]
        key = self.rng.choice(list(own))
        coding_id = own.pop(key)
        path = f"/studier/{self.settings.study_id}/kodningar/{coding_id}/ta-bort/"
        try:
            self.request("coding_delete", "POST", path, {"csrfmiddlewaretoken": self.csrf},
                         {"X-CSRFToken": self.csrf, "HX-Request": "true"})
        except RequestFailed:
            self.ops.append((key, "delete", False))
            raise
        self.ops.append((key, "delete", True))


# --------------------------------------------------------------------------- the run and the report


def run_users(settings: Settings, clock: Clock, usernames: list[str], seed: int) -> tuple[list[UserSim], int]:
    """Starts one thread per user, waits for all logins, then for the work phase plus grace.
    Returns the users and how many threads had not finished by then (their in-flight request
    counts as unknown in the check)."""
    cache = TurnCache()
    users = [UserSim(name, settings, clock, cache, seed) for name in usernames]
    barrier = threading.Barrier(len(users) + 1, action=clock.start_work)
    threads = [threading.Thread(target=user.run, args=(barrier,), name=user.username, daemon=True)
               for user in users]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=4 * settings.login_timeout)
    except threading.BrokenBarrierError:
        clock.stop.set()
    end = (clock.deadline if clock.work_started is not None else time.monotonic()) + clock.grace
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    clock.stop.set()
    return users, sum(1 for t in threads if t.is_alive())


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def latency_summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"count": len(ordered), "p50": percentile(ordered, 50), "p95": percentile(ordered, 95),
            "p99": percentile(ordered, 99), "max": round(ordered[-1], 1) if ordered else None}


def verify(users: list[UserSim], transcript_ids: list[int]) -> dict:
    """Every key whose last successful operation was an acknowledged create must be stored;
    every key whose last one was a successful removal must be gone. A failed or unanswered
    operation after that makes the key's state unknown to the client: it is counted, not judged."""
    from coding.models import Coding

    state: dict[Key, str] = {}
    acknowledged = removed = 0
    for user in users:
        for key, op, ok in list(user.ops):
            if ok and op == "create":
                state[key] = "present"
                acknowledged += 1
            elif ok:
                state[key] = "absent"
                removed += 1
            else:
                state[key] = "unknown"
    usernames = [u.username for u in users]
    stored = set(Coding.objects.filter(transcript_id__in=transcript_ids, coder__username__in=usernames)
                 .values_list("coder__username", "code_id", "start", "end", "transcript_id"))
    present = {k for k, s in state.items() if s == "present"}
    absent = {k for k, s in state.items() if s == "absent"}
    unknown = {k for k, s in state.items() if s == "unknown"}
    lost = sorted(present - stored)
    left = sorted(absent & stored)
    return {
        "acknowledged_creates": acknowledged,
        "successful_removals": removed,
        "expected_stored": len(present),
        "expected_removed": len(absent),
        "stored_load_codings": len(stored),
        "lost": len(lost),
        "removed_but_still_stored": len(left),
        "unknown_state": len(unknown),
        "unknown_but_stored": len(unknown & stored),
        "stored_without_client_record": len(stored - set(state)),
        "lost_examples": [list(k) for k in lost[:5]],
        "left_examples": [list(k) for k in left[:5]],
        "ok": not lost and not left,
    }


def build_report(args: argparse.Namespace, users: list[UserSim], clock: Clock, unfinished: int) -> dict:
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    sizes: Counter = Counter()
    work: list[float] = []
    everything: list[float] = []
    for user in users:
        for phase, kind, status, ms, size in list(user.samples):
            by_kind[kind].append(ms)
            sizes[kind] += size
            statuses[kind][str(status) if status else "failed"] += 1
            everything.append(ms)
            if phase == "work":
                work.append(ms)
    errors = [e for user in users for e in list(user.errors)]
    error_kinds = Counter(e["kind"] for e in errors)
    work_seconds = ((min(time.monotonic(), clock.deadline) - clock.work_started)
                    if clock.work_started is not None else 0.0)
    order = [k for k in EXPECTED_STATUS if k in by_kind]
    return {
        "requests": {
            "total": len(everything),
            "work_phase": len(work),
            "by_kind": {k: len(by_kind[k]) for k in order},
            "status_by_kind": {k: dict(sorted(statuses[k].items())) for k in order},
            "mean_response_kb": {k: round(sizes[k] / len(by_kind[k]) / 1024, 1) for k in order},
            "work_rps": round(len(work) / work_seconds, 1) if work_seconds > 0 else None,
        },
        "latency_ms": {
            # "work" is the coding phase the target is about; "all" adds the 30 logins, whose
            # PBKDF2 hashing (about 0.4 s of CPU each) is slow on purpose.
            "work": latency_summary(work),
            "all": latency_summary(everything),
            "by_kind": {k: latency_summary(by_kind[k]) for k in order},
        },
        "errors": {
            "total": len(errors),
            "by_kind": dict(error_kinds),
            "unfinished_users": unfinished,
            "examples": errors[:10],
        },
        "users": {
            "count": len(users),
            "logged_in": sum(1 for u in users if u.logged_in),
            "max_requests_per_user": args.max_requests_per_user,
            "hit_request_cap": sum(1 for u in users if len(u.samples) >= args.max_requests_per_user),
        },
        "spans_adjusted_by_server": sum(u.span_adjusted for u in users),
    }


def summary_lines(report: dict) -> list[str]:
    req, lat, err, ver = report["requests"], report["latency_ms"], report["errors"], report["verification"]
    lines = [
        f"load: {report['config']['users']} users, {report['config']['duration']:g} s, gunicorn "
        f"{report['config']['workers']}x{report['config']['threads']} {report['config']['worker_class']}; "
        f"wall {report['seconds']['total']} s",
        f"  requests {req['total']} ({req['work_rps']} req/s in the work phase), errors {err['total']}",
        f"  work latency p50 {lat['work']['p50']} ms, p95 {lat['work']['p95']} ms (target < {P95_TARGET_MS:g} ms)",
    ]
    for kind, values in lat["by_kind"].items():
        lines.append(f"    {kind:14} n={values['count']:6}  p50 {values['p50']:8} ms  p95 {values['p95']:8} ms")
    cpu = report.get("cpu_work_phase") or {}
    if cpu:
        lines.append(f"  CPU in the work phase ({cpu['seconds']} s): gunicorn {cpu['gunicorn_cpu_s']} s, PostgreSQL "
                     f"{cpu['postgres_backends_cpu_s']} s, client {cpu['client_cpu_s']} s, other processes "
                     f"{cpu['others_cpu_s']} s; machine {cpu['machine_busy_percent']} % busy")
    lines.append(f"  codings: {ver.get('expected_stored')} expected stored, {ver.get('lost')} lost, "
                 f"{ver.get('removed_but_still_stored')} removed but still stored, {ver.get('unknown_state')} unknown")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of reading and coding (default 120)")
    parser.add_argument("--users", type=int, default=30, help="simulated co-researchers (default 30)")
    parser.add_argument("--ci", action="store_true",
                        help="exit 1 on any error or lost coding; a missed p95 target is only a warning")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread",
                        help="gthread (default), or sync as the Dockerfile's CMD runs (no keep-alive, 1 thread)")
    parser.add_argument("--think-ms", type=float, nargs=2, default=(50.0, 300.0), metavar=("MIN", "MAX"),
                        help="pause between a user's actions, uniform (default 50 300)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per request in the work phase (default 10 s)")
    parser.add_argument("--login-timeout", type=float, default=60.0, help="per login request (default 60 s)")
    parser.add_argument("--grace", type=float, default=5.0,
                        help="how long in-flight requests may run past the deadline (default 5 s)")
    parser.add_argument("--max-requests-per-user", type=int, default=5000, help="hard cap (default 5000)")
    parser.add_argument("--live-codings", type=int, default=30,
                        help="own codings a user keeps before removing more often (default 30)")
    parser.add_argument("--no-keepalive", action="store_true", help="a new connection for every request")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--transcripts", type=int, default=6)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--codings", type=int, default=300, help="codings the study starts with")
    parser.add_argument("--server-log", type=Path, default=None, help="keep gunicorn's log in this file")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0 or args.workers < 1 or args.threads < 1:
        parser.error("--users, --duration, --workers and --threads must be positive")
    if not 0 <= args.think_ms[0] <= args.think_ms[1]:
        parser.error("--think-ms MIN MAX with 0 <= MIN <= MAX")
    return args


def _interrupt_once(signum: int, frame: types.FrameType | None) -> None:
    """The first Ctrl-C or SIGTERM unwinds to the cleanup; later ones are ignored so they
    cannot cut the cleanup short (stop() is bounded and ends with SIGKILL anyway)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    def step(self, name: str) -> _Step:
        return _Step(self, name)


class _Step:
    def __init__(self, timer: Timer, name: str) -> None:
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timer.seconds[self.name] = round(time.perf_counter() - self.started, 2)


def server_log_excerpt(text: str) -> dict:
    """How many tracebacks gunicorn's log holds, and the first one (for the report)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    first: list[str] = []
    if starts:
        i = max(0, starts[0] - 2)
        first = lines[i:i + 60]
    return {"tracebacks": len(starts), "lines": len(lines), "first_traceback": "\n".join(first),
            "tail": lines[-15:]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = database_url_or_exit()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt_once)
    wall = time.perf_counter()
    timer = Timer()
    secret_key = secrets.token_urlsafe(50)
    with timer.step("django"):
        setup_django(secret_key)
    from django.db import connections

    with timer.step("migrate"):
        migrate()
    with timer.step("data"):
        prepared = prepare_data(users=args.users, seed=args.seed, transcripts=args.transcripts, words=args.words,
                                codings=args.codings)
    with timer.step("collectstatic"):
        collect_static()
    connections.close_all()  # no idle connection of ours during the run

    if args.server_log is not None:
        log_file = args.server_log
    else:
        handle, name = tempfile.mkstemp(prefix="nvos-load-gunicorn-", suffix=".log")
        os.close(handle)
        log_file = Path(name)
    server: Server | None = None
    clock = Clock(args.duration, args.grace)
    users: list[UserSim] = []
    unfinished = 0
    log_text = ""
    cpu: dict = {}
    try:
        keepalive = max(5, math.ceil(args.think_ms[1] / 1000) + 5)
        with timer.step("server_start"):
            server = Server(database_url=database_url, secret_key=secret_key, workers=args.workers,
                            threads=args.threads, keepalive=keepalive, log_path=log_file,
                            worker_class=args.worker_class)
            server.wait_ready(timeout=60)
        settings = Settings(
            host=server.host, port=server.port, study_id=prepared.study_id, transcript_ids=prepared.transcript_ids,
            password=LOAD_PASSWORD, think=(args.think_ms[0] / 1000, args.think_ms[1] / 1000), timeout=args.timeout,
            login_timeout=args.login_timeout, grace=args.grace, max_requests=args.max_requests_per_user,
            live_target=args.live_codings, keepalive=not args.no_keepalive, idle_close=keepalive - 1.5,
        )
        meter = CpuMeter(server, urlsplit(database_url).path.lstrip("/"))
        clock.on_start = meter.start
        clock.started = time.monotonic()
        users, unfinished = run_users(settings, clock, prepared.usernames, args.seed)
        cpu = meter.stop()
        login_seconds = ((clock.work_started or time.monotonic()) - clock.started)
        timer.seconds["login_phase"] = round(login_seconds, 2)
        timer.seconds["work_phase"] = round(
            (time.monotonic() - clock.work_started) if clock.work_started is not None else 0.0, 2)
    except KeyboardInterrupt:
        clock.stop.set()
        print("bench/load.py: interrupted; stopping gunicorn", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            with timer.step("server_stop"):
                server.stop()
        log_text = log_file.read_text(errors="replace") if log_file.exists() else ""
        if args.server_log is None:
            log_file.unlink(missing_ok=True)

    with timer.step("verify"):
        verification = verify(users, prepared.transcript_ids)
    timer.seconds["total"] = round(time.perf_counter() - wall, 2)

    measured = build_report(args, users, clock, unfinished)
    served = measured["requests"]["work_phase"]
    if cpu and served:
        # CPU per request is what the neighbours cannot distort much; with it, the throughput
        # the app could reach with every core to itself (a ceiling: no I/O waits, no locks).
        per_request = (cpu["gunicorn_cpu_s"] + cpu["postgres_backends_cpu_s"]) * 1000 / served
        cpu["gunicorn_ms_per_request"] = round(cpu["gunicorn_cpu_s"] * 1000 / served, 1)
        cpu["postgres_ms_per_request"] = round(cpu["postgres_backends_cpu_s"] * 1000 / served, 1)
        cpu["ceiling_rps_all_cores"] = round((os.cpu_count() or 1) * 1000 / per_request, 1) if per_request else None
    p95 = measured["latency_ms"]["work"]["p95"]
    report = {
        "config": {
            "users": args.users, "duration": args.duration, "worker_class": args.worker_class,
            "workers": args.workers, "threads": args.threads if args.worker_class == "gthread" else 1,
            "think_ms": list(args.think_ms), "timeout_s": args.timeout, "grace_s": args.grace,
            "live_codings": args.live_codings, "keepalive": not args.no_keepalive, "ci": args.ci,
            "study": {"id": prepared.study_id, "transcripts": len(prepared.transcript_ids), "words": args.words,
                      "codings_before": prepared.codings_before, "seed": args.seed},
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "seconds": {**prepared.seconds, **timer.seconds},
        **measured,
        "verification": verification,
        "target": {"work_p95_ms": P95_TARGET_MS, "met": p95 is not None and p95 < P95_TARGET_MS},
        "cpu_work_phase": cpu,
        "server_log": server_log_excerpt(log_text),
    }
    failed = (report["errors"]["total"] > 0 or unfinished > 0 or not verification["ok"]
              or report["users"]["logged_in"] < args.users)
    report["ok"] = not failed
    print(json.dumps(report, ensure_ascii=False, indent=2))

    for line in summary_lines(report):
        print(line, file=sys.stderr)
    if report["server_log"]["tracebacks"]:
        print("  gunicorn logged tracebacks; the first:\n" + report["server_log"]["first_traceback"],
              file=sys.stderr)
    if not report["target"]["met"]:
        print(f"  WARNING: work p95 {p95} ms is not under the {P95_TARGET_MS:g} ms target"
              + (" (only a warning with --ci: CI machines vary)" if args.ci else ""), file=sys.stderr)
    if failed:
        print("  FAILED: errors, failed logins, or codings lost / left behind", file=sys.stderr)
    return 1 if (args.ci and failed) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench/load.py: interrupted", file=sys.stderr)
        sys.exit(130)
