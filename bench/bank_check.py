"""Benchmark: `banks check` and `banks import` on a generated bank (10,000 questions by default).

    .venv/bin/python bench/bank_check.py [--questions 40000] [--tiny] [--database-url postgresql://...]

`--tiny` makes one-line true/false questions without ids (about 55 bytes each: 38,000 fit in the
2 MB upload limit), the shape of the outside test whose import once took 122 s. The bench raises the
size limit (BENCH_MAX_BYTES) for its own runs only: it measures speed, not the limit.
Each phase runs in its own process so its peak RSS is its own, and reports wall and CPU seconds (on a
busy machine CPU time is the steadier figure). The import goes into a fresh SQLite database in a
temporary folder, and into PostgreSQL too when --database-url is given (the bench bank is deleted
from it afterwards; use a database of its own). Target: under 5 s for each at 10,000 questions,
and time growing in proportion to the number of questions.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

# The generated file is far bigger than the 2 MB upload default; the bench measures speed, not the limit.
BENCH_MAX_BYTES = 64 * 1024 * 1024
BANK_KEY = "bench-banks"

TOPICS = ["TCP 三次握手", "DNS 解析", "HTTPS 证书", "Linux 文件权限", "Nginx 反向代理", "MySQL 主从复制",
          "Redis 持久化", "Kafka 消费组", "备份保留策略", "异地容灾切换", "负载均衡健康检查", "磁盘 I/O 瓶颈",
          "内存泄漏排查", "工单升级流程", "客户沟通技巧", "变更窗口管理", "日志采集", "监控告警阈值"]
DIMENSIONS = ["产品技术知识", "故障诊断", "系统操作与工具", "服务与沟通"]
TAGS = ["网络", "操作系统", "中间件", "数据库", "备份容灾", "安全", "监控", "流程", "沟通"]
TYPE_MIX = ["single"] * 30 + ["multiple"] * 20 + ["truefalse"] * 20 + ["fill"] * 15 + ["short"] * 10 + ["analysis"] * 5


def _meta(rng: random.Random, n: int) -> str:
    tags = "，".join(rng.sample(TAGS, 2))
    return (f"id: q{n:05d}\ndifficulty: {rng.randint(1, 5)}\ntags: {tags}\n"
            f"dimension: {rng.choice(DIMENSIONS)}\n")


def _stem(rng: random.Random, topic: str) -> str:
    return (f"某客户的生产环境在业务高峰期出现异常，值班工程师怀疑与**{topic}**有关。"
            f"请结合第 {rng.randint(1, 99)} 号工单中的现象，判断下列说法。")


def _question(rng: random.Random, n: int) -> str:
    qtype, topic = rng.choice(TYPE_MIX), rng.choice(TOPICS)
    head = f"## [{qtype}] {topic}（第 {n} 题）\n{_meta(rng, n)}"
    if qtype in ("single", "multiple"):
        right = {0} if qtype == "single" else {0, 2}
        options = "\n".join(f"- [{'x' if i in right else ' '}] 关于{topic}的说法 {chr(65 + i)}：选项内容 {n}-{i}"
                            for i in range(4))
        return f"{head}\n{_stem(rng, topic)}\n\n{options}\n\n### 解析\n\n正确答案的依据见运维手册第 {n % 40} 章。\n"
    if qtype == "truefalse":
        return f"{head}answer: {rng.choice(['对', '错'])}\n\n{topic}的默认配置可以直接用于生产环境。\n"
    if qtype == "fill":
        return f"{head}\n{topic}相关的默认端口是 {{{{{1000 + n}}}}}，超时时间约 {{{{30 ± 1}}}} 秒。\n"
    case = f"### 案例\n\n凌晨两点，监控显示{topic}相关指标异常，影响约 {n % 500} 个用户。\n\n" if qtype == "analysis" else ""
    return (f"{head}\n{case}请说明你排查{topic}问题的思路。\n\n### 参考答案\n\n先确认影响范围，再分层定位，最后复盘。\n\n"
            f"### 评分标准\n\n- (2) 确认影响范围\n- (3) 分层定位并给出依据\n")


def _tiny_question(rng: random.Random, n: int) -> str:
    return f"## [判断] 第 {n} 题\nanswer: {rng.choice(['对', '错'])}\n\n说法 {n} 正确。\n\n"


def generate_bank(path: Path, count: int, seed: int = 7, *, tiny: bool = False) -> None:
    rng = random.Random(seed)
    header = f"---\nid: {BANK_KEY}\ntitle: 基准测试题库\ndescription: 自动生成的 {count} 道题\n---\n\n# 综合\n\n"
    make = _tiny_question if tiny else _question
    path.write_text(header + "\n".join(make(rng, n) for n in range(count)), encoding="utf-8")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def phase_check(path: str) -> dict:
    from click.testing import CliRunner

    from examengine.cli.banks import banks_cli

    os.environ["EXAMENGINE_MAX_BANK_BYTES"] = str(BENCH_MAX_BYTES)
    start, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(banks_cli, ["check", "--json", path])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    data = json.loads(result.output)
    if result.exit_code != 0:
        raise SystemExit(f"check failed: {data['errors'][:5]}")
    return {"seconds": seconds, "cpu": cpu, "questions": data["questions"], "rss_mb": _peak_rss_mb()}


def phase_import(path: str, database_url: str, workdir: str) -> dict:
    from examengine import create_app
    from examengine.config import normalize_database_url
    from examengine.extensions import db
    from examengine.services.banks import import_banks

    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(Path(workdir) / "instance"),
                      "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    data = Path(path).read_bytes()
    figures = {}
    with app.app_context():
        db.create_all()
        _delete_bench_bank(db)
        try:
            for label, content in (("first", data), ("unchanged", data), ("changed", _edit(data))):
                start, cpu = time.perf_counter(), time.process_time()
                report = import_banks([(path, content)], max_bytes=BENCH_MAX_BYTES)
                figures[label] = time.perf_counter() - start
                figures[label + "_cpu"] = time.process_time() - cpu
                if not report.ok:
                    raise SystemExit(f"import failed: {report.errors[:5]}")
                figures[label + "_counts"] = report.banks[0].counts
        finally:
            if not database_url.startswith("sqlite"):
                _delete_bench_bank(db)
    return {"seconds": figures["first"], "cpu": figures["first_cpu"], "figures": figures, "rss_mb": _peak_rss_mb()}


# The title of every 10th question, in either shape of bank (one pass: str.replace per question was
# quadratic in the size of the bank).
_EVERY_TENTH_TITLE = re.compile(r"^(## \[\w+\] .*第 \d*0 题)(）?)$", re.MULTILINE)


def _edit(data: bytes) -> bytes:
    """Every 10th question changed: a re-import with a tenth of the questions in new versions (those
    without an id are new questions, and the old ones retired)."""
    return _EVERY_TENTH_TITLE.sub(r"\1，修订\2", data.decode("utf-8")).encode("utf-8")


def _delete_bench_bank(db) -> None:
    from sqlalchemy import delete, select

    from examengine.models import Bank, Question, QuestionTag, QuestionVersion

    bank_id = db.session.scalar(select(Bank.id).where(Bank.key == BANK_KEY))
    if bank_id is None:
        return
    questions = select(Question.id).where(Question.bank_id == bank_id)
    versions = select(QuestionVersion.id).where(QuestionVersion.question_id.in_(questions))
    db.session.execute(delete(QuestionTag).where(QuestionTag.version_id.in_(versions)))
    db.session.execute(delete(QuestionVersion).where(QuestionVersion.question_id.in_(questions)))
    db.session.execute(delete(Question).where(Question.bank_id == bank_id))
    db.session.execute(delete(Bank).where(Bank.id == bank_id))
    db.session.commit()


def run_phase(*args: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(label: str, figures: dict, questions: int) -> None:
    seconds = figures["seconds"]
    verdict = "OK" if seconds < 5 else "SLOW (target 5 s)"
    print(f"{label:<28} {seconds:6.2f} s (CPU {figures['cpu']:6.2f} s)  {questions / seconds:8.0f} questions/s  "
          f"peak RSS {figures['rss_mb']:6.0f} MB  {verdict}")
    for name in ("unchanged", "changed"):
        if name in figures.get("figures", {}):
            extra = figures["figures"]
            print(f"  re-import, {name:<15} {extra[name]:6.2f} s (CPU {extra[name + '_cpu']:6.2f} s)  "
                  f"{extra[name + '_counts']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10_000, help="how many questions (default 10,000)")
    parser.add_argument("--tiny", action="store_true", help="one-line true/false questions without ids")
    parser.add_argument("--database-url", help="also import into this (PostgreSQL) database")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        print(json.dumps(phase_check(*rest) if name == "check" else phase_import(*rest)))
        return
    with tempfile.TemporaryDirectory(prefix="examengine-bench-") as workdir:
        path = Path(workdir) / "bench.md"
        generate_bank(path, args.questions, tiny=args.tiny)
        print(f"bank: {args.questions} {'tiny ' if args.tiny else ''}questions, "
              f"{path.stat().st_size / 1024 / 1024:.1f} MB")
        check = run_phase("check", str(path))
        report("banks check", check, check["questions"])
        sqlite_url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        report("import (SQLite, fresh)", run_phase("import", str(path), sqlite_url, workdir), args.questions)
        if args.database_url:
            report("import (PostgreSQL)", run_phase("import", str(path), args.database_url, workdir),
                   args.questions)


if __name__ == "__main__":
    main()
