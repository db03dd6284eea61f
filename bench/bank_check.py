"""Benchmark: `banks check` and `banks import` on a generated 10,000-question bank.

    .venv/bin/python bench/bank_check.py [--questions 10000] [--database-url postgresql://...]

Each phase runs in its own process so its peak RSS is its own. The import goes into a fresh SQLite
database in a temporary folder, and into PostgreSQL too when --database-url is given (the bench
bank is deleted from it afterwards). Target: under 5 s for each.
"""
from __future__ import annotations

import argparse
import json
import os
import random
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
BANK_KEY = "bench-10k"

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


def generate_bank(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    header = f"---\nid: {BANK_KEY}\ntitle: 基准测试题库\ndescription: 自动生成的 {count} 道题\n---\n\n# 综合\n\n"
    path.write_text(header + "\n".join(_question(rng, n) for n in range(count)), encoding="utf-8")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def phase_check(path: str) -> dict:
    from click.testing import CliRunner

    from examengine.cli.banks import banks_cli

    os.environ["EXAMENGINE_MAX_BANK_BYTES"] = str(BENCH_MAX_BYTES)
    start = time.perf_counter()
    result = CliRunner().invoke(banks_cli, ["check", "--json", path])
    seconds = time.perf_counter() - start
    data = json.loads(result.output)
    if result.exit_code != 0:
        raise SystemExit(f"check failed: {data['errors'][:5]}")
    return {"seconds": seconds, "questions": data["questions"], "rss_mb": _peak_rss_mb()}


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
                start = time.perf_counter()
                report = import_banks([(path, content)], max_bytes=BENCH_MAX_BYTES)
                figures[label] = time.perf_counter() - start
                if not report.ok:
                    raise SystemExit(f"import failed: {report.errors[:5]}")
                figures[label + "_counts"] = report.banks[0].counts
        finally:
            if not database_url.startswith("sqlite"):
                _delete_bench_bank(db)
    return {"seconds": figures["first"], "figures": figures, "rss_mb": _peak_rss_mb()}


def _edit(data: bytes) -> bytes:
    """Every 10th question changed: a re-import with 1,000 new versions."""
    text = data.decode("utf-8")
    for n in range(0, 100000, 10):
        text = text.replace(f"（第 {n} 题）\n", f"（第 {n} 题，修订）\n", 1)
    return text.encode("utf-8")


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
    print(f"{label:<28} {seconds:6.2f} s  {questions / seconds:8.0f} questions/s  "
          f"peak RSS {figures['rss_mb']:6.0f} MB  {verdict}")
    for name, value in figures.get("figures", {}).items():
        if not name.endswith("_counts") and name != "first":
            print(f"  re-import, {name:<15} {value:6.2f} s  {figures['figures'][name + '_counts']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--database-url", help="also import into this (PostgreSQL) database")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        print(json.dumps(phase_check(*rest) if name == "check" else phase_import(*rest)))
        return
    with tempfile.TemporaryDirectory(prefix="examengine-bench-") as workdir:
        path = Path(workdir) / "bench.md"
        generate_bank(path, args.questions)
        print(f"bank: {args.questions} questions, {path.stat().st_size / 1024 / 1024:.1f} MB")
        check = run_phase("check", str(path))
        report("banks check", check, check["questions"])
        sqlite_url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        report("import (SQLite, fresh)", run_phase("import", str(path), sqlite_url, workdir), args.questions)
        if args.database_url:
            report("import (PostgreSQL)", run_phase("import", str(path), args.database_url, workdir),
                   args.questions)


if __name__ == "__main__":
    main()
