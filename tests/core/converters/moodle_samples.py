"""Moodle XML files as Moodle writes them (question/format/xml/format.php), for test_moodle_xml.py."""
from __future__ import annotations

import base64
import struct
import zlib


def tiny_png() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = tiny_png()
PNG_BASE64 = base64.b64encode(PNG).decode("ascii")


def quiz(*questions: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "".join(questions) + "</quiz>\n").encode("utf-8")


def header(name: str, text: str, *, fmt: str = "html", feedback: str = "", grade: str | None = "1.0000000",
           idnumber: str = "", files: str = "") -> str:
    """The elements every question starts with; `grade=None` leaves out <defaultgrade> (Moodle's cloze)."""
    grade_line = f"    <defaultgrade>{grade}</defaultgrade>\n" if grade is not None else ""
    return f"""    <name>
      <text>{name}</text>
    </name>
    <questiontext format="{fmt}">
      <text><![CDATA[{text}]]></text>
{files}    </questiontext>
    <generalfeedback format="{fmt}">
      <text><![CDATA[{feedback}]]></text>
    </generalfeedback>
{grade_line}    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>{idnumber}</idnumber>
"""


def tags(*names: str) -> str:
    return "    <tags>\n" + "".join(f"      <tag><text>{name}</text>\n</tag>\n" for name in names) + "    </tags>\n"


def answer(fraction: str, text: str, *, fmt: str = "html", feedback: str = "", extra: str = "") -> str:
    return f"""    <answer fraction="{fraction}" format="{fmt}">
      <text><![CDATA[{text}]]></text>
      <feedback format="html">
        <text><![CDATA[{feedback}]]></text>
      </feedback>
{extra}    </answer>
"""


COMBINED_FEEDBACK = """    <correctfeedback format="html">
      <text>你的回答正确。</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>你的回答部分正确。</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>你的回答不正确。</text>
    </incorrectfeedback>
    <shownumcorrect/>
"""


def category(path: str, info: str = "") -> str:
    return f"""  <!-- question: 0  -->
  <question type="category">
    <category>
      <text>{path}</text>
    </category>
    <info format="moodle_auto_format">
      <text>{info}</text>
    </info>
    <idnumber></idnumber>
  </question>
"""


def multichoice(name: str, text: str, answers: str, *, single: str = "true", shuffle: str = "true",
                more: str = "", **header_options) -> str:
    return f"""  <!-- question: 101  -->
  <question type="multichoice">
{header(name, text, **header_options)}    <single>{single}</single>
    <shuffleanswers>{shuffle}</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
{COMBINED_FEEDBACK}{answers}{more}  </question>
"""


def question(qtype: str, name: str, text: str, body: str = "", **header_options) -> str:
    return f"""  <!-- question: 102  -->
  <question type="{qtype}">
{header(name, text, **header_options)}{body}  </question>
"""


def realistic_export() -> bytes:
    """A course's question bank as Moodle 4 exports it: every Moodle type, Chinese text, HTML."""
    image = f'<file name="拓扑图.png" path="/" encoding="base64">{PNG_BASE64}</file>\n'
    return quiz(
        category("$course$/top"),
        category("$course$/top/网络基础", "网络基础题目"),
        multichoice(
            "HTTPS 默认端口",
            '<p dir="ltr">如图所示，用户访问 <strong>https://portal.example.com</strong>，默认连接哪个端口？</p>'
            '<p><img src="@@PLUGINFILE@@/%E6%8B%93%E6%89%91%E5%9B%BE.png" alt="网络拓扑" width="300"></p>',
            answer("0", "<p>80</p>", feedback="<p>80 是 HTTP 的端口。</p>") + answer("100", "<p>443</p>")
            + answer("0", "<p>8080</p>"),
            files=image, idnumber="net-001", feedback="<p>HTTPS 默认端口是 443。</p>",
            more=tags("端口", "协议"),
        ),
        multichoice(
            "传输层协议", "<p>哪些协议工作在传输层？</p>",
            answer("50", "TCP") + answer("50", "UDP") + answer("-100", "HTTP") + answer("-100", "ICMP"),
            single="false", shuffle="false", grade="2.0000000",
        ),
        multichoice(
            "加权多选", "<p>以下哪些是常见的日志级别？</p>",
            answer("60", "ERROR") + answer("40", "WARN") + answer("0", "LOUD"),
            single="false",
        ),
        question(
            "truefalse", "ping 使用 ICMP", "<p>ping 命令使用 ICMP 协议。</p>",
            answer("100", "true", fmt="moodle_auto_format") + answer("0", "false", fmt="moodle_auto_format"),
        ),
        category("$course$/top/网络基础/操作系统"),
        question(
            "shortanswer", "文件权限", "<p>Linux 文件权限 rwxr-x--- 用八进制表示为 ____ 。</p>",
            "    <usecase>0</usecase>\n"
            + answer("100", "750", fmt="moodle_auto_format") + answer("100", "0750", fmt="moodle_auto_format")
            + answer("50", "75", fmt="moodle_auto_format"),
            idnumber="os-002",
        ),
        question(
            "shortanswer", "命令名", "查看监听端口的 Linux 命令", fmt="plain_text",
            body="    <usecase>1</usecase>\n" + answer("100", "ss", fmt="moodle_auto_format")
            + answer("100", "net*", fmt="moodle_auto_format"),
        ),
        question(
            "numerical", "可用性", "<p>99.99% 可用性对应的全年停机时间约为多少分钟？</p>",
            answer("100", "52.56", fmt="moodle_auto_format", extra="      <tolerance>0.5</tolerance>\n")
            + """    <units>
      <unit>
        <multiplier>1</multiplier>
        <unit_name>分钟</unit_name>
      </unit>
      <unit>
        <multiplier>0.016666667</multiplier>
        <unit_name>小时</unit_name>
      </unit>
    </units>
    <unitgradingtype>0</unitgradingtype>
    <unitpenalty>0.1000000</unitpenalty>
    <showunits>0</showunits>
    <unitsleft>0</unitsleft>
""",
            grade="3.0000000",
        ),
        question(
            "essay", "连接池耗尽",
            "<p>阅读案例，分析根因并给出处理步骤。</p><h3>案例</h3><p>高峰期间歇性超时，日志出现 "
            "<code>Timeout waiting for connection</code>。</p>",
            """    <responseformat>editor</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>15</responsefieldlines>
    <attachments>0</attachments>
    <attachmentsrequired>0</attachmentsrequired>
    <graderinfo format="html">
      <text><![CDATA[<p>连接未归还导致连接池耗尽。</p><h3>评分标准</h3><ul><li>(4) 指出连接泄漏</li><li>(6) 给出修复</li></ul>]]></text>
    </graderinfo>
    <responsetemplate format="html">
      <text></text>
    </responsetemplate>
""",
            grade="10.0000000",
        ),
        question(
            "essay", "心得体会", "<p>谈谈你对驻场服务的理解。</p>",
            """    <responseformat>editor</responseformat>
    <graderinfo format="html">
      <text></text>
    </graderinfo>
""",
        ),
        question(
            "cloze", "私有地址段",
            "<p>私有地址段有 172.16.0.0/{1:NM:=12} 和 {2:SHORTANSWER:=192.168.0.0/16~=192.168.0.0 255.255.0.0"
            "#正确~%50%192.168.0.0#写出掩码}。</p>", grade=None,
        ),
        question("cloze", "协议选择", "<p>网页默认使用 {1:MULTICHOICE:=HTTPS~HTTP~FTP} 协议。</p>", grade=None),
        question(
            "matching", "端口配对", "<p>把协议与端口配对。</p>",
            """    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html">
      <text><![CDATA[<p>HTTPS</p>]]></text>
      <answer><text>443</text></answer>
    </subquestion>
""",
        ),
        question(
            "calculated", "带宽计算", "<p>{a} Mbps 下载 {b} MB 需要多少秒？</p>",
            answer("100", "{b}*8/{a}", extra="      <tolerance>0.01</tolerance>\n"),
        ),
        question("description", "说明", "<p>以下题目考察网络基础。</p>", grade="0.0000000"),
        question("ddwtos", "拖放", "<p>把 [[1]] 拖到正确位置。</p>"),
        question("gapselect", "选词", "<p>选择 [[1]]。</p>"),
        question("calculatedmulti", "多选计算", "<p>{x} + 1 = ?</p>"),
        question("randomsamatch", "随机匹配", "<p></p>"),
        question("random", "随机题", "0"),
        question("ordering", "排序题", "<p>把步骤排序。</p>"),
    )


# A bank with every type and feature our format has, for the round trip (export, read back, same questions).
CRAFTED_BANK = r"""---
id: crafted
title: 全功能/题库
dimension: 专业技能
tags: 默认
---

# 网络

## [单选] HTTPS 端口
id: c-001
points: 1.5
difficulty: 易
tags: 端口, 协议
shuffle: false

访问 `https://example.com` 默认连接哪个端口？

- \[x] 这一行是题干里的示例，不是选项

- [ ] 80
- [x] 443
    也写作 `:443`
- [ ] 8080

### 解析
HTTPS 默认 **443**。

## [多选] 传输层协议
scoring: partial
difficulty: 2
dimension: 协议理解

- [x] TCP
- [x] UDP
- [ ] HTTP

## [多选] 全对才得分
scoring: all-or-nothing

哪些是私有地址？

- [x] 10.1.1.1
- [x] 172.16.0.1
- [x] 192.168.1.1
- [ ] 8.8.8.8

## [多选]
id: c-004

由考试决定计分方式，且没有标题。

- [x] 1
- [x] 2
- [x] 3
- [x] 4
- [x] 5
- [x] 6
- [x] 7
- [x] 8
- [x] 9
- [x] 10
- [x] 11
- [ ] 12

## [判断] ping 使用 ICMP
answer: 对

ping 使用 ICMP 协议。

## [判断]
answer: false

RAID 1 可以代替备份。

# 填空

## [填空] 单空文本
case_sensitive: true

安全版本的 HTTP 是 {{HTTPS|HTTP over TLS}}。

## [填空] 单空数字
HTTPS 的默认端口是 {{443}}。

## [填空] 容差
points: 2
π 约等于 {{3.14 ± 0.01}}，单位后缀见下文。

## [填空] 零容差
答案是 {{5 ± 0}}。

## [填空] 多空
points: 3
HTTPS 默认端口 {{443}}，SSH 默认端口 {{22}}，可用性 {{99.9 ± 0.05}}%，协议 {{TCP\|UDP}}。

## [填空] 特殊字符
case_sensitive: true
这些答案含特殊字符：{{a}b#c~d}}，{{*.log}}，{{R&D}}，{{C:\}}，{{&lt;}}，以及字面量 \{{不是空}}。

## [填空] 下划线
变量名 `__init__` 与 snake_case___x 里的 {{下划线}}。

## [填空]
case_sensitive: true

只有数字并且区分大小写 {{42}}。

## [填空] 代码里的空
```bash
ssh -p {{22}} user@host
```

# 主观

## [简答] DNS 缓存
points: 2

解释 DNS 缓存。

```markdown
### 案例
这只是代码块里的一行
```

### 参考答案
解析器在 TTL 内缓存结果。

```
### 评分标准
代码里的
```

## [简答] 带评分标准的简答
### 案例
某客户反馈**间歇性超时**。

### 参考答案
先看日志。

### 评分标准
- (1) 提到日志
- (1.5) 提到监控

## [分析题] 数据库连接池耗尽
points: 10
dimension: 故障诊断
difficulty: 5

阅读案例，分析最可能的根因，并给出处理步骤。

### 案例
某客户反馈系统在业务高峰期间歇性超时，应用日志出现 `Timeout waiting for connection from pool`。

| 时间 | 现象 |
|---|---|
| 10:00 | 超时 |

### 参考答案
连接未归还导致连接池耗尽。

1. 确认影响范围
2. 定位泄漏

### 评分标准
- (3) 确认影响范围和时间线
- (4) 指出连接泄漏并给出证据
- (3) 给出临时缓解和根本修复

### 解析
高峰期超时 + 连接池等待日志，是连接泄漏的典型表现。
"""
