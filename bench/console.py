"""Console page latency with a big database, and the time to group unresolved questions.

Fills a private schema of the PostgreSQL test database (127.0.0.1:5432, database ``test``) with
``--requests`` service requests (a sixth completed, with their events and ratings) and
``--unresolved`` unresolved questions over the sample catalogue, using COPY; then times, in
process through the ASGI app (rendering included, no network), the dashboard (its 30 s figure
cache off, so each view recomputes every chart) and the worklist with several filters, for an
admin (all agencies) and for staff of two agencies; then groups ``--cluster`` questions.
Prints a markdown table of p50/p95; the schema is dropped at the end.

    PYTHONPATH=. .venv/app/bin/python bench/console.py [--requests N] [--unresolved N]
        [--cluster N] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend_api.app import create_app  # noqa: E402
from backend_api.catalogue.transfer import import_bundle, load_sources  # noqa: E402
from backend_api.console.grouping import Question, group  # noqa: E402
from backend_api.console.views import dashboard  # noqa: E402
from backend_api.migrate import upgrade  # noqa: E402
from backend_api.org.service import set_membership  # noqa: E402
from backend_api.settings import BackendSettings  # noqa: E402
from backend_api.users.security import Principal  # noqa: E402

logger = logging.getLogger("bench.console")
POSTGRES_URL = os.environ.get(
    "DASTYAR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench-password-123"
STATUSES = ["submitted", "under_review", "needs_info", "approved", "rejected", "completed"]
WEIGHTS = [30, 25, 8, 10, 10, 17]
WORDS = [
    "هزینه گذرنامه چقدر است",
    "مدارک کارت ملی چیست",
    "ساعت کاری دفاتر پیشخوان",
    "تمدید گواهینامه رانندگی",
    "ثبت ولادت نوزاد",
    "پیگیری یارانه",
    "نقل و انتقال خودرو",
    "سابقه بیمه تامین اجتماعی",
    "کارت پایان خدمت",
    "المثنی شناسنامه",
    "وام ازدواج",
    "مجوز کسب",
    "سند تک برگ",
    "معافیت تحصیلی",
    "استعلام خلافی",
]
TAILS = ["", " لطفا", " چطوریه", " کجاست", " چند روز طول میکشه", " آنلاین میشه", "؟", " رو میخوام"]


def _copy(raw, table: str, columns: list[str], rows) -> None:  # type: ignore[no-untyped-def]
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill(url: str, schema: str, n_requests: int, n_unresolved: int) -> None:
    """Write the bench data with COPY (minutes for a million rows, not hours)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        services = conn.execute(text("SELECT id, max_days FROM services")).all()
    raw = engine.raw_connection()
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    completed_ids: list[tuple[int, int, dt.datetime]] = []

    def requests():  # type: ignore[no-untyped-def]
        for i in range(1, n_requests + 1):
            service_id, max_days = rng.choice(services)
            created = now - dt.timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
            status = rng.choices(STATUSES, WEIGHTS)[0]
            if status == "completed":
                completed_ids.append((i, service_id, created))
            code = f"{1 + i % 4}{i:09d}"[:10]
            yield (
                i, code, service_id, "شهروند آزمون", f"{i % 10**10:010d}", "09120000000",
                "", "web", "", status, (created + dt.timedelta(days=max_days)).date(),
                "free", None, None, "", created, created,
            )  # fmt: skip

    columns = [
        "id", "tracking_code", "service_id", "full_name", "national_code", "mobile",
        "description", "channel", "sender_id", "status", "estimated_completion", "cost_kind",
        "cost_amount", "idempotency_key", "payload_hash", "created_at", "updated_at",
    ]  # fmt: skip
    started = time.perf_counter()
    _copy(raw, "service_requests", columns, requests())
    _copy(
        raw, "request_events", ["request_id", "status", "actor", "note", "at"],
        ((i, "completed", "bench", "", c + dt.timedelta(days=rng.randrange(1, 20)))
         for i, _s, c in completed_ids),
    )  # fmt: skip
    _copy(
        raw, "ratings", ["request_id", "service_id", "score", "comment", "channel", "created_at"],
        ((i, s, rng.randint(1, 5), "", "web", c) for i, s, c in completed_ids[: n_requests // 20]),
    )  # fmt: skip
    _copy(
        raw, "unresolved_questions",
        ["question", "channel", "conversation_id", "candidates", "status", "answer",
         "handled_by", "created_at", "updated_at"],
        ((rng.choice(WORDS) + rng.choice(TAILS), "web", "", "[]",
          "new" if k % 10 else "answered", "", "", now, now) for k in range(n_unresolved)),
    )  # fmt: skip
    raw.commit()
    with raw.cursor() as cur:
        cur.execute("SELECT setval('service_requests_id_seq', %s)", (n_requests + 1,))
        cur.execute("ANALYZE")
    raw.commit()
    raw.close()
    engine.dispose()
    logger.info("filled %s requests in %.0f s", n_requests, time.perf_counter() - started)


def timed(client: TestClient, url: str, repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``repeat`` GETs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def sign_in(client: TestClient, username: str) -> None:
    import re

    page = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--unresolved", type=int, default=100_000)
    parser.add_argument("--cluster", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    schema = f"bench_console_{secrets.token_hex(3)}"
    admin_engine = create_engine(POSTGRES_URL)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    rows: list[tuple[str, float, float]] = []
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory() as tmp:
            settings = BackendSettings(
                database_url=url, data_dir=Path(tmp), jwt_secret="bench-" + "x" * 40,
                admin_password=PASSWORD, seed_catalogue=False, migrate_on_start=False,
            )  # fmt: skip
            app = create_app(settings)
            dashboard.CACHE_SECONDS = 0.0  # every dashboard view recomputes its figures
            with TestClient(app) as client:
                with app.state.session_factory() as session:
                    bundle = load_sources(ROOT / "data" / "catalogue")
                    import_bundle(session, bundle, Principal("bench", "admin"))
                    session.commit()
                fill(url, schema, args.requests, args.unresolved)
                body = {"username": "clerk", "password": PASSWORD, "role": "staff"}
                token = client.post(
                    "/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}
                ).json()["access_token"]
                client.post(
                    "/api/v1/admin/users", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                with app.state.session_factory() as session:
                    codes = [
                        a.code
                        for a in session.execute(
                            text("SELECT code FROM agencies ORDER BY number LIMIT 2")
                        )
                    ]
                    for code in codes:
                        set_membership(session, Principal("bench", "admin"), "clerk", code, None)
                    session.commit()
                clerk = TestClient(app)
                sign_in(client, "admin")
                sign_in(clerk, "clerk")
                pages = [
                    ("dashboard", "/console/"),
                    ("worklist", "/console/requests"),
                    ("worklist, one status", "/console/requests?status=under_review"),
                    ("worklist, overdue", "/console/requests?overdue=1"),
                    ("worklist, page 50", "/console/requests?page=50"),
                    (
                        "worklist, date range",
                        "/console/requests?date_from=1404/01/01&date_to=1404/03/31",
                    ),
                ]
                for who, browser in (("admin", client), ("staff of 2 agencies", clerk)):
                    for name, path in pages:
                        browser.get(path)  # warm-up (and the group cache for the dashboard)
                        p50, p95 = timed(browser, path, args.repeat)
                        rows.append((f"{name} ({who})", p50, p95))
                        logger.info("%s (%s): p50 %.0f ms, p95 %.0f ms", name, who, p50, p95)
        rng = random.Random(3)
        now = dt.datetime.now(dt.UTC)
        questions = [
            Question(i, rng.choice(WORDS) + rng.choice(TAILS) + f" {rng.randrange(50)}", [], now)
            for i in range(args.cluster)
        ]
        start = time.perf_counter()
        groups = group(questions)
        took = time.perf_counter() - start
        print(
            f"\n{args.requests:,} requests, {args.unresolved:,} unresolved questions, PostgreSQL\n"
        )
        print("| page | p50 ms | p95 ms |\n|---|---|---|")
        for name, p50, p95 in rows:
            print(f"| {name} | {p50:.0f} | {p95:.0f} |")
        print(f"\ngrouping {args.cluster:,} questions: {took:.1f} s ({len(groups)} groups)")
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


if __name__ == "__main__":
    main()
