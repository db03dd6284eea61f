"""The exam page's own weight: the HTML of a started attempt's page and every CSS/JS file it references.

    .venv/bin/python bench/page_weight.py [--questions 50] [--repeat 20]

Builds an app on a temporary SQLite database, imports question_banks/, creates one examinee and an exam
drawing `--questions` questions, starts the attempt and fetches its page through the Flask test client
(in this process: no server, no network). Prints the page's HTML size and each referenced asset with its
size, gzip size (level 6, as a typical reverse proxy) and Cache-Control, and the totals. `--repeat`
fetches of the page give the in-process CPU time per page view (the Flask app and the test client).

`measure(questions=50, repeat=0) -> dict` is the same, for other benches.
"""
from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

PASSWORD = "bench-password-1"
ASSET = re.compile(r'<(?:script\b[^>]*\bsrc|link\b[^>]*\brel="stylesheet"[^>]*\bhref)="([^"]+)"')
GZIP_LEVEL = 6


def sizes(data: bytes) -> dict:
    return {"bytes": len(data), "gzip": len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))}


def _build(app, questions: int) -> int:
    from examengine.extensions import db
    from examengine.models import Exam, ExamRule, ExamSection
    from examengine.models._time import utcnow
    from examengine.services.accounts import create_user
    from examengine.services.banks import import_banks

    db.create_all()
    files = [(p.name, p.read_bytes()) for p in sorted((PROJECT_ROOT / "question_banks").glob("*.md"))]
    report = import_banks(files, max_bytes=app.config["EXAMENGINE_MAX_BANK_BYTES"])
    assert report.ok, report.errors
    user = create_user("examinee", password=PASSWORD, roles=("employee",))
    now = utcnow().replace(microsecond=0)
    exam = Exam(title="Page weight", time_limit_minutes=120, opens_at=now - timedelta(minutes=5),
                closes_at=now + timedelta(hours=6), attempts_allowed=1, status="published", published_at=now)
    exam.sections = [ExamSection(position=0, title="All", rules=[
        ExamRule(position=0, kind="draw", count=questions, bank_keys=[], tags=[], question_keys=[]),
    ])]
    exam.users.append(user)
    db.session.add(exam)
    db.session.commit()
    return exam.id


def measure(questions: int = 50, repeat: int = 0) -> dict:
    """{"questions", "html": {bytes, gzip}, "assets": [{url, type, bytes, gzip, cache_control}],
    "assets_total": {bytes, gzip}, "total": {bytes, gzip}, "cpu_ms": {p50, min} | None}."""
    from examengine import create_app
    from examengine.extensions import db

    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "page-weight", "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(Path(folder) / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
        })
        try:
            with app.app_context():
                exam_id = _build(app, questions)
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
            assert client.post("/login", data={"username": "examinee", "password": PASSWORD}).status_code == 302
            started = client.post(f"/exams/{exam_id}/start")
            assert started.status_code == 302, started.text
            page_url = started.headers["Location"]
            page = client.get(page_url)
            assert page.status_code == 200 and 'id="exam-root"' in page.text, page.status_code
            shown = page.text.count('data-testid="question"')
            assert shown == questions, f"the paper has {shown} questions, not {questions}"

            assets = []
            for url in dict.fromkeys(ASSET.findall(page.text)):
                response = client.get(url)
                assert response.status_code == 200, url
                assets.append({"url": url, "type": response.mimetype, **sizes(response.data),
                               "cache_control": response.headers.get("Cache-Control", "")})

            cpu = None
            if repeat:
                times = []
                for _ in range(repeat):
                    began = time.process_time()
                    assert client.get(page_url).status_code == 200
                    times.append((time.process_time() - began) * 1000)
                cpu = {"p50": statistics.median(times), "min": min(times)}
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    html = sizes(page.data)
    assets_total = {key: sum(a[key] for a in assets) for key in ("bytes", "gzip")}
    return {"questions": questions, "html": html, "assets": assets, "assets_total": assets_total,
            "total": {key: html[key] + assets_total[key] for key in ("bytes", "gzip")}, "cpu_ms": cpu}


def _kib(n: int) -> str:
    return f"{n / 1024:8.1f} KiB"


def report(result: dict) -> str:
    lines = [f"exam page of a {result['questions']}-question paper (gzip level {GZIP_LEVEL})",
             f"{'':60} {'size':>12} {'gzip':>12}  cache",
             f"{'HTML (no-store)':60} {_kib(result['html']['bytes'])} {_kib(result['html']['gzip'])}"]
    for asset in result["assets"]:
        lines.append(f"{asset['url']:60} {_kib(asset['bytes'])} {_kib(asset['gzip'])}  {asset['cache_control']}")
    lines.append(f"{'assets (' + str(len(result['assets'])) + ' files)':60} "
                 f"{_kib(result['assets_total']['bytes'])} {_kib(result['assets_total']['gzip'])}")
    lines.append(f"{'total, first visit':60} {_kib(result['total']['bytes'])} {_kib(result['total']['gzip'])}")
    lines.append(f"{'total, assets cached (the HTML only)':60} "
                 f"{_kib(result['html']['bytes'])} {_kib(result['html']['gzip'])}")
    if result["cpu_ms"]:
        lines.append(f"CPU per page view in process (app + test client): p50 {result['cpu_ms']['p50']:.1f} ms, "
                     f"min {result['cpu_ms']['min']:.1f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20, help="page fetches timed for CPU (0: none)")
    args = parser.parse_args()
    print(report(measure(args.questions, args.repeat)))


if __name__ == "__main__":
    main()
