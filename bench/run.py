"""`make bench`: the portal measured against PostgreSQL with the national data set (issue 15).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/run.py \
        [--only pages,imports,grading,awards,load] [--quick] [--runs 30] [--json bench/results.json]

1. The database: created when missing, migrated, and seeded with `seed_demo --scale national --seed N` when it
   has no associations. A seeded database is reused when its marker (table `bench_meta`: seed, size, data
   version) matches; otherwise the run stops and says so (`--reseed` drops and seeds it again). It is then
   vacuumed and analysed, as autovacuum keeps a running server's tables.
2. Pages: every staff page for every role that may open it (administrator `admin` working on 苗栗縣, county
   officer `county`, township clerk `zhunan`, judge `judge`): its query count (one request captured), and
   the median and 95th percentile of `--runs` warm requests through Django's test client in this process;
   beside each list page the Django admin changelist of the same model at the same depth, as the reference.
3. The roster import of 10,000 new rows and of the same file unchanged, and the compliance import of 10,000
   rows (into 新竹縣, inside a transaction rolled back at the end, so the bench data stays as seeded).
4. A year's recompute of every county (last year's registers: open everywhere), first (the year's
   assessments removed, in a rolled-back transaction) and unchanged; a round's results (500 entries, 7
   judges, 6 criteria).
5. Requests per second on the association list under gunicorn with 2 workers and 8 concurrent clients
   signed in as the county officer, for `--seconds`, counting errors; with `--servers N` also over 2..N
   gunicorn instances taken in turn (the figures of docs/deploy.md's "How much one more server gives").

It prints a table, writes JSON (`--json`, default bench/results.json) and exits 1 when a budget of issue 15
is broken (item 3): every page at most 6 queries for every role; list pages median ≤ 30 ms, p95 ≤ 60 ms and
≤ 0.6× the admin changelist; detail pages median ≤ 20 ms; the to-do list ≤ 60 ms (median); roster import
≤ 2 s new and ≤ 1 s unchanged; compliance import ≤ 10 s; a year's recompute ≤ 5 s; a round's results
≤ 0.5 s; ≥ 150 requests/s with no errors. Pages the issue names neither list nor detail (home, overview,
budget execution) are held to the list budget without a reference. Timings depend on the machine and its
load (they are printed with the CPU count and load average); query counts are exact.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
#: Bump when the national set changes shape, so an old bench database is not measured as if it were new.
DATA_VERSION = "1"
SEED = 112
HOME_COUNTY = "苗栗縣"
CLERK_TOWNSHIP = "竹南鎮"
ROLES = ("admin", "county", "zhunan", "judge")
QUERY_BUDGET = 6
LIST_MEDIAN, LIST_P95, LIST_RATIO = 30.0, 60.0, 0.6
DETAIL_MEDIAN = 20.0
TODO_MEDIAN = 60.0
IMPORT_BUDGETS = {"roster new": 2.0, "roster unchanged": 1.0, "compliance new": 10.0}
RECOMPUTE_BUDGET = 5.0
RESULTS_BUDGET = 0.5
RPS_BUDGET = 150.0
ADMIN_RUNS = 10


def _environment(url: str) -> dict[str, str]:
    """The settings the bench runs Django with: production-like (DEBUG off, so no query log and no debug
    templates), a throwaway strong key, plain static storage (no collectstatic needed)."""
    return {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="portal-bench-static-"),  # WhiteNoise wants it to exist
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
        "SECURITY_LOG_LEVEL": "ERROR",
    }


@contextlib.contextmanager
def _server_cursor(url: str) -> Iterator[tuple[object, str]]:
    """A cursor on the server's `postgres` database (autocommit: CREATE and DROP DATABASE run outside a
    transaction), and the name of the database `url` names."""
    import psycopg2

    parts = urllib.parse.urlparse(url)
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            yield cursor, parts.path.lstrip("/")
    finally:
        admin.close()


def _ensure_database(url: str) -> None:
    with _server_cursor(url) as (cursor, name):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    with _server_cursor(url) as (cursor, name):
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- results ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    kind: str  # page, import, grading, awards, load
    name: str
    role: str = ""
    queries: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    admin_ms: float | None = None
    ratio: float | None = None
    value: float | None = None  # seconds, or requests per second
    budget: str = ""
    failures: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


def _fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def print_table(rows: list[Row]) -> None:
    header = [
        "page / task",
        "role",
        "queries",
        "median ms",
        "p95 ms",
        "admin ms",
        "ratio",
        "value",
        "budget",
        "",
    ]
    lines = [
        [
            r.name,
            r.role or "—",
            _fmt(r.queries),
            _fmt(r.median_ms),
            _fmt(r.p95_ms),
            _fmt(r.admin_ms),
            _fmt(r.ratio, 2),
            _fmt(r.value, 2),
            r.budget,
            "OK" if r.ok else "FAIL: " + "; ".join(r.failures),
        ]
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths], *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


# --- Django ----------------------------------------------------------------------------------------------


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _prepare(args: argparse.Namespace) -> dict[str, object]:
    """Migrate and seed when needed; answer the marker of the data measured."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("SELECT key, value FROM bench_meta")
        meta = dict(cursor.fetchall())
    from associations.models import Association

    wanted = {"seed": str(args.seed), "associations": str(args.associations), "version": DATA_VERSION}
    if Association.objects.exists():
        if {k: meta.get(k) for k in wanted} != wanted:
            sys.exit(
                f"the bench database holds other data ({meta or 'no bench marker'}; wanted {wanted}): "
                "run with --reseed to drop and seed it again, or point BENCH_DATABASE_URL elsewhere"
            )
        print(f"reusing the national set seeded {meta.get('seeded_on')} ({meta.get('seed_seconds')} s)")
        return meta
    print(f"seeding the national set ({args.associations} associations, seed {args.seed}) …")
    started = time.perf_counter()
    command = ["--scale", "national", "--seed", str(args.seed), "--associations", str(args.associations)]
    call_command("seed_demo", *command, "--force")
    seconds = time.perf_counter() - started
    print(f"seeded in {seconds:.1f} s")
    meta = {**wanted, "seeded_on": datetime.date.today().isoformat(), "seed_seconds": f"{seconds:.1f}"}
    with connection.cursor() as cursor:
        for key, value in meta.items():
            cursor.execute(
                "INSERT INTO bench_meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, value],
            )
    # As autovacuum keeps a running server's tables: the seed rewrites the to-do rows of every association and
    # the imports measured here roll back, and a table never vacuumed has no page marked all-visible, so every
    # index lookup also reads the heap (the to-do list's queries read three times the pages they need).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return meta


def _clients() -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients = {}
    for username in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    return clients


def _time_request(client: object, url: str, runs: int) -> tuple[int, int, float, float]:
    """Status, queries of one request, and the median and p95 (ms) of `runs` warm ones."""
    response = client.get(url)  # warm: templates, caches, the session's first touch
    status = response.status_code
    if status != 200:
        return status, 0, 0.0, 0.0
    # Counted by an execute wrapper: CaptureQueriesContext reads a log capped at 9,000 entries, which the
    # seed and the migrations have long filled, and then counts nothing.
    _seconds, queries, _response = _counted(lambda: client.get(url))
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return status, queries, statistics.median(times), p95


@dataclass
class Page:
    name: str
    url: str
    kind: str  # list, detail, todo, page
    admin_url: str = ""
    roles: tuple[str, ...] = ("admin", "county", "zhunan")


def _pages() -> list[Page]:
    """Every staff page of the issue, with the admin changelist of the same model at the same depth."""
    from django.urls import reverse

    from associations.models import Association, Township
    from awards.models import AwardRound, Entry
    from grading.models import Assessment
    from subsidies.models import Application

    today = datetime.date.today()
    year = today.year - 1  # the last completed year: graded in every county, open
    county_associations = Association.objects.filter(township__county__name=HOME_COUNTY)
    # A deep page: nine tenths of the way through the county's rows, 50 a page (both lists' default).
    deep = max(1, county_associations.count() * 9 // 10 // 50)
    assessed = Assessment.objects.filter(year=year, association__township__county__name=HOME_COUNTY)
    register_deep = max(1, assessed.count() * 9 // 10 // 50)
    clerk_township = Township.objects.get(county__name=HOME_COUNTY, name=CLERK_TOWNSHIP)
    association = county_associations.filter(township=clerk_township).order_by("pk").first()
    application = Application.objects.filter(association__township=clerk_township).order_by(
        "-pk"
    ).first() or (Application.objects.order_by("-pk").first())
    published = AwardRound.objects.filter(state=AwardRound.State.PUBLISHED).order_by("-year").first()
    scoring = AwardRound.objects.filter(state=AwardRound.State.SCORING).order_by("-year").first()
    entry = Entry.objects.filter(round=scoring).order_by("pk").first() if scoring else None
    pages = [
        Page("association list p1", "/associations/", "list", "/admin/associations/association/"),
        Page(
            f"association list p{deep}",
            f"/associations/?page={deep}",
            "list",
            f"/admin/associations/association/?p={deep}",
            roles=("admin", "county"),
        ),
        Page("association search", "/associations/?q=陳", "list", "/admin/associations/association/?q=陳"),
        Page(
            "association filter",
            "/associations/?status=reorganising",
            "list",
            "/admin/associations/association/?status__exact=reorganising",
        ),
        Page(
            "association detail",
            f"/associations/{association.pk}/",
            "detail",
            f"/admin/associations/association/{association.pk}/change/",
        ),
        Page(
            "compliance grid",
            f"{reverse('associations:compliance_grid', args=[year])}?township={clerk_township.pk}",
            "list",
            f"/admin/associations/association/?township__id__exact={clerk_township.pk}",
        ),
        Page("grading overview", reverse("grading:overview", args=[year]), "page"),
        Page(
            "register p1",
            reverse("grading:register", args=[year]),
            "list",
            f"/admin/grading/assessment/?year={year}",
        ),
        Page(
            f"register p{register_deep}",
            f"{reverse('grading:register', args=[year])}?page={register_deep}",
            "list",
            f"/admin/grading/assessment/?year={year}&p={register_deep}",
            roles=("admin", "county"),
        ),
        Page("movement", "/grading/movement/", "list", "/admin/grading/tierchange/"),
        Page("to-do", "/grading/todo/", "todo"),
        Page("home", "/", "page", roles=ROLES),
        Page("subsidy list", "/subsidies/", "list", "/admin/subsidies/application/"),
        Page("subsidy queue", "/subsidies/queue/", "list", "/admin/subsidies/application/"),
        Page(
            "application detail",
            f"/subsidies/{application.pk}/" if application else "/subsidies/0/",
            "detail",
            f"/admin/subsidies/application/{application.pk}/change/" if application else "",
        ),
        Page(
            "budget execution",
            reverse("subsidies:budget", args=[today.year]),
            "page",
            roles=("admin", "county"),
        ),
    ]
    if published:
        pages.append(
            Page(
                "award results",
                f"/awards/{published.pk}/results/",
                "list",
                roles=("admin", "county", "judge"),
            )
        )
    if scoring:
        pages.append(Page("award round (scoring)", f"/awards/{scoring.pk}/", "list", roles=ROLES))
    if entry:
        pages.append(Page("scoring page", f"/awards/entries/{entry.pk}/score/", "detail", roles=("judge",)))
    return pages


def _words(option: str) -> list[str]:
    return [w.strip() for w in option.split(",") if w.strip()]


def measure_pages(runs: int, *, names: Sequence[str] = (), roles: Sequence[str] = ()) -> list[Row]:
    """Every page (or those whose name contains one of `names`) for every role (or those of `roles`)."""
    clients = _clients()
    rows = []
    admin_refs: dict[str, tuple[int, float]] = {}
    for page in _pages():
        if names and not any(n in page.name for n in names):
            continue
        admin_ms = None
        if page.admin_url:
            if page.admin_url not in admin_refs:
                # A reference median needs fewer samples, and some admin pages take seconds each.
                status, _q, median, _p95 = _time_request(
                    clients["admin"], page.admin_url, min(runs, ADMIN_RUNS)
                )
                admin_refs[page.admin_url] = (status, median)
            status, median = admin_refs[page.admin_url]
            admin_ms = median if status == 200 else None
        for role in page.roles:
            if roles and role not in roles:
                continue
            status, queries, median, p95 = _time_request(clients[role], page.url, runs)
            if status in (302, 403, 404) and role != "admin":
                continue  # the role may not open it: nothing to measure
            row = Row("page", page.name, role)
            if status != 200:
                row.failures.append(f"HTTP {status}")
                rows.append(row)
                continue
            row.queries, row.median_ms, row.p95_ms, row.admin_ms = queries, median, p95, admin_ms
            budget = [f"q≤{QUERY_BUDGET}"]
            if queries > QUERY_BUDGET:
                row.failures.append(f"{queries} queries")
            if page.kind in ("list", "page"):
                budget.append(f"med≤{LIST_MEDIAN:.0f} p95≤{LIST_P95:.0f}")
                if median > LIST_MEDIAN:
                    row.failures.append(f"median {median:.0f} ms")
                if p95 > LIST_P95:
                    row.failures.append(f"p95 {p95:.0f} ms")
                if admin_ms:
                    row.ratio = median / admin_ms
                    budget.append(f"≤{LIST_RATIO}×admin")
                    if row.ratio > LIST_RATIO:
                        row.failures.append(f"{row.ratio:.2f}× admin")
            elif page.kind == "detail":
                budget.append(f"med≤{DETAIL_MEDIAN:.0f}")
                if admin_ms:
                    row.ratio = median / admin_ms
                if median > DETAIL_MEDIAN:
                    row.failures.append(f"median {median:.0f} ms")
            elif page.kind == "todo":
                budget.append(f"med≤{TODO_MEDIAN:.0f}")
                if median > TODO_MEDIAN:
                    row.failures.append(f"median {median:.0f} ms")
            row.budget = " ".join(budget)
            rows.append(row)
            print(f"  {page.name:<28} {role:<7} {queries:>3} q  {median:7.1f} ms  p95 {p95:7.1f}", flush=True)
    return rows


# --- imports, grading, awards ----------------------------------------------------------------------------


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def _rolled_back() -> Iterator[None]:
    from django.db import transaction

    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def _counted(run: Callable[[], object]) -> tuple[float, int, object]:
    """Seconds and queries of `run()`, queries counted by an execute wrapper (CaptureQueriesContext would
    copy every multi-megabyte INSERT into memory)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
    return seconds, count, result


def _roster_file(path: Path, rows: int, townships: list[str]) -> list[tuple[str, str]]:
    written = []
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["編號", "鄉鎮市", "名稱", "成立日期", "理事長", "電話", "地址"])
        for n in range(rows):
            township = townships[n % len(townships)]
            name = f"基準第{n}號社區發展協會"
            writer.writerow(
                [
                    n + 1,
                    township,
                    name,
                    f"{81 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}",
                    f"王{n}明",
                    f"09{n:08d}",
                    f"新竹縣{township}中正路{n}號",
                ]
            )
            written.append((township, name))
    return written


def _compliance_file(path: Path, roster: list[tuple[str, str]], year: int) -> None:
    roc = year - 1911
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(
            [
                "鄉鎮市",
                "協會名稱",
                "會員大會日期",
                "會員大會紀錄送府日期",
                "理事會日期",
                "監事會日期",
                "工作計畫及預算送府日期",
                "工作報告及決算送府日期",
            ]
        )
        for n, (township, name) in enumerate(roster):
            month = 3 + n % 6
            writer.writerow(
                [
                    township,
                    name,
                    f"{roc}/{month:02d}/10",
                    f"{roc}/{month:02d}/25",
                    f"{roc}/02/15、{roc}/08/15",
                    f"{roc}/02/15、{roc}/08/15",
                    f"{roc - 1}/12/01",
                    f"{roc + 1}/03/01",
                ]
            )


def measure_imports(rows_count: int) -> list[Row]:
    from django.contrib.auth import get_user_model

    from associations.compliance.imports import ComplianceImport
    from associations.models import County
    from associations.roster.dataset import roster_import
    from core.imports.pipeline import run_import

    county = County.objects.get(name="新竹縣")
    townships = list(county.townships.values_list("name", flat=True))
    user = get_user_model().objects.get(username="admin")
    year = datetime.date.today().year - 1
    results = []
    with tempfile.TemporaryDirectory() as tmp, _rolled_back():
        roster = Path(tmp) / "roster.csv"
        written = _roster_file(roster, rows_count, townships)
        compliance = Path(tmp) / "compliance.csv"
        _compliance_file(compliance, written, year)
        for label in ("roster new", "roster unchanged"):
            seconds, queries, report = _counted(
                lambda: roster_import(path=roster, user=user, county=county, dry_run=False)
            )
            results.append(_import_row(label, seconds, queries, report))
        for label in ("compliance new", "compliance unchanged"):
            seconds, queries, report = _counted(
                lambda: run_import(
                    ComplianceImport(year=year, county=county, user=user),
                    path=compliance,
                    user=user,
                    dry_run=False,
                )
            )
            results.append(_import_row(label, seconds, queries, report))
    return results


def _import_row(label: str, seconds: float, queries: int, report: object) -> Row:
    row = Row("import", label)
    row.note = report.summary() if hasattr(report, "summary") else ""
    row.queries, row.value = queries, seconds
    budget = IMPORT_BUDGETS.get(label)
    row.budget = f"≤{budget:g} s" if budget else "—"
    if getattr(report, "exit_code", 0) != 0:
        errors = [str(e) for e in getattr(report, "errors", [])[:3]]
        row.failures.append(f"exit {report.exit_code}: {errors}")
    elif budget is not None and seconds > budget:
        row.failures.append(f"{seconds:.2f} s")
    print(f"  {label:<22} {seconds:7.2f} s  {queries:>5} q  {row.note}", flush=True)
    return row


def measure_grading() -> list[Row]:
    from associations.models import County
    from grading.models import Assessment
    from grading.services import assessments_recompute_system

    year = datetime.date.today().year - 1
    counties = list(County.objects.filter(townships__associations__isnull=False).distinct().order_by("pk"))

    def recompute() -> int:
        return sum(
            r.created + r.updated + r.unchanged
            for r in (assessments_recompute_system(county=c, year=year, as_of=None) for c in counties)
        )

    rows = []
    with _rolled_back():
        Assessment.objects.filter(year=year).delete()
        for label in ("recompute first", "recompute unchanged"):
            seconds, queries, judged = _counted(recompute)
            row = Row(
                "grading", f"{label} ({year}, {len(counties)} counties)", queries=queries, value=seconds
            )
            row.note = f"{judged} associations"
            row.budget = f"≤{RECOMPUTE_BUDGET:g} s"
            if seconds > RECOMPUTE_BUDGET:
                row.failures.append(f"{seconds:.2f} s")
            print(f"  {row.name:<40} {seconds:7.2f} s  {queries:>5} q  {row.note}", flush=True)
            rows.append(row)
    return rows


def measure_awards(runs: int) -> list[Row]:
    from awards.models import AwardRound
    from awards.results import round_results

    rows = []
    for state in (AwardRound.State.PUBLISHED, AwardRound.State.SCORING):
        award_round = AwardRound.objects.filter(state=state).order_by("-year").first()
        if award_round is None:
            continue
        round_results(award_round)  # warm
        times, queries = [], 0
        for _n in range(max(3, runs // 5)):
            seconds, queries, _groups = _counted(lambda: round_results(award_round))  # noqa: B023
            times.append(seconds)
        entries = award_round.entries.count()
        row = Row(
            "awards",
            f"round results ({award_round.year}, {state}, {entries} entries)",
            queries=queries,
            value=statistics.median(times),
            budget=f"≤{RESULTS_BUDGET:g} s",
        )
        if row.value > RESULTS_BUDGET:
            row.failures.append(f"{row.value:.2f} s")
        print(f"  {row.name:<40} {row.value:7.3f} s  {queries:>5} q", flush=True)
        rows.append(row)
    return rows


# --- gunicorn --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _start_gunicorn(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    """A gunicorn of the portal on a free port, once it answers /healthz."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.3)


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def measure_load(
    env: dict[str, str], seconds: float, clients: int = 8, workers: int = 2, servers: int = 1
) -> list[Row]:
    """Requests per second on the association list with `clients` clients, each sending its next request
    when the last is answered, over `servers` gunicorn instances of `workers` workers (the clients take the
    servers in turn, as a round-robin proxy would); the budget holds for one server."""
    cookie = _session_cookie("county")
    started_servers: list[subprocess.Popen] = []
    try:
        ports = []
        for _n in range(servers):
            server, port = _start_gunicorn(env, workers)
            started_servers.append(server)
            ports.append(port)
        counts = {"ok": 0, "errors": 0}
        latencies: list[float] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds
        headers = {"Cookie": cookie, "Host": "127.0.0.1"}

        def client(first: int) -> None:
            ok = errors = 0
            mine = []
            turn = first
            while time.monotonic() < stop_at:
                port = ports[turn % len(ports)]
                turn += 1
                sent = time.perf_counter()
                try:
                    connection = HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request("GET", "/associations/", headers=headers)
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    if response.status == 200:
                        ok += 1
                        mine.append((time.perf_counter() - sent) * 1000)
                    else:
                        errors += 1
                except OSError:
                    errors += 1
            with lock:
                counts["ok"] += ok
                counts["errors"] += errors
                latencies.extend(mine)

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        for server in started_servers:
            _stop(server)
    rate = counts["ok"] / elapsed
    latencies.sort()
    plural = "s" if servers > 1 else ""
    row = Row(
        "load",
        f"association list, {servers} gunicorn{plural} of {workers} workers, {clients} clients",
        role="county",
        value=rate,
        median_ms=statistics.median(latencies) if latencies else None,
        p95_ms=latencies[min(len(latencies) - 1, round(0.95 * len(latencies)))] if latencies else None,
        budget=f"≥{RPS_BUDGET:g} req/s, 0 errors" if servers == 1 else "",
        note=f"{counts['ok']} ok, {counts['errors']} errors in {elapsed:.1f} s",
    )
    if servers == 1 and rate < RPS_BUDGET:
        row.failures.append(f"{rate:.0f} req/s")
    if counts["errors"]:
        row.failures.append(f"{counts['errors']} errors")
    print(f"  {row.name}: {rate:.1f} req/s ({row.note})", flush=True)
    return [row]


# --- main ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="pages,imports,grading,awards,load", help="comma-separated parts")
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter load (for iterating)")
    parser.add_argument("--pages", default="", help="comma-separated parts of page names to measure (all)")
    parser.add_argument("--roles", default="", help="comma-separated roles to measure pages as (all)")
    parser.add_argument("--runs", type=int, default=0, help="warm requests per page (default 20, quick 5)")
    parser.add_argument("--seconds", type=float, default=0, help="load duration (default 15, quick 4)")
    parser.add_argument(
        "--servers", type=int, default=1, help="load: also with 2..N gunicorn instances (docs/deploy.md)"
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of each import")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--associations", type=int, default=10_000)
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 20)
    seconds = args.seconds or (4 if args.quick else 15)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.reseed:
        _drop_database(url)
    _ensure_database(url)
    env = _environment(url)
    _setup_django(env)
    meta = _prepare(args)

    from django.db import connection

    load = os.getloadavg()
    print(f"{connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPU, load {load[0]:.1f}")
    rows: list[Row] = []
    if "pages" in parts:
        print("pages:")
        rows += measure_pages(runs, names=_words(args.pages), roles=_words(args.roles))
    if "imports" in parts:
        print("imports:")
        rows += measure_imports(args.rows)
    if "grading" in parts:
        print("grading:")
        rows += measure_grading()
    if "awards" in parts:
        print("awards:")
        rows += measure_awards(runs)
    if "load" in parts:
        print("load:")
        for servers in range(1, args.servers + 1):
            rows += measure_load(env, seconds, servers=servers)
    print()
    print_table(rows)
    failed = [r for r in rows if not r.ok]
    report = {
        "when": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
        "database": connection.settings_dict["NAME"],
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "load_average_at_start": [round(x, 2) for x in load],
        "data": meta,
        "runs": runs,
        "commit": _commit(),
        "rows": [{**asdict(r), "ok": r.ok} for r in rows],
        "failed": len(failed),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n{len(rows) - len(failed)} within budget, {len(failed)} over; JSON in {args.json}")
    return 1 if failed else 0


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
