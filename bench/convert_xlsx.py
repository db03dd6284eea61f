"""Benchmark: importing a question bank from the spreadsheet template (10,000 rows by default).

    .venv/bin/python bench/convert_xlsx.py [--rows 40000] [--csv] [--tracemalloc]

Builds an .xlsx in the template's layout (Chinese headers; 30 % single, 20 % multiple, 20 % true/false,
15 % fill, 10 % short, 5 % analysis, with ids, tags, explanations and numbers typed as numbers; building
it is not measured), then times what an upload does: `read_xlsx` (which also checks the rows as a bank),
`write_bank` and `parse_bank`. Prints wall and CPU seconds per step, rows/s, and peak memory: the peak RSS
of the process (which includes openpyxl's and the file's), and with --tracemalloc the peak of Python
allocations during the steps (tracemalloc slows the steps down, so the times of that run are not the
figure). --csv also times the same rows as CSV. Target: under 10 s in all for 10,000 rows.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

TARGET_SECONDS = 10.0
HEADERS = ["编号", "题型", "标题", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "分值", "难度", "标签", "能力维度",
           "解析", "案例", "参考答案", "评分标准", "乱序", "计分方式"]
TOPICS = ["TCP 三次握手", "DNS 解析", "HTTPS 证书", "Linux 文件权限", "Nginx 反向代理", "MySQL 主从复制",
          "Redis 持久化", "Kafka 消费组", "备份保留策略", "异地容灾切换", "负载均衡健康检查", "磁盘 I/O 瓶颈",
          "内存泄漏排查", "工单升级流程", "客户沟通技巧", "变更窗口管理", "日志采集", "监控告警阈值"]
DIMENSIONS = ["产品技术知识", "故障诊断", "系统操作与工具", "服务与沟通"]
TAGS = ["网络", "操作系统", "中间件", "数据库", "备份容灾", "安全", "监控", "流程", "沟通"]
TYPE_MIX = ["单选题"] * 30 + ["多选题"] * 20 + ["判断题"] * 20 + ["填空题"] * 15 + ["简答题"] * 10 + ["分析题"] * 5


def generate_rows(count: int, seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    rows = [HEADERS]
    for n in range(count):
        qtype, topic = rng.choice(TYPE_MIX), rng.choice(TOPICS)
        row = dict.fromkeys(HEADERS)
        row.update({"编号": f"q{n:05d}", "题型": qtype, "标题": f"{topic}（第 {n} 题）", "难度": rng.randint(1, 5),
                    "标签": "，".join(rng.sample(TAGS, 2)), "能力维度": rng.choice(DIMENSIONS),
                    "题干": f"某客户的生产环境在业务高峰期出现异常，值班工程师怀疑与**{topic}**有关。"
                            f"请结合第 {rng.randint(1, 99)} 号工单中的现象作答。"})
        if qtype in ("单选题", "多选题"):
            row.update({f"选项{letter}": f"关于{topic}的说法 {letter}：选项内容 {n}-{i}" for i, letter in enumerate("ABCD")})
            row.update({"答案": "A" if qtype == "单选题" else "A、C", "分值": 2.0 if qtype == "多选题" else None,
                        "乱序": "是", "计分方式": "部分得分" if qtype == "多选题" else None,
                        "解析": f"正确答案的依据见运维手册第 {n % 40} 章。"})
        elif qtype == "判断题":
            row.update({"题干": f"{topic}的默认配置可以直接用于生产环境（第 {n} 题）。", "答案": rng.choice(["对", "错"])})
        elif qtype == "填空题":
            row.update({"题干": f"{topic}相关的默认端口是 ____，超时时间约 ____ 秒。", "答案": f"{1000 + n}；30±1"})
        else:
            row.update({"参考答案": "先确认影响范围，再分层定位，最后复盘。", "评分标准": "(2) 确认影响范围\n(3) 分层定位并给出依据"})
            if qtype == "分析题":
                row["案例"] = f"凌晨两点，监控显示{topic}相关指标异常，影响约 {n % 500} 个用户。"
        rows.append([row[header] for header in HEADERS])
    return rows


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    # Not write_only: like Excel and WPS, the normal mode writes shared strings and the sheet's <dimension>
    # (without it, openpyxl's read-only mode parses the whole sheet once more to size it).
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([["" if value is None else value for value in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def timed(step):
    start, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - start, time.process_time() - cpu


def run(label: str, reader, path: str, data: bytes, rows: int) -> float:
    from examengine.core.banks import parse_bank
    from examengine.core.converters import write_bank

    conversion, read_s, read_cpu = timed(lambda: reader(path, data))
    if conversion.errors or len(conversion.drafts) != rows:
        raise SystemExit(f"{label}: {len(conversion.drafts)} of {rows} rows converted; {conversion.problems[:5]}")
    text, write_s, write_cpu = timed(lambda: write_bank(conversion.drafts, key="bench-xlsx", title="基准测试题库"))
    result, parse_s, parse_cpu = timed(lambda: parse_bank(text))
    if not result.ok or len(result.bank.questions) != rows:
        raise SystemExit(f"{label}: the written bank does not parse: {result.errors[:5]}")
    total = read_s + write_s + parse_s
    print(f"{label}, {len(data) / 2**20:.1f} MB, {rows:,} rows -> bank of {len(text.encode()) / 2**20:.1f} MB")
    for name, seconds, cpu in (("read", read_s, read_cpu), ("write_bank", write_s, write_cpu),
                               ("parse_bank", parse_s, parse_cpu)):
        print(f"  {name:<12} {seconds:6.2f} s (CPU {cpu:6.2f} s)  {rows / seconds:9,.0f} rows/s")
    verdict = "OK" if total < TARGET_SECONDS else f"SLOW (target {TARGET_SECONDS:g} s)"
    if tracemalloc.is_tracing():
        verdict = "(traced: not a timing)"
    print(f"  {'total':<12} {total:6.2f} s  {rows / total:9,.0f} rows/s  "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB  {verdict}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="how many question rows (default 10,000)")
    parser.add_argument("--csv", action="store_true", help="also time the same rows as CSV")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the peak of Python allocations")
    args = parser.parse_args()
    from examengine.core.converters.spreadsheet import read_csv, read_xlsx

    rows = generate_rows(args.rows)
    data = xlsx_bytes(rows)
    if args.tracemalloc:
        tracemalloc.start()
    run("xlsx", read_xlsx, "bench.xlsx", data, args.rows)
    if args.csv:
        run("csv", read_csv, "bench.csv", csv_bytes(rows), args.rows)
    if args.tracemalloc:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak Python allocations (tracemalloc) {peak / 2**20:.0f} MB; times above are slowed by tracing")


if __name__ == "__main__":
    main()
