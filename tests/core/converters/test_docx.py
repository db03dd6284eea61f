"""The Word (.docx) reader: papers as teachers type them in Word -> drafts -> a bank that the check reads.

Every document is built here with python-docx (pictures are PNGs made with zlib), so no binary fixtures.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import textwrap
import zipfile
import zlib
from collections import Counter

import docx
import openpyxl
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.banks import parse_bank
from examengine.core.converters import draft_of, write_bank
from examengine.core.converters.docx import read_docx
from examengine.core.converters.drafts import Blank, Option, QuestionDraft
from examengine.core.converters.formats import convert

# --- Building documents ------------------------------------------------------------------------------------


def png(rgb: tuple[int, int, int], size: int = 2) -> bytes:
    """A small solid-colour PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def bmp() -> bytes:
    """A 1x1 BMP: a format Word takes and our banks don't."""
    pixels = b"\x00\x00\xff\x00"
    info = struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info)) + info + pixels


RED, BLUE = png((255, 0, 0)), png((0, 0, 255))


def image_name(content: bytes, extension: str = "png") -> str:
    return f"images/{hashlib.sha256(content).hexdigest()[:12]}.{extension}"


def bold(text):
    return ("bold", text)


def italic(text):
    return ("italic", text)


def underlined(text):
    return ("underline", text)


def picture(content):
    return ("picture", content)


class Paper:
    """A Word document built paragraph by paragraph; `where[text]` is the ¶ of the paragraph with that text."""

    def __init__(self):
        self.document = docx.Document()
        self.count = 0
        self.where: dict[str, str] = {}
        self._next_list = 100

    def add(self, *parts, style: str | None = None, numbering: tuple[str, int] | None = None):
        paragraph = self.document.add_paragraph(style=style)
        for part in parts:
            if isinstance(part, str):
                paragraph.add_run(part)
            elif part[0] == "picture":
                paragraph.add_run().add_picture(io.BytesIO(part[1]))
            else:
                run = paragraph.add_run(part[1])
                setattr(run, part[0], True)
        if numbering:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = numbering[1]
            num_pr.get_or_add_numId().val = int(numbering[0])
        self.count += 1
        self.where.setdefault("".join(part if isinstance(part, str) else "" for part in parts), f"¶{self.count}")
        return paragraph

    def lines(self, text: str) -> Paper:
        for line in textwrap.dedent(text).strip("\n").split("\n"):
            self.add(line)
        return self

    def table(self, rows: list[list[str]]) -> Paper:
        table = self.document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, texts in zip(table.rows, rows):
            for cell, text in zip(row.cells, texts):
                cell.text = text
        return self

    def word_list(self, fmt: str) -> str:
        """A new list in numbering.xml numbered with `fmt` (decimal, upperLetter, …); its numId."""
        numbering = self.document.part.numbering_part.element
        self._next_list += 1
        ident = str(self._next_list)
        abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{ident}"><w:lvl w:ilvl="0">'
                             f'<w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/></w:lvl>'
                             f"</w:abstractNum>")
        numbering.find(qn("w:num")).addprevious(abstract)
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{ident}"><w:abstractNumId w:val="{ident}"/>'
                                   f"</w:num>"))
        return ident

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def read(self, name: str = "paper.docx"):
        return read_docx(name, self.bytes())


def problems(conversion) -> list[tuple[str, str, str]]:
    return [(problem.kind, problem.location, str(problem.message)) for problem in conversion.problems]


def counts(conversion) -> dict[str, int]:
    return dict(Counter(draft.qtype for draft in conversion.drafts))


def by_stem(conversion, start: str):
    matches = [draft for draft in conversion.drafts if draft.stem.startswith(start)]
    assert len(matches) == 1, [draft.stem for draft in conversion.drafts]
    return matches[0]


def options(draft) -> list[tuple[str, bool]]:
    return [(option.text, option.correct) for option in draft.options]


def bank_of(conversion):
    """The conversion written as a bank and read back by the normal parser."""
    result = parse_bank(write_bank(conversion.drafts, key="paper", title=conversion.title), source="paper.md")
    assert result.ok, [(error.line, error.message) for error in result.errors]
    return result.bank


# --- A realistic paper ---------------------------------------------------------------------------------------


def realistic_paper() -> Paper:
    """30 questions under six headings, as a support team's Word paper looks: two pictures (one of them used
    twice), a table, options on one line and one per line, full-width letters, 【答案】, an inline answer."""
    paper = Paper()
    paper.lines("""
        技术支持岗位能力测试（A卷）
        说明：本试卷共六大题，满分 100 分，考试时间 90 分钟。
        一、单选题（每题2分，共16分）
        1. HTTPS 默认使用哪个端口？（ ）
        A. 80    B. 443    C. 8080    D. 22
        答案：B
        解析：HTTPS 默认端口是 443，HTTP 是 80。
        2、Linux 中查看监听端口的命令是（ ）。
        A．ps aux
        B．ss -ltn
        C．df -h
        D．top
        答案：B
    """)
    paper.add("3. 下图所示的网络拓扑中，单点故障在哪一层？", picture(RED))
    paper.lines("""
        A) 接入层  B) 汇聚层  C) 核心层
        【答案】C
        4. 下列哪个 HTTP 状态码表示“未找到”？（3分）
        （A）200  （B）301  （C）404  （D）500
        正确答案：C
        5. 哪个图标表示“网络已断开”？
    """)
    paper.add("A. 已连接图标\tB. ", picture(BLUE), "\tC. 飞行模式")
    paper.lines("""
        答案：B
        6. DNS 默认使用的端口号是（ ）
        Ａ．53　Ｂ．80　Ｃ．123
        答案：Ａ
        7. 下列命令中用于跟踪路由的是（ ）
        A. ping
        B. tracert
        C. ipconfig
        D. nslookup
        答案：B
        难度：易
        标签：网络, 命令
        8. 在 HTML 中，表示换行的标签是（ ）
        A. <br>   B. <p>   C. <hr>
        答案：A
        能力维度：产品/技术知识
        二、多项选择题（每题3分）
        1. 下列哪些协议工作在传输层？
        A. TCP
        B. UDP
        C. HTTP
        D. ICMP
        答案：AB
    """)
    paper.add("2. 与上图拓扑相同的网络中", picture(RED), "，哪些设备应当冗余？")
    paper.lines("""
        A. 核心交换机  B. 汇聚交换机  C. 终端 PC
        答案：A、B
        3. 以下哪些是私有 IPv4 地址段？
        A. 10.0.0.0/8
        B. 172.16.0.0/12
        C. 192.168.0.0/16
        D. 8.8.8.0/24
        答案：ABC
        4. 排查网页打不开时，应首先检查哪些？
        A. DNS 解析   B. 网络连通性   C. 显示器亮度
        答案：A,B
        5. 下列哪些属于非对称加密算法？
        A. RSA
        B. AES
        C. ECC
        D. DES
        答案：AC
        解析：AES 和 DES 是对称加密算法。
        三、判断题（每题1分）
        1. ping 使用 ICMP 协议。（ ）
        答案：对
        2. RAID 1 可以替代备份。（ ）
        答案：错
        解析：RAID 只防磁盘故障，不防误删。
        3. HTTP 是无状态协议。
        答案：√
        4. IPv6 地址长度为 64 位。（ ）
        答案：×
        5. 交换机工作在数据链路层。（√）
        6. 子网掩码 255.255.255.0 对应 /24。
        答案：正确
        四、填空题（每空1分）
        1. HTTPS 的默认端口是 ____，SSH 的默认端口是 ____。
        答案：443；22
        2. 安全版本的 HTTP 称为 ____。
        答案：HTTPS|HTTP over TLS
        3. 圆周率 π 约等于 ____（保留两位小数）。
        答案：3.14±0.01
        4. 在 Windows 中查看 IP 配置的命令是（　　）。
        答案：ipconfig
    """)
    paper.add("5. 一个字节等于", underlined("      "), "位。")
    paper.lines("""
        答案：8
        五、简答题
        1. 请简述 DNS 缓存的作用。（4分）
        参考答案：解析器会在记录的 TTL 内缓存应答，减少重复查询。
        2. 用户反馈无法访问公司内网，请简述你的排查思路。（6分）
        参考答案：
        1. 确认影响范围（单个用户还是全部用户）；
        2. 检查网络连通性（ping 网关、DNS）；
        3. 检查 VPN 与账号状态。
        评分标准：
        (2) 确认影响范围
        (2) 检查连通性
        (2) 检查 VPN 与账号
        3. 简述 TCP 三次握手的过程。
        参考答案：客户端发送 SYN，服务器回复 SYN+ACK，客户端再发送 ACK。
        分值：3
        难度：中
        4. 简述 HTTP 与 HTTPS 的区别。（2分）
        参考答案：HTTPS 在 HTTP 与 TCP 之间加了 TLS 加密。
        六、案例分析题（每题10分）
        1. 阅读以下案例，分析最可能的根因，并给出处理步骤。
    """)
    paper.add("（附监控截图：", picture(bmp()), "）")
    paper.lines("""
        案例：某客户反馈系统在业务高峰期间歇性超时，应用日志出现 Timeout waiting for connection from pool。
        参考答案：连接未归还导致连接池耗尽。先确认影响范围，再通过连接池监控定位泄漏的代码路径。
        评分标准：
        (3) 确认影响范围和时间线
        (4) 指出连接泄漏并给出证据
        (3) 给出临时缓解和根本修复
        解析：高峰期超时 + 连接池等待日志，是连接泄漏的典型表现。
        2. 下表是某服务器一周的 CPU 使用率，请分析异常原因。
    """)
    paper.table([["日期", "CPU 使用率", "备注"], ["周一", "35%", "正常"], ["周三", "98%", "备份任务 A|B"]])
    paper.lines("""
        参考答案：周三的备份任务占满 CPU，应错峰执行。
        评分标准：
        (5) 指出周三异常与备份任务有关
        (5) 给出错峰或限速方案
    """)
    return paper


@pytest.fixture(scope="module")
def realistic():
    paper = realistic_paper()
    return paper, paper.read("技术支持.docx")


def test_realistic_paper_counts_and_problems(realistic):
    paper, conversion = realistic
    assert counts(conversion) == {"single": 8, "multiple": 5, "truefalse": 6, "fill": 5, "short": 4, "analysis": 2}
    assert problems(conversion) == [
        ("warning", paper.where["（附监控截图：）"],
         "a picture in BMP format was dropped: only PNG, JPEG, GIF and WebP pictures are converted; save it as "
         "PNG and insert it again"),
    ]
    assert conversion.title == "技术支持岗位能力测试（A卷）"
    assert [draft.location for draft in conversion.drafts][:3] == [
        paper.where["1. HTTPS 默认使用哪个端口？（ ）"], paper.where["2、Linux 中查看监听端口的命令是（ ）。"],
        paper.where["3. 下图所示的网络拓扑中，单点故障在哪一层？"]]


def test_realistic_paper_pictures_are_stored_once_and_linked_where_they_sit(realistic):
    _, conversion = realistic
    assert conversion.files == {image_name(RED): RED, image_name(BLUE): BLUE}
    assert by_stem(conversion, "下图所示").stem == f"下图所示的网络拓扑中，单点故障在哪一层？![]({image_name(RED)})"
    assert by_stem(conversion, "与上图").stem == f"与上图拓扑相同的网络中![]({image_name(RED)})，哪些设备应当冗余？"
    assert options(by_stem(conversion, "哪个图标")) == [
        ("已连接图标", False), (f"![]({image_name(BLUE)})", True), ("飞行模式", False)]
    assert by_stem(conversion, "阅读以下案例").stem == "阅读以下案例，分析最可能的根因，并给出处理步骤。\n（附监控截图：）"


def test_realistic_paper_choice_questions(realistic):
    _, conversion = realistic
    first = by_stem(conversion, "HTTPS 默认使用")
    assert (first.stem, first.points, first.explanation) == ("HTTPS 默认使用哪个端口？", 2.0, "HTTPS 默认端口是 443，HTTP 是 80。")
    assert options(first) == [("80", False), ("443", True), ("8080", False), ("22", False)]
    assert by_stem(conversion, "Linux").stem == "Linux 中查看监听端口的命令是"
    assert options(by_stem(conversion, "Linux"))[1] == ("ss -ltn", True)
    assert options(by_stem(conversion, "下图所示"))[2] == ("核心层", True)
    status = by_stem(conversion, "下列哪个 HTTP 状态码")
    assert (status.stem, status.points) == ("下列哪个 HTTP 状态码表示“未找到”？", 3.0)
    assert options(status) == [("200", False), ("301", False), ("404", True), ("500", False)]
    assert options(by_stem(conversion, "DNS 默认")) == [("53", True), ("80", False), ("123", False)]
    trace = by_stem(conversion, "下列命令中")
    assert (trace.difficulty, trace.tags) == (1, ["网络", "命令"])
    html = by_stem(conversion, "在 HTML 中")
    assert options(html) == [("&lt;br>", True), ("&lt;p>", False), ("&lt;hr>", False)]
    assert html.dimension == "产品/技术知识"
    assert options(by_stem(conversion, "下列哪些协议")) == [("TCP", True), ("UDP", True), ("HTTP", False),
                                                         ("ICMP", False)]
    assert [draft.points for draft in conversion.drafts if draft.qtype == "multiple"] == [3.0] * 5
    assert [option.correct for option in by_stem(conversion, "排查网页").options] == [True, True, False]


def test_realistic_paper_truefalse_and_fill(realistic):
    _, conversion = realistic
    truefalse = [(draft.stem, draft.answer, draft.points) for draft in conversion.drafts if draft.qtype == "truefalse"]
    assert truefalse == [
        ("ping 使用 ICMP 协议。", True, 1.0), ("RAID 1 可以替代备份。", False, 1.0), ("HTTP 是无状态协议。", True, 1.0),
        ("IPv6 地址长度为 64 位。", False, 1.0), ("交换机工作在数据链路层。", True, 1.0),
        ("子网掩码 255.255.255.0 对应 /24。", True, 1.0),
    ]
    fill = [(draft.stem, [(blank.answers, blank.tolerance) for blank in draft.blanks], draft.points)
            for draft in conversion.drafts if draft.qtype == "fill"]
    assert fill == [
        ("HTTPS 的默认端口是 {{1}}，SSH 的默认端口是 {{2}}。", [(["443"], None), (["22"], None)], None),
        ("安全版本的 HTTP 称为 {{1}}。", [(["HTTPS", "HTTP over TLS"], None)], None),
        ("圆周率 π 约等于 {{1}}（保留两位小数）。", [(["3.14"], 0.01)], None),
        ("在 Windows 中查看 IP 配置的命令是{{1}}。", [(["ipconfig"], None)], None),
        ("一个字节等于{{1}}位。", [(["8"], None)], None),
    ]


def test_realistic_paper_written_questions(realistic):
    _, conversion = realistic
    dns = by_stem(conversion, "请简述 DNS")
    assert (dns.qtype, dns.points, dns.reference, dns.rubric) == (
        "short", 4.0, "解析器会在记录的 TTL 内缓存应答，减少重复查询。", [])
    steps = by_stem(conversion, "用户反馈")
    assert (steps.qtype, steps.points) == ("short", 6.0)
    assert steps.reference == ("1. 确认影响范围（单个用户还是全部用户）；\n2. 检查网络连通性（ping 网关、DNS）；\n"
                               "3. 检查 VPN 与账号状态。")
    assert [(item.points, item.text) for item in steps.rubric] == [
        (2.0, "确认影响范围"), (2.0, "检查连通性"), (2.0, "检查 VPN 与账号")]
    tcp = by_stem(conversion, "简述 TCP")
    assert (tcp.points, tcp.difficulty) == (3.0, 3)
    case = by_stem(conversion, "阅读以下案例")
    assert (case.qtype, case.points) == ("analysis", 10.0)
    assert case.case == "某客户反馈系统在业务高峰期间歇性超时，应用日志出现 Timeout waiting for connection from pool。"
    assert case.explanation == "高峰期超时 + 连接池等待日志，是连接泄漏的典型表现。"
    assert [item.points for item in case.rubric] == [3.0, 4.0, 3.0]
    cpu = by_stem(conversion, "下表是")
    assert cpu.stem == ("下表是某服务器一周的 CPU 使用率，请分析异常原因。\n\n| 日期 | CPU 使用率 | 备注 |\n| --- | --- | --- |\n"
                        "| 周一 | 35% | 正常 |\n| 周三 | 98% | 备份任务 A\\|B |")


def test_realistic_paper_round_trips_through_the_bank(realistic):
    _, conversion = realistic
    bank = bank_of(conversion)
    assert bank.title == "技术支持岗位能力测试（A卷）"
    assert len(bank.questions) == 30
    for draft, question in zip(conversion.drafts, bank.questions):
        back = draft_of(question)
        assert (back.qtype, back.stem, back.explanation, back.difficulty, back.tags, back.dimension) == (
            draft.qtype, draft.stem, draft.explanation, draft.difficulty or 3, draft.tags, draft.dimension), \
            draft.location
        assert options(back) == options(draft)
        assert back.answer == draft.answer
        assert [(blank.answers, blank.tolerance) for blank in back.blanks] == [
            (blank.answers, blank.tolerance) for blank in draft.blanks]
        assert (back.case, back.reference) == (draft.case, draft.reference)
        assert [(item.points, item.text) for item in back.rubric] == [(item.points, item.text) for item in draft.rubric]
        if draft.points is not None:
            assert back.points == draft.points
    points = {question.stem[:8]: question.points for question in bank.questions}
    assert points["HTTPS 的默"] == 2.0  # a fill question is worth one point per blank
    assert points["用户反馈无法访问"] == 6.0


# --- Word's own list numbering -------------------------------------------------------------------------------


def test_word_numbered_questions_and_lettered_options():
    """The number is not in the text: Word draws it from the paragraph's numbering (w:numPr)."""
    paper = Paper()
    questions, letters, steps = paper.word_list("decimal"), paper.word_list("upperLetter"), paper.word_list("decimal")
    paper.add("单选题（每题2分）")
    paper.add("HTTPS 默认使用哪个端口？", numbering=(questions, 0))
    for text in ("80", "443", "8080"):
        paper.add(text, numbering=(letters, 0))
    paper.add("答案：B")
    paper.add("SSH 默认使用哪个端口？", numbering=(questions, 0))
    paper.add("A. 21    B. 22")
    paper.add("答案：B")
    paper.add("简答题")
    paper.add("请写出排查网络故障的步骤。（3分）", numbering=(questions, 0))
    paper.add("参考答案：")
    paper.add("先 ping 网关", numbering=(steps, 0))  # a numbered list of its own inside the answer
    paper.add("再检查 DNS", numbering=(steps, 0))
    paper.add("判断题")
    paper.add("ping 使用 ICMP 协议。", numbering=(questions, 0))
    paper.add("答案：对")
    conversion = paper.read()
    assert problems(conversion) == []
    assert [(draft.qtype, draft.location) for draft in conversion.drafts] == [
        ("single", "¶2"), ("single", "¶7"), ("short", "¶11"), ("truefalse", "¶16")]
    assert options(conversion.drafts[0]) == [("80", False), ("443", True), ("8080", False)]
    assert options(conversion.drafts[1]) == [("21", False), ("22", True)]
    assert conversion.drafts[2].reference == "先 ping 网关\n再检查 DNS"
    assert (conversion.drafts[2].points, conversion.drafts[3].answer) == (3.0, True)
    bank_of(conversion)


def test_list_number_style_numbers_questions_too():
    paper = Paper()
    paper.add("HTTPS 默认使用哪个端口？", style="List Number")
    paper.add("A. 80  B. 443")
    paper.add("答案：B")
    paper.add("RAID 1 可以替代备份。", style="List Number")
    paper.add("答案：错")
    conversion = paper.read()
    assert problems(conversion) == []
    assert [(draft.qtype, draft.location) for draft in conversion.drafts] == [("single", "¶1"), ("truefalse", "¶4")]


# --- Types inferred without headings ---------------------------------------------------------------------------


def test_types_are_inferred_without_headings():
    conversion = Paper().lines("""
        1. HTTPS 默认使用哪个端口？（ ）
        A. 80  B. 443
        答案：B
        2. 哪些是传输层协议？
        A. TCP  B. UDP  C. HTTP
        答案：A B
        3. ping 使用 ICMP 协议。（ ）
        答案：√
        4. SSH 的默认端口是 ____。
        答案：22
        5. 简述 DNS 的作用。（2分）
        参考答案：把域名解析为 IP 地址。
        6. 分析连接池耗尽的原因。
        参考答案：连接未归还。
        评分标准：
        (2) 指出连接未归还
        (1) 给出证据
        7. 请说明 HTTPS 与 HTTP 的区别。（3分）
        答案：HTTPS 加了 TLS。
    """).read()
    assert problems(conversion) == []
    assert [(draft.qtype, draft.points) for draft in conversion.drafts] == [
        ("single", None), ("multiple", None), ("truefalse", None), ("fill", None), ("short", 2.0),
        ("analysis", None), ("short", 3.0)]
    assert conversion.drafts[2].stem == "ping 使用 ICMP 协议。"
    bank = bank_of(conversion)
    assert [question.points for question in bank.questions] == [1.0, 2.0, 1.0, 1.0, 2.0, 3.0, 3.0]


def test_choice_heading_leaves_single_or_multiple_to_the_answer():
    conversion = Paper().lines("""
        Part 1 Multiple choice (2 points each)
        1. Which port does HTTPS use by default?
        A. 80   B. 443
        Answer: B
        Explanation: 443 is the HTTPS port.
        2. Which protocols are transport-layer protocols?
        (A) TCP  (B) UDP  (C) HTTP
        Answer: A, B
        Part 2 True or false
        1. RAID 1 replaces backups.
        Answer: False
        Part 3 Fill in the blanks
        1. The default SSH port is ____.
        Answer: 22
    """).read()
    assert problems(conversion) == []
    assert [(draft.qtype, draft.points) for draft in conversion.drafts] == [
        ("single", 2.0), ("multiple", 2.0), ("truefalse", None), ("fill", None)]
    assert conversion.drafts[0].explanation == "443 is the HTTPS port."
    assert conversion.title == ""  # the first line is a heading, not a title


def test_question_type_line_sets_the_type():
    conversion = Paper().lines("""
        1. 哪个端口是 HTTPS 的默认端口？
        A. 443  B. 80
        答案：A
        题型：多选题
    """).read()
    assert problems(conversion) == []
    assert conversion.drafts[0].qtype == "multiple"


# --- Layout variants -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", [
    ["1. 端口？", "A. 80", "B. 443"],
    ["1、端口？", "A、80", "B、443"],
    ["1．端口？", "A．80\tB．443"],
    ["（1）端口？", "（A）80 （B）443"],
    ["1) 端口？", "A) 80   B) 443"],
    ["第1题 端口？", "Ａ．80　Ｂ．443"],
    ["1. 端口？\nA. 80\nB. 443"],  # one paragraph with line breaks (Shift+Enter)
])
def test_numbering_and_option_styles(layout):
    paper = Paper()
    for text in layout:
        paper.add(text)
    paper.add("【答案】B")
    conversion = paper.read()
    assert problems(conversion) == []
    assert [(draft.qtype, draft.stem, options(draft)) for draft in conversion.drafts] == [
        ("single", "端口？", [("80", False), ("443", True)])]


@pytest.mark.parametrize("label", ["答案：", "答案:", "正确答案：", "参考答案：", "【答案】", "[答案]", "Answer: ",
                                   "answer："])
def test_answer_labels(label):
    conversion = Paper().lines(f"""
        1. 端口？
        A. 80  B. 443
        {label}B
    """).read()
    assert problems(conversion) == []
    assert options(conversion.drafts[0]) == [("80", False), ("443", True)]


def test_points_from_the_heading_the_question_line_and_the_points_line():
    conversion = Paper().lines("""
        一、判断题（本大题共3小题，每小题1.5分，共4.5分）
        1. ping 使用 ICMP。
        答案：对
        2. （2分）RAID 1 可以替代备份。（ ）
        答案：错
        3. HTTP 是无状态协议。（3分）（ ）
        答案：对
        分值：4分
        二、单选题（2分）
        1. 端口？
        A. 80  B. 443
        答案：B
    """).read()
    assert problems(conversion) == []
    assert [(draft.stem, draft.points) for draft in conversion.drafts] == [
        ("ping 使用 ICMP。", 1.5), ("RAID 1 可以替代备份。", 2.0), ("HTTP 是无状态协议。", 4.0), ("端口？", 2.0)]


def test_text_before_the_first_question_is_ignored_and_gives_the_title():
    conversion = Paper().lines("""
        网络基础测验
        注意事项：
        1. 本试卷共 2 题。
        2. 考试时间 30 分钟。
        1. ping 使用 ICMP 协议。
        答案：对
    """).read()
    assert problems(conversion) == []
    assert conversion.title == "网络基础测验"
    assert [draft.stem for draft in conversion.drafts] == ["ping 使用 ICMP 协议。"]


@pytest.mark.parametrize("first_line", [
    "本试卷共六大题，请在答题卡上作答，考试时间为九十分钟，满分一百分，请考生认真审题，仔细作答。",  # too long
    "请按要求作答：",  # a sentence, not a title
])
def test_a_first_line_that_is_no_title_is_not_the_title(first_line):
    conversion = Paper().lines(f"""
        {first_line}
        一、判断题
        1. ping 使用 ICMP 协议。
        答案：对
    """).read()
    assert conversion.title == ""


def test_a_logo_above_the_title_is_skipped():
    paper = Paper()
    paper.add(picture(RED))
    paper.lines("""
        网络基础测验
        1. ping 使用 ICMP 协议。
        答案：对
    """)
    conversion = paper.read()
    assert (conversion.title, conversion.files) == ("网络基础测验", {})


def test_the_documents_title_property_wins():
    paper = Paper().lines("""
        网络基础测验
        1. ping 使用 ICMP 协议。
        答案：对
    """)
    paper.document.core_properties.title = "2024 年第三季度考核"
    assert paper.read().title == "2024 年第三季度考核"


def test_a_numbered_list_in_an_explanation_stays_in_it():
    conversion = Paper().lines("""
        1. 下列说法正确的是（ ）。
        A. TCP 无连接
        B. UDP 无连接
        答案：B
        解析：
        1. TCP 面向连接；
        2. UDP 无连接。
        2. ping 使用 ICMP 协议。
        答案：对
    """).read()
    assert problems(conversion) == []
    assert [draft.qtype for draft in conversion.drafts] == ["single", "truefalse"]
    assert conversion.drafts[0].stem == "下列说法正确的是"
    assert conversion.drafts[0].explanation == "1. TCP 面向连接；\n2. UDP 无连接。"


def test_text_below_a_one_line_answer_becomes_the_explanation():
    conversion = Paper().lines("""
        1. ping 使用 ICMP 协议。
        答案：对
        ICMP 是网络层协议。
    """).read()
    assert problems(conversion) == [("warning", "¶3", "text below the answer was kept as the explanation: put it "
                                                      "after 解析： to say so")]
    assert conversion.drafts[0].explanation == "ICMP 是网络层协议。"


def test_formatting_tables_and_html_like_text():
    paper = Paper()
    paper.add("1. 以下配置中 ", bold("哪一项"), " 是", italic("错误"), "的？")
    paper.table([["参数", "值"], ["MTU", "1500"], ["管道 | 符号", "<b>x</b>"]])
    paper.add("A. 使用 ", bold("UDP"), " 协议    B. ", bold("9000"))
    paper.add(bold("答案：B"))
    conversion = paper.read()
    assert problems(conversion) == []
    assert conversion.drafts[0].stem == ("以下配置中 **哪一项** 是*错误*的？\n\n| 参数 | 值 |\n| --- | --- |\n| MTU | 1500 |\n"
                                         "| 管道 \\| 符号 | &lt;b>x&lt;/b> |")
    # emphasis inside an option is kept; an option bold throughout is the look of the line, not emphasis
    assert options(conversion.drafts[0]) == [("使用 **UDP** 协议", False), ("9000", True)]
    bank_of(conversion)


def test_a_bold_question_line_is_not_emphasis():
    paper = Paper()
    paper.add(bold("1. ping 使用 ICMP 协议。"))
    paper.add("答案：对")
    assert [draft.stem for draft in paper.read().drafts] == ["ping 使用 ICMP 协议。"]


def test_fill_stem_keeps_literal_braces():
    conversion = Paper().lines("""
        1. 模板 {{name}} 中的变量在渲染时替换为 ____。
        答案：值
    """).read()
    assert problems(conversion) == []
    assert conversion.drafts[0].stem == "模板 \\{{name}} 中的变量在渲染时替换为 {{1}}。"
    assert bank_of(conversion).questions[0].stem == "模板 \\{{name}} 中的变量在渲染时替换为 {{1}}。"


# --- Bad input, with where it is --------------------------------------------------------------------------------

BAD_QUESTIONS = [
    pytest.param("""
        1. ping 使用 ICMP 协议。
        2. RAID 1 可以替代备份。
        A. 对  B. 错
        答案：B
    """, [("¶1", "no answer for this question: add a line 答案：… below it (参考答案：… for a written answer)")],
        id="no-answer"),
    pytest.param("""
        1. HTTPS 端口？
        A. 80  B. 443  C. 22
        答案：D
    """, [("¶3", "the answer names option D, but the question's options are ABC")], id="letter-without-option"),
    pytest.param("""
        一、单选题
        1. HTTPS 端口？
        A. 80  B. 443  C. 22
        答案：BC
    """, [("¶4", "a single-choice question has one answer, but the answer gives BC: put the question under a 多选题 "
                 "heading if several options are right")], id="single-with-two-letters"),
    pytest.param("""
        1. 分析连接池耗尽的原因。（5分）
        参考答案：连接未归还。
        评分标准：
        (2) 指出连接未归还
        (1) 给出证据
    """, [("¶3", "the rubric totals 3 points but the question is worth 5: make them equal")], id="rubric-total"),
    pytest.param("""
        1. 请简述 DNS 的作用。
        参考答案：把域名解析为 IP 地址。
    """, [("¶1", "this question has no points: add （5分） to the end of the question, a line 分值：5, or a 评分标准 "
                 "(its total becomes the points)")], id="short-without-points"),
    pytest.param("""
        六、案例分析题（每题10分）
        1. 分析连接池耗尽的原因。
        参考答案：连接未归还。
    """, [("¶2", "a case-analysis question needs a rubric: add 评分标准： with a line per scoring point, e.g. (3) "
                 "先确认影响范围")], id="analysis-without-rubric"),
    pytest.param("""
        1. 分析原因。（3分）
        参考答案：连接未归还。
        评分标准：
        指出连接未归还
        (3) 给出证据
    """, [("¶4", "a rubric line must start with its points, e.g. (3) 先确认影响范围, not '指出连接未归还'")],
        id="rubric-line-without-points"),
    pytest.param("""
        1. HTTPS 端口是 ____，SSH 端口是 ____。
        答案：443
    """, [("¶2", "the question has 2 blank(s) but the answer gives 1: write one answer per blank, separated by ；")],
        id="fill-answer-count"),
    pytest.param("""
        三、判断题
        1. ping 使用 ICMP 协议。
        答案：也许
    """, [("¶3", "the answer of a true/false question must be 对 or 错 (√/×, 正确/错误), not '也许'")], id="truefalse-answer"),
    pytest.param("""
        1. 端口？
        A. 80
        B. 80
        答案：A
    """, [("¶3", "options A and B are the same ('80'): make them different")], id="duplicate-option"),
    pytest.param("""
        1. 端口？
        A. 80
        答案：A
    """, [("¶1", "a choice question needs at least two options (A. … B. …), found 1")], id="one-option"),
    pytest.param("""
        1. 端口？
        答案：B
    """, [("¶2", "the answer names option B, but the question has no options: write them below it (A. … B. …)")],
        id="letter-without-options"),
    pytest.param("""
        1. ping 使用 ICMP 协议。
        答案：对
        RAID 1 可以替代备份。
        答案：错
    """, [("¶4", "a second answer for the question at ¶1: is the number of the question above it missing?"),
          ("warning", "¶3", "text below the answer was kept as the explanation: put it after 解析： to say so")],
        id="missing-number"),
    pytest.param("""
        试卷说明
        答案：B
        1. ping 使用 ICMP 协议。
        答案：对
    """, [("¶2", "an answer before the first question: start the question above it with its number (1. …)")],
        id="answer-before-first-question"),
    pytest.param("""
        1. ping 使用 ICMP 协议。
        答案：对
        难度：很难
        分值：0
    """, [("¶3", "difficulty must be 1 to 5, easy/medium/hard or 易/中/难, not '很难'"),
          ("¶4", "points must be a number above 0 and at most 1000, not 0.0")], id="bad-metadata"),
    pytest.param("""
        一、单选题（每题0分）
        1. 端口？
        A. 80  B. 443
        答案：B
    """, [("¶1", "points must be a number above 0 and at most 1000, not 0.0")], id="bad-heading-points"),
    pytest.param("""
        1. ping 使用 ICMP 协议。
        答案：对
        2. ping 使用 ICMP 协议。
        答案：对
    """, [("¶3", "this question is the same as the one at ¶1: remove one of them")], id="duplicate-question"),
    pytest.param("""
        1. （3分）
        答案：对
    """, [("¶1", "the question has no text: write it after the question's number")], id="no-text"),
    pytest.param("""
        四、填空题
        1. HTTPS 的默认端口是多少？
        答案：443
    """, [("¶2", "a fill-in question needs a blank in its text: ____ or （ ）")], id="fill-without-blank"),
    pytest.param("""
        1. 端口？
        题型：论文题
        A. 80  B. 443
        答案：B
    """, [("¶2", "unknown question type '论文题': use 单选题, 多选题, 判断题, 填空题, 简答题 or 案例分析题")],
        id="unknown-type-line"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_QUESTIONS)
def test_bad_questions_are_reported_where_they_are(text, expected):
    conversion = Paper().lines(text).read()
    expected = [item if len(item) == 3 else ("error", *item) for item in expected]
    assert sorted(problems(conversion)) == sorted(expected)


def test_every_problem_of_a_paper_is_reported_and_the_good_questions_still_convert():
    conversion = Paper().lines("""
        1. 端口？
        A. 80  B. 443
        答案：E
        2. ping 使用 ICMP 协议。
        答案：对
        3. SSH 端口是 ____。
        4. 分析原因。（5分）
        参考答案：连接未归还。
        评分标准：
        (2) 指出连接未归还
    """).read()
    assert [(kind, where) for kind, where, _ in problems(conversion)] == [
        ("error", "¶3"), ("error", "¶6"), ("error", "¶9")]
    assert [draft.stem for draft in conversion.drafts] == ["ping 使用 ICMP 协议。"]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _a_docx() -> bytes:
    return Paper().lines("""
        1. ping 使用 ICMP 协议。
        答案：对
    """).bytes()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return _zip({item: content if item == name else source.read(item) for item in source.namelist()})


def _encrypted_flag(data: bytes) -> bytes:
    """The zip with each member marked encrypted (bit 0 of the flags), as a password-protected zip says."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        for match in re.finditer(re.escape(signature), data):
            out[match.start() + offset] |= 0x01
    return bytes(out)


def _declared_size(data: bytes, size: int) -> bytes:
    """The zip with the central directory claiming `size` bytes for its first member (a zip bomb's header)."""
    out = bytearray(data)
    position = data.index(b"PK\x01\x02")
    out[position + 24:position + 28] = struct.pack("<I", size)
    return bytes(out)


def _unpacked_size(data: bytes, *, skip_first: bool) -> int:
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(member.file_size for member in members[1 if skip_first else 0:])


def _billion_laughs() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9))
    source = zipfile.ZipFile(io.BytesIO(_a_docx()))
    document = source.read("word/document.xml").decode().split("?>", 1)[1].replace("ping", "&j;")
    return _with_member(_a_docx(), "word/document.xml",
                        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>{document}'.encode())


def _workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOT_A_ZIP = ("the file is not a Word document (.docx is a zip archive, and this file is not one): save it in Word "
             "as a Word document (.docx)")
NOT_WORD = "the file is not a readable Word document: open it in Word and save it again as a Word document (.docx)"
PASSWORD = ("the document is protected by a password: open it in Word, remove the password (文件 > 信息 > 保护文档) "
            "and save it again")


@pytest.mark.parametrize(("make", "message"), [
    pytest.param(lambda: b"", NOT_A_ZIP, id="empty"),
    pytest.param(lambda: "1. 这是文本文件\n答案：对".encode(), NOT_A_ZIP, id="text"),
    pytest.param(lambda: _a_docx()[:-200], NOT_A_ZIP, id="truncated"),
    pytest.param(lambda: _zip({"readme.txt": b"hello"}), NOT_WORD, id="zip-not-docx"),
    pytest.param(_workbook, NOT_WORD, id="xlsx"),
    pytest.param(lambda: _with_member(_a_docx(), "word/document.xml", b"<w:document"), NOT_WORD, id="broken-xml"),
    pytest.param(_billion_laughs, NOT_WORD, id="entity-bomb"),
    pytest.param(lambda: OLE + b"\x00" * 512, "this is an old Word 97-2003 document (.doc) or another binary Office "
                 "file: open it in Word and save it as a Word document (.docx)", id="doc"),
    pytest.param(lambda: OLE + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64, PASSWORD,
                 id="encrypted-office"),
    pytest.param(lambda: _encrypted_flag(_a_docx()), PASSWORD, id="encrypted-zip"),
    pytest.param(lambda: _declared_size(_a_docx(), 250 * 1024 * 1024),
                 f"the document unpacks to {250 * 1024 * 1024 + _unpacked_size(_a_docx(), skip_first=True):,} bytes, "
                 "over the limit of 200 MB: make its pictures smaller or split it", id="zip-bomb"),
    pytest.param(lambda: _zip({f"part{i}.xml": b"" for i in range(10_001)}),
                 "the document holds 10,001 parts, more than the 10,000 a Word document may have", id="many-members"),
])
def test_files_that_are_not_usable_documents_give_one_error(make, message):
    conversion = read_docx("upload.docx", make())
    assert problems(conversion) == [("error", "", message)]
    assert (conversion.drafts, conversion.files) == ([], {})


def test_the_format_registry_reads_docx_with_this_reader():
    conversion = convert("题库/网络.docx", _a_docx())
    assert [(draft.qtype, draft.answer) for draft in conversion.drafts] == [("truefalse", True)]


def test_a_document_without_questions_says_so():
    conversion = Paper().lines("""
        会议纪要
        今天讨论了网络改造方案。
    """).read()
    assert problems(conversion) == [("error", "", "no questions found: number each question (1. …) and put its answer "
                                                  "below it (答案：B)")]


# --- Pictures and other objects in paragraphs ------------------------------------------------------------------


def _append_xml(paragraph, xml: str) -> None:
    paragraph._p.append(parse_xml(xml))


def test_a_linked_picture_is_dropped_with_a_warning():
    paper = Paper()
    paragraph = paper.add("1. 下图中哪个是路由器？", picture(RED))
    blip = paragraph._p.find(".//" + qn("a:blip"))
    external = paper.document.part.relate_to("https://example.com/router.png", RT.IMAGE, is_external=True)
    del blip.attrib[qn("r:embed")]
    blip.set(qn("r:link"), external)
    paper.lines("""
        A. 左边  B. 右边
        答案：A
    """)
    conversion = paper.read()
    assert problems(conversion) == [("warning", "¶1", "a linked picture (not saved in the document) was dropped: insert "
                                                      "the picture instead of linking to it")]
    assert (conversion.drafts[0].stem, conversion.files) == ("下图中哪个是路由器？", {})


def test_pictures_in_a_table_and_outside_questions():
    paper = Paper()
    paper.add("拓扑说明", picture(BLUE))  # before the first question: ignored, so not stored
    paper.add("1. 下表中哪台设备是核心交换机？")
    table = paper.document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "设备", "照片"
    table.cell(1, 0).text = "SW-01"
    table.cell(1, 1).paragraphs[0].add_run().add_picture(io.BytesIO(RED))
    paper.lines("""
        A. SW-01  B. 没有
        答案：A
    """)
    conversion = paper.read()
    assert problems(conversion) == []
    assert conversion.drafts[0].stem == (f"下表中哪台设备是核心交换机？\n\n| 设备 | 照片 |\n| --- | --- |\n"
                                         f"| SW-01 | ![]({image_name(RED)}) |")
    assert conversion.files == {image_name(RED): RED}
    assert [draft.location for draft in conversion.drafts] == ["¶2"]


def test_jpeg_gif_and_webp_pictures_are_kept_by_their_bytes():
    # python-docx checks the headers only as far as it needs them; ours are tiny but well-formed enough.
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00" \
          b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    paper = Paper()
    paper.add("1. 哪个是动图？")
    paper.add("A. ", picture(gif), "    B. ", picture(RED))
    paper.add("答案：A")
    conversion = paper.read()
    assert options(conversion.drafts[0]) == [(f"![]({image_name(gif, 'gif')})", True),
                                             (f"![]({image_name(RED)})", False)]
    assert set(conversion.files) == {image_name(gif, "gif"), image_name(RED)}


def test_text_boxes_equations_and_symbols():
    paper = Paper()
    paragraph = paper.add("1. 交换机工作在数据链路层。（")
    _append_xml(paragraph, f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>')
    paragraph.add_run("）")
    paragraph = paper.add("2. 面积公式 ")
    _append_xml(paragraph, '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
                           "<m:r><m:t>S=πr²</m:t></m:r></m:oMath>")
    paragraph.add_run(" 中 r 是半径。")
    paper.add("答案：对")
    paragraph = paper.add("3. 看图回答：")
    _append_xml(paragraph, f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>'
                           "<w:t>文本框里的字</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
    paper.add("A. 对  B. 错")
    paper.add("答案：A")
    conversion = paper.read()
    assert problems(conversion) == [
        ("warning", "¶2", "an equation was converted as plain text (S=πr²): check that it still reads right"),
        ("warning", "¶4", "the text in a text box was not converted: move it out of the text box into the paragraph"),
    ]
    assert [(draft.qtype, draft.stem, draft.answer) for draft in conversion.drafts] == [
        ("truefalse", "交换机工作在数据链路层。", True), ("truefalse", "面积公式 S=πr² 中 r 是半径。", True),
        ("single", "看图回答：", None)]


def test_underlined_blanks_and_tracked_changes():
    paper = Paper()
    paragraph = paper.add("1. HTTPS 的默认端口是", underlined("\t"), "，SSH 是")
    _append_xml(paragraph, f'<w:del {nsdecls("w")} w:id="1" w:author="x"><w:r><w:delText>（删掉的字）</w:delText>'
                           "</w:r></w:del>")
    _append_xml(paragraph, f'<w:ins {nsdecls("w")} w:id="2" w:author="x"><w:r><w:t>____。</w:t></w:r></w:ins>')
    paper.add("答案：443；22")
    conversion = paper.read()
    assert problems(conversion) == []
    assert conversion.drafts[0].stem == "HTTPS 的默认端口是{{1}}，SSH 是{{2}}。"


# --- Property tests: no input makes the reader raise ------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Paragraphs that steer random papers into every branch: headings, numbers, options, labels, blanks, rubrics.
FRAGMENTS = [
    "一、单选题（每题2分）", "二、多项选择题", "三、判断题（每题1分）", "四、填空题", "五、简答题", "六、案例分析题（每题10分）",
    "七、计算题", "Part 1 Single choice", "1. 端口？", "2、问题", "3．题目（5分）", "（1）子题", "1) x", "第2题 y", "10. ",
    "A. 80", "B. 443", "A. 80  B. 443  C. 22", "（A）对 （B）错", "Ａ．甲　Ｂ．乙", "C) c", "答案：B", "答案：AB", "答案：对",
    "答案：×", "答案：443；22", "答案：a|b", "答案：3.14±0.01", "答案：", "【答案】C", "参考答案：先看日志", "参考答案：",
    "正确答案：D", "Answer: A", "解析：因为", "评分标准：", "(3) 要点", "（2分）要点", "3分：要点", "要点", "(0) 零分",
    "案例：某客户", "难度：易", "难度：九", "分值：5", "分值：0", "标签：网络, 命令", "能力维度：排障", "题型：多选题",
    "题型：未知", "____", "（ ）", "( )", "{{x}}", "\\{{", "}}", "{", "<br>", "&amp;", "---", "# 标题", "## [single] x",
    "### 参考答案", "- [x] y", "```", "\t", "", "   ", "|", "¶",
    "参考答案", "【参考答案】", "答案与解析", "一、单选题答案", "1-5 BCADA", "1-3 AB", "3-1 A", "1. B 2. C", "1.B、2.√", "9. 先确认，再排查。",
]
safe_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n"), max_size=30)
paragraphs = st.lists(st.one_of(st.sampled_from(FRAGMENTS), safe_text,
                                st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(FRAGMENTS)).map(" ".join)),
                      max_size=30)


def assert_well_formed(conversion, paragraph_count: int | None = None) -> None:
    for problem in conversion.problems:
        assert "internal error" not in problem.message, problem
        assert problem.kind in ("error", "skipped", "warning")
        if problem.location:
            assert problem.location.startswith("¶"), problem
            if paragraph_count is not None:
                assert 1 <= int(problem.location[1:]) <= paragraph_count, problem
    for draft in conversion.drafts:
        assert draft.location.startswith("¶")


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data):
    conversion = read_docx("fuzz.docx", data)
    assert_well_formed(conversion)
    assert conversion.errors


_VALID = _a_docx()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_documents_never_raise(changes):
    data = bytearray(_VALID)
    for position, value in changes:
        data[position] = value
    assert_well_formed(read_docx("fuzz.docx", bytes(data)))


@FUZZ
@given(paragraphs)
def test_any_paper_converts_to_problems_or_a_bank_that_checks(texts):
    paper = Paper()
    for text in texts:
        paper.add(text)
    conversion = paper.read()
    assert_well_formed(conversion, paper.count)
    if not conversion.errors:
        bank_of(conversion)


TRICKY = "网络端口协议答案解析题ABCDabcd0123{}|*_<>&#`[]()（）：:；;、.．，。 \t√×-=+\\!~"
tricky_text = st.text(st.sampled_from(TRICKY) | st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
                      min_size=1, max_size=16)


@st.composite
def generated_question(draw, number: int) -> list[str]:
    """One question as a teacher types it, with arbitrary text where the teacher's words go."""
    kind = draw(st.sampled_from(["single", "multiple", "truefalse", "fill", "short"]))
    stem = draw(tricky_text)
    if kind in ("single", "multiple"):
        texts = draw(st.lists(tricky_text, min_size=2, max_size=4))
        letters = "ABCD"[:len(texts)]
        answer = draw(st.sampled_from(letters)) if kind == "single" else letters[:2]
        lines = [f"{number}. {stem}", *(f"{letter}. {text}" for letter, text in zip(letters, texts)), f"答案：{answer}"]
    elif kind == "truefalse":
        lines = [f"{number}. {stem}（ ）", f"答案：{draw(st.sampled_from(['对', '错', '√', '×']))}"]
    elif kind == "fill":
        lines = [f"{number}. {stem} ____ {draw(tricky_text)}", f"答案：{draw(tricky_text)}"]
    else:
        lines = [f"{number}. {stem}（3分）", f"参考答案：{draw(tricky_text)}"]
    if draw(st.booleans()):
        lines.append(f"解析：{draw(tricky_text)}")
    return lines


@st.composite
def generated_paper(draw) -> list[str]:
    count = draw(st.integers(1, 6))
    return [line for number in range(1, count + 1) for line in draw(generated_question(number))]


@FUZZ
@given(generated_paper())
def test_generated_papers_with_arbitrary_text_convert_to_a_bank_that_checks(lines):
    paper = Paper()
    for line in lines:
        paper.add(line)
    conversion = paper.read()
    assert_well_formed(conversion, paper.count)
    if not conversion.errors:
        assert conversion.drafts
        bank_of(conversion)


SPACES = " " * 100_000


@pytest.mark.parametrize("line", [
    "(" + SPACES + "3" + SPACES, "3" + SPACES + "分" + SPACES + "x", "1. 题（" + SPACES + "分" + SPACES,
    "一、单选题" + SPACES + "x", "Part 1 Single choice questions" + SPACES + "x", "（" + SPACES + "x",
    "1. x" + "（ ）" * 20_000 + "y",
], ids=["rubric", "points", "line-points", "heading", "english-heading", "parenthesis", "placeholders"])
def test_long_lines_take_linear_time(line):
    """Trailing `（5分）` / `（ ）` patterns over a line of many spaces must not backtrack quadratically."""
    import time
    paper = Paper()
    for text in ("1. 分析原因（3分）", "参考答案：x", "评分标准：", line, "分值：" + line):
        paper.add(text)
    data = paper.bytes()
    started = time.perf_counter()
    assert_well_formed(read_docx("long.docx", data))
    assert time.perf_counter() - started < 5  # quadratic backtracking takes minutes here


def test_a_question_with_a_problem_in_its_lines_is_not_converted():
    conversion = Paper().lines("""
        1. 分析原因。（3分）
        参考答案：连接未归还。
        评分标准：
        (3) 指出连接未归还
        没有分值的一行
        难度：易
        难度：难
    """).read()
    assert problems(conversion) == [
        ("error", "¶5", "a rubric line must start with its points, e.g. (3) 先确认影响范围, not '没有分值的一行'"),
        ("error", "¶7", "难度： is given twice for the question at ¶1: keep one"),
    ]
    assert conversion.drafts == []


def test_braces_beside_blanks_still_read_back_as_blanks():
    conversion = Paper().lines("""
        1. 字典写作 {____}，集合写作 {{____}}。
        答案：a；b
    """).read()
    assert problems(conversion) == []
    assert conversion.drafts[0].stem == "字典写作 { {{1}} }，集合写作 \\{{ {{2}} }}。"
    question = bank_of(conversion).questions[0]
    assert [blank["answers"] for blank in question.payload["blanks"]] == [["a"], ["b"]]


# --- An answer key at the end of the paper ------------------------------------------------------------------

KEYED_QUESTIONS = """
    网络基础测验
    一、单选题（每题2分）
    1. HTTPS 默认使用哪个端口？（ ）
    A. 80  B. 443  C. 8080  D. 22
    2. DNS 默认使用的端口是（ ）
    A. 80  B. 443  C. 53  D. 22
    3. 查看监听端口的命令是（ ）
    A. ss -ltn  B. df -h  C. top
    4. 表示“未找到”的状态码是（ ）
    A. 200  B. 301  C. 500  D. 404
    5. 跟踪路由的命令是（ ）
    A. tracert  B. ping  C. ipconfig
    6. 工作在网络层的设备是（ ）
    A. 集线器  B. 交换机  C. 路由器
    二、多选题（每题3分）
    7. 下列哪些协议工作在传输层？
    A. TCP  B. UDP  C. HTTP  D. ICMP
    8. 以下哪些是私有 IPv4 地址段？
    A. 10.0.0.0/8  B. 8.8.8.0/24  C. 192.168.0.0/16  D. 172.16.0.0/12
    9. 下列哪些属于非对称加密算法？
    A. AES  B. RSA  C. ECC  D. DES
    三、判断题（每题1分）
    10. ping 使用 ICMP 协议。（ ）
    11. RAID 1 可以替代备份。（ ）
    12. HTTP 是无状态协议。（ ）
    答案：对
    13. IPv6 地址长度为 64 位。（ ）
    四、填空题（每空1分）
    14. HTTPS 的默认端口是 ____，SSH 的默认端口是 ____。
    15. 安全版本的 HTTP 称为 ____。
    16. 一个字节等于 ____ 位。
    17. 圆周率 π 约等于 ____（保留两位小数）。
    五、简答题
    18. 请简述 DNS 缓存的作用。（4分）
    19. 用户无法访问公司内网，请简述排查思路。（6分）
    20. 简述 TCP 三次握手的过程。（3分）
"""
KEY = """
    参考答案及评分标准
    一、单选题
    1-5 BCADA
    6. C
    二、多选题
    7. AB\t8. ACD，9. BC
    解析：AES 和 DES 是对称加密算法。
    三、判断题
    10. √  11. ×  12. √  13. ×
    四、填空题
    14. 443；22
    15.HTTPS|SSL  16. 8
    17. 3.14±0.01
    五、简答题
    18. 在 TTL 内缓存应答，减少重复查询。
    19. 先确认影响范围，再逐层排查：
    1. 检查网络连通性；
    2. 检查 VPN 与账号状态。
    20. 客户端发送 SYN，服务器回复 SYN+ACK，客户端再发送 ACK。
    解析：三次握手用于同步双方的初始序列号。
"""


def choice(where, qtype, stem, texts, correct, points):
    return QuestionDraft(qtype=qtype, stem=stem, location=where, points=points,
                         options=[Option(text, letter in correct) for letter, text in zip("ABCD", texts)])


def keyed_drafts(paper: Paper) -> list[QuestionDraft]:
    """The drafts of KEYED_QUESTIONS with the answers of KEY."""
    def where(number: int) -> str:  # the question's ¶ (the first paragraph starting with its number)
        return next(location for text, location in paper.where.items() if text.startswith(f"{number}. "))
    return [
        choice(where(1), "single", "HTTPS 默认使用哪个端口？", ["80", "443", "8080", "22"], "B", 2.0),
        choice(where(2), "single", "DNS 默认使用的端口是", ["80", "443", "53", "22"], "C", 2.0),
        choice(where(3), "single", "查看监听端口的命令是", ["ss -ltn", "df -h", "top"], "A", 2.0),
        choice(where(4), "single", "表示“未找到”的状态码是", ["200", "301", "500", "404"], "D", 2.0),
        choice(where(5), "single", "跟踪路由的命令是", ["tracert", "ping", "ipconfig"], "A", 2.0),
        choice(where(6), "single", "工作在网络层的设备是", ["集线器", "交换机", "路由器"], "C", 2.0),
        choice(where(7), "multiple", "下列哪些协议工作在传输层？", ["TCP", "UDP", "HTTP", "ICMP"], "AB", 3.0),
        choice(where(8), "multiple", "以下哪些是私有 IPv4 地址段？",
               ["10.0.0.0/8", "8.8.8.0/24", "192.168.0.0/16", "172.16.0.0/12"], "ACD", 3.0),
        QuestionDraft(qtype="multiple", stem="下列哪些属于非对称加密算法？", location=where(9), points=3.0,
                      explanation="AES 和 DES 是对称加密算法。",
                      options=[Option("AES"), Option("RSA", True), Option("ECC", True), Option("DES")]),
        QuestionDraft(qtype="truefalse", stem="ping 使用 ICMP 协议。", location=where(10), points=1.0, answer=True),
        QuestionDraft(qtype="truefalse", stem="RAID 1 可以替代备份。", location=where(11), points=1.0, answer=False),
        QuestionDraft(qtype="truefalse", stem="HTTP 是无状态协议。", location=where(12), points=1.0, answer=True),
        QuestionDraft(qtype="truefalse", stem="IPv6 地址长度为 64 位。", location=where(13), points=1.0, answer=False),
        QuestionDraft(qtype="fill", stem="HTTPS 的默认端口是 {{1}}，SSH 的默认端口是 {{2}}。", location=where(14),
                      blanks=[Blank(["443"]), Blank(["22"])]),
        QuestionDraft(qtype="fill", stem="安全版本的 HTTP 称为 {{1}}。", location=where(15),
                      blanks=[Blank(["HTTPS", "SSL"])]),
        QuestionDraft(qtype="fill", stem="一个字节等于 {{1}} 位。", location=where(16), blanks=[Blank(["8"])]),
        QuestionDraft(qtype="fill", stem="圆周率 π 约等于 {{1}}（保留两位小数）。", location=where(17),
                      blanks=[Blank(["3.14"], 0.01)]),
        QuestionDraft(qtype="short", stem="请简述 DNS 缓存的作用。", location=where(18), points=4.0,
                      reference="在 TTL 内缓存应答，减少重复查询。"),
        QuestionDraft(qtype="short", stem="用户无法访问公司内网，请简述排查思路。", location=where(19), points=6.0,
                      reference="先确认影响范围，再逐层排查：\n1. 检查网络连通性；\n2. 检查 VPN 与账号状态。"),
        QuestionDraft(qtype="short", stem="简述 TCP 三次握手的过程。", location=where(20), points=3.0,
                      reference="客户端发送 SYN，服务器回复 SYN+ACK，客户端再发送 ACK。",
                      explanation="三次握手用于同步双方的初始序列号。"),
    ]


def keyed_paper(key: str = KEY) -> Paper:
    return Paper().lines(KEYED_QUESTIONS).lines(key)


def test_an_answer_key_at_the_end_answers_the_questions():
    paper = keyed_paper()
    conversion = paper.read()
    assert problems(conversion) == []
    assert counts(conversion) == {"single": 6, "multiple": 3, "truefalse": 4, "fill": 4, "short": 3}
    assert conversion.drafts == keyed_drafts(paper)
    assert conversion.title == "网络基础测验"
    bank = bank_of(conversion)
    assert [question.qtype for question in bank.questions] == [draft.qtype for draft in conversion.drafts]
    assert bank.questions[18].payload["reference"] == conversion.drafts[18].reference


@pytest.mark.parametrize("title", ["参考答案", "答案", "答案与解析", "Answer key", "【参考答案】", "参考答案：", "七、参考答案"])
def test_answer_key_titles(title):
    conversion = Paper().lines("""
        一、单选题
        1. HTTPS 默认使用哪个端口？
        A. 80  B. 443
        2. DNS 默认使用的端口是
        A. 53  B. 443
        二、判断题
        3. ping 使用 ICMP 协议。
    """).lines(title + "\n1. B 2. A\n3. 对").read()
    assert problems(conversion) == []
    assert [(draft.options and [o.correct for o in draft.options]) or draft.answer for draft in conversion.drafts] == [
        [False, True], [True, False], True]


def test_a_key_whose_numbering_restarts_in_each_part_is_matched_by_part_and_number():
    paper = Paper().lines("""
        一、单选题（每题2分）
        1. HTTPS 默认使用哪个端口？（ ）
        A. 80  B. 443  C. 8080
        2. DNS 默认使用的端口是（ ）
        A. 80  B. 443  C. 53
        二、判断题（每题1分）
        1. ping 使用 ICMP 协议。（ ）
        2. RAID 1 可以替代备份。（ ）
        答案：错
        3. 交换机工作在数据链路层。（√）
        三、填空题
        1. HTTPS 的默认端口是 ____，SSH 的默认端口是 ____。
        2. 一个字节等于 ____ 位。
        【参考答案】
        一、单选题答案
        1-2 BC
        二、判断题答案
        1. √  2. ×、3. √
        三、填空题答案
        1. 443；22
        2. 8
        解析：1 字节 = 8 位。
    """)
    conversion = paper.read()
    assert problems(conversion) == []
    where = paper.where
    assert conversion.drafts == [
        choice(where["1. HTTPS 默认使用哪个端口？（ ）"], "single", "HTTPS 默认使用哪个端口？", ["80", "443", "8080"], "B", 2.0),
        choice(where["2. DNS 默认使用的端口是（ ）"], "single", "DNS 默认使用的端口是", ["80", "443", "53"], "C", 2.0),
        QuestionDraft(qtype="truefalse", stem="ping 使用 ICMP 协议。", location=where["1. ping 使用 ICMP 协议。（ ）"],
                      points=1.0, answer=True),
        QuestionDraft(qtype="truefalse", stem="RAID 1 可以替代备份。", location=where["2. RAID 1 可以替代备份。（ ）"],
                      points=1.0, answer=False),
        QuestionDraft(qtype="truefalse", stem="交换机工作在数据链路层。", location=where["3. 交换机工作在数据链路层。（√）"],
                      points=1.0, answer=True),
        QuestionDraft(qtype="fill", stem="HTTPS 的默认端口是 {{1}}，SSH 的默认端口是 {{2}}。",
                      location=where["1. HTTPS 的默认端口是 ____，SSH 的默认端口是 ____。"],
                      blanks=[Blank(["443"]), Blank(["22"])]),
        QuestionDraft(qtype="fill", stem="一个字节等于 {{1}} 位。", location=where["2. 一个字节等于 ____ 位。"],
                      blanks=[Blank(["8"])], explanation="1 字节 = 8 位。"),
    ]
    bank_of(conversion)


@pytest.mark.parametrize(("old", "new", "expected"), [
    pytest.param("10. √  11. ×  12. √  13. ×", "10. √  11. ×  12. ×  13. ×",
                 [("10. √  11. ×  12. ×  13. ×", "the answer key gives '×' for question 12, but the question at "
                   "%(12)s has the answer '对': keep one of them")], id="conflicting-answer"),
    pytest.param("17. 3.14±0.01", "17. 3.14±0.01\n21. D",
                 [("21. D", "the answer key gives an answer for question 21, but the paper has no question 21: "
                   "correct the number")], id="unknown-number"),
    pytest.param("  16. 8", "",
                 [("16. 一个字节等于 ____ 位。", "no answer for this question: add a line 答案：… below it (参考答案：… "
                   "for a written answer)")], id="missing-entry"),
    pytest.param("1-5 BCADA", "1-5 BCAD",
                 [("1-5 BCAD", "the answer key's range 1-5 has 5 questions but gives 4 answer(s): give one answer a "
                   "question, e.g. 1-5 BCADA"),
                  *((text, "no answer for this question: add a line 答案：… below it (参考答案：… for a written answer)")
                    for text in ["1. HTTPS 默认使用哪个端口？（ ）", "2. DNS 默认使用的端口是（ ）", "3. 查看监听端口的命令是（ ）",
                                 "4. 表示“未找到”的状态码是（ ）", "5. 跟踪路由的命令是（ ）"])], id="range-count"),
])
def test_answer_key_problems_are_reported_where_they_are(old, new, expected):
    key = textwrap.dedent(KEY)
    assert old.strip() in key
    paper = keyed_paper(key.replace(old.strip(), new.strip()) if new else key.replace(old, ""))
    conversion = paper.read()
    numbers = {"12": paper.where["12. HTTP 是无状态协议。（ ）"]}
    assert problems(conversion) == [("error", paper.where[text], message % numbers if "%(" in message else message)
                                    for text, message in expected]
    unanswered = [text for text, _ in expected if text in KEYED_QUESTIONS] + ["12."] * ("12. ×" in new)
    assert len(conversion.drafts) == 20 - len(unanswered)  # a question with a problem is not converted


def test_a_bare_answer_label_below_a_written_question_stays_its_answer():
    """参考答案： and a numbered list below a short question is its reference answer, not a key."""
    conversion = Paper().lines("""
        1. 请简述排查思路。（6分）
        参考答案：
        1. 确认影响范围；
        2. 检查网络连通性。
    """).read()
    assert problems(conversion) == []
    assert conversion.drafts[0].reference == "1. 确认影响范围；\n2. 检查网络连通性。"


@st.composite
def generated_keyed_paper(draw) -> list[str]:
    """A generated paper with its answers moved to a key at the end (as `n. answer`, some on one line)."""
    questions, entries = [], []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        lines = draw(generated_question(number))
        answer = next(line for line in lines if line.startswith(("答案：", "参考答案：")))
        questions += [line for line in lines if line is not answer]
        entries.append(f"{number}. {answer.split('：', 1)[1]}")
    title = draw(st.sampled_from(["参考答案", "答案与解析", "【参考答案】", "Answer key"]))
    return [*questions, title, *(draw(st.sampled_from(["  ", "\n"])).join(entries)).split("\n")]


@FUZZ
@given(generated_keyed_paper())
def test_generated_papers_with_an_answer_key_convert_to_a_bank_that_checks(lines):
    paper = Paper()
    for line in lines:
        paper.add(line)
    conversion = paper.read()
    assert_well_formed(conversion, paper.count)
    if not conversion.errors:
        assert conversion.drafts
        bank_of(conversion)
