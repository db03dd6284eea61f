"""Samples for the QTI tests: a bank with every type and feature, and a package as another tool writes it."""
from __future__ import annotations

import io
import zipfile

# Every type and feature our format has, with Chinese text throughout.
CRAFTED_BANK = r'''---
id: 全功能
title: 全功能题库
description: QTI 往返测试
tags: [默认标签]
---

# 网络

## [单选题] HTTPS 默认端口
id: 端口.001
points: 1.5
difficulty: 2
tags: 协议, 端口
dimension: 专业技能
shuffle: false

HTTPS 默认使用哪个端口？下面的命令可以查看：

```bash
ss -ltn | grep 443
- [x] 这一行在代码里，不是选项
```

| 协议 | 端口 |
|:--|--:|
| HTTP | 80 |

- [ ] 80
- [x] 443
- [ ] `8080`
    （备用端口，续行）
- [ ] ![图示](img/port.png)

### 解析
见 **RFC 2818**：HTTPS 默认端口是 443。

## [多选题] 传输层协议
id: 2024-多选
scoring: partial
difficulty: 易

哪些协议工作在传输层？

- [x] TCP
- [x] UDP
- [ ] HTTP
- [ ] ICMP

## [多选] 全对才得分
scoring: all-or-nothing
points: 3

以下哪些是 *私有* 地址段？

- [x] 10.0.0.0/8
- [x] 192.168.0.0/16
- [ ] 8.8.8.0/24

## [多选] 不写计分方式

选出偶数：

- [ ] 1
- [x] 2
- [x] 4

## [判断题] ping 使用 ICMP
answer: 对
difficulty: 5

ping 通过 ICMP Echo Request 测试连通性。

## [truefalse]
answer: false

RAID 1 可以代替备份。

### 解析
RAID 只防硬盘故障，不防误删。

# 填空

## [填空题] 多个空
id: fill.多空
case_sensitive: true
points: 4

安全的 HTTP 是 {{HTTPS|HTTP over TLS}}，π ≈ {{3.14 ± 0.01}}，字面量 \{{不是空}}，
管道符 {{a\|b}}，可用性 {{99.9}}%，代码里的空 `x = {{1024}}`。

#### 小标题也是题干

## [填空] 链接和图片里的空
tags: 特殊

[端口 {{443}}](https://example.com/443) 以及 ![示意图 {{22}}](img/ssh.png) 和普通的 {{80}}。

## [填空] 只有容差空却区分大小写
case_sensitive: true

圆周率约为 {{3.1416 ± 0.0001}}。

# 主观题

## [简答题] DNS 缓存
points: 4
dimension: 专业技能

说明 DNS 缓存的作用。

### 参考答案
解析器在记录的 TTL 内缓存应答，**变更要等 TTL 过期**才生效。

## [简答题] 带评分标准的简答

简述三次握手。

### 参考答案
1. SYN
2. SYN + ACK
3. ACK

### 评分标准
- (1) 写出 SYN
- (1.5) 写出 SYN + ACK 与 `ACK`

## [分析题] 数据库连接池耗尽
id: 分析-01
points: 10
dimension: 故障诊断
tags: 数据库, 案例

阅读案例，分析最可能的根因，并给出处理步骤。

### 案例
某客户反馈系统在业务高峰期间歇性超时，应用日志出现：

```text
Timeout waiting for connection from pool
```

> 客户：“每天上午十点都会卡。”

### 参考答案
连接未归还导致连接池耗尽。先确认影响范围，再通过连接池监控定位泄漏的代码路径……

### 评分标准
- (3) 确认影响范围和时间线
- (4) 指出连接泄漏并给出证据
- (3) 给出临时缓解和根本修复

### 解析
高峰期超时 + 连接池等待日志，是连接泄漏的典型表现。
'''


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


QTI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.imsglobal.org/xsd/imsqti_v2p1 '
            'http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd" ')

# Items as an authoring tool writes them: standard templates, prompts, plain text choices, no Markdown.
FOREIGN_ITEMS = {
    "choice.xml": QTI_HEAD + '''identifier="choice" title="默认网关" adaptive="false" timeDependent="false"
    toolName="TAO" toolVersion="3.4">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>choice_2</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>在 Windows 上查看<strong>默认网关</strong>用哪个命令？</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>请选择一项：</prompt>
      <simpleChoice identifier="choice_1">ping</simpleChoice>
      <simpleChoice identifier="choice_2"><code>ipconfig</code></simpleChoice>
      <simpleChoice identifier="choice_3">tracert</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="fb" showHide="show"><p>ipconfig 显示网关。</p></modalFeedback>
</assessmentItem>
''',
    "multi.xml": QTI_HEAD + '''identifier="multi" title="传输层" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
    <correctResponse><value>tcp</value><value>udp</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="2"/>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="0">
      <prompt>哪些是传输层协议？</prompt>
      <simpleChoice identifier="tcp">TCP</simpleChoice>
      <simpleChoice identifier="udp">UDP</simpleChoice>
      <simpleChoice identifier="ip">IP</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>
''',
    "tf.xml": QTI_HEAD + '''identifier="tf" title="RAID 与备份" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <itemBody>
    <p>RAID 1 可以代替备份。</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <simpleChoice identifier="A">正确</simpleChoice>
      <simpleChoice identifier="B">错误</simpleChoice>
    </choiceInteraction>
  </itemBody>
</assessmentItem>
''',
    "text.xml": QTI_HEAD + '''identifier="text" title="安全协议" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">
    <correctResponse><value>HTTPS</value></correctResponse>
    <mapping defaultValue="0">
      <mapEntry mapKey="HTTPS" mappedValue="1" caseSensitive="false"/>
      <mapEntry mapKey="HTTP over TLS" mappedValue="1" caseSensitive="false"/>
    </mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>安全的 HTTP 叫作 <textEntryInteraction responseIdentifier="RESPONSE" expectedLength="10"/>，写法 {{x}} 不是空。</p>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>
''',
    "number.xml": QTI_HEAD + '''identifier="number" title="圆周率" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="PI" cardinality="single" baseType="float">
    <correctResponse><value>3.14</value></correctResponse>
  </responseDeclaration>
  <responseDeclaration identifier="PORT" cardinality="single" baseType="integer">
    <correctResponse><value>22</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>π ≈ <textEntryInteraction responseIdentifier="PI"/>；SSH 端口 <textEntryInteraction responseIdentifier="PORT"/>。</p>
  </itemBody>
  <responseProcessing>
    <responseCondition>
      <responseIf>
        <equal toleranceMode="absolute" tolerance="0.01 0.01">
          <variable identifier="PI"/><correct identifier="PI"/>
        </equal>
        <setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue>
      </responseIf>
    </responseCondition>
  </responseProcessing>
</assessmentItem>
''',
    "essay.xml": QTI_HEAD + '''identifier="essay" title="DNS 缓存" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string"/>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="5"/>
  <itemBody>
    <rubricBlock view="candidate"><p>请用三句话以内作答。</p></rubricBlock>
    <p>说明 DNS 缓存的作用。</p>
    <extendedTextInteraction responseIdentifier="RESPONSE" expectedLines="5"/>
    <rubricBlock view="scorer"><p>提到 <em>TTL</em> 与解析器缓存。</p><img src="images/dns.png" alt="DNS"/></rubricBlock>
  </itemBody>
</assessmentItem>
''',
    "match.xml": QTI_HEAD + '''identifier="match" title="配对" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="directedPair"/>
  <itemBody>
    <matchInteraction responseIdentifier="RESPONSE" shuffle="false" maxAssociations="2">
      <simpleMatchSet><simpleAssociableChoice identifier="a" matchMax="1">HTTP</simpleAssociableChoice></simpleMatchSet>
      <simpleMatchSet><simpleAssociableChoice identifier="x" matchMax="1">80</simpleAssociableChoice></simpleMatchSet>
    </matchInteraction>
  </itemBody>
</assessmentItem>
''',
    "mixed.xml": QTI_HEAD + '''identifier="mixed" title="混合" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="R1" cardinality="single" baseType="identifier"/>
  <responseDeclaration identifier="R2" cardinality="single" baseType="string"/>
  <itemBody>
    <choiceInteraction responseIdentifier="R1" maxChoices="1"><simpleChoice identifier="a">甲</simpleChoice></choiceInteraction>
    <p>补充：<textEntryInteraction responseIdentifier="R2"/></p>
  </itemBody>
</assessmentItem>
''',
}

FOREIGN_MANIFEST = '''<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2"
    identifier="MANIFEST-1">
  <metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata>
  <organizations/>
  <resources>
    <resource identifier="test" type="imsqti_test_xmlv2p1" href="tests/test.xml"><file href="tests/test.xml"/></resource>
    <resource identifier="r-choice" type="imsqti_item_xmlv2p1" href="items/choice.xml">
      <metadata>
        <imsmd:lom>
          <imsmd:general>
            <imsmd:keyword><imsmd:langstring xml:lang="zh">网络</imsmd:langstring></imsmd:keyword>
            <imsmd:keyword><imsmd:langstring xml:lang="zh">Windows</imsmd:langstring></imsmd:keyword>
          </imsmd:general>
          <imsmd:educational>
            <imsmd:difficulty>
              <imsmd:source><imsmd:langstring xml:lang="x-none">LOMv1.0</imsmd:langstring></imsmd:source>
              <imsmd:value><imsmd:langstring xml:lang="x-none">difficult</imsmd:langstring></imsmd:value>
            </imsmd:difficulty>
          </imsmd:educational>
        </imsmd:lom>
      </metadata>
      <file href="items/choice.xml"/>
    </resource>
    <resource identifier="r-multi" type="imsqti_item_xmlv2p1" href="items/multi.xml"><file href="items/multi.xml"/></resource>
    <resource identifier="r-tf" type="imsqti_item_xmlv2p1" href="items/tf.xml"><file href="items/tf.xml"/></resource>
    <resource identifier="r-text" type="imsqti_item_xmlv2p1" href="items/text.xml"><file href="items/text.xml"/></resource>
    <resource identifier="r-number" type="imsqti_item_xmlv2p1" href="items/number.xml"><file href="items/number.xml"/></resource>
    <resource identifier="r-essay" type="imsqti_item_xmlv2p1" href="items/essay.xml">
      <file href="items/essay.xml"/><file href="items/images/dns.png"/>
    </resource>
    <resource identifier="r-match" type="imsqti_item_xmlv2p1" href="items/match.xml"><file href="items/match.xml"/></resource>
    <resource identifier="r-mixed" type="imsqti_item_xmlv2p1" href="items/mixed.xml"><file href="items/mixed.xml"/></resource>
    <resource identifier="r-gone" type="imsqti_item_xmlv2p1" href="items/gone.xml"><file href="items/gone.xml"/></resource>
  </resources>
</manifest>
'''

FOREIGN_TEST = '''<?xml version="1.0" encoding="UTF-8"?>
<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="t" title="外部工具的试卷">
  <testPart identifier="p" navigationMode="linear" submissionMode="individual">
    <assessmentSection identifier="s" title="s" visible="true">
      <assessmentItemRef identifier="choice" href="../items/choice.xml"/>
    </assessmentSection>
  </testPart>
</assessmentTest>
'''

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def foreign_package() -> bytes:
    files: dict[str, bytes | str] = {"imsmanifest.xml": FOREIGN_MANIFEST, "tests/test.xml": FOREIGN_TEST,
                                     "items/images/dns.png": PNG}
    files.update({f"items/{name}": xml for name, xml in FOREIGN_ITEMS.items()})
    return zip_of(files)
