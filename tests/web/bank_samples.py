"""Sample banks and helpers shared by the admin bank page tests."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Bank, Question
from examengine.services.banks import import_banks

NET = """---
id: net
title: 网络基础
dimension: 产品技术知识
---

# 协议

## [single] HTTPS 默认端口
id: https-port
difficulty: 2
tags: TLS

HTTPS 默认使用哪个**端口**？

- [ ] 80
- [x] 443

### 解析

443 是 HTTPS 的标准端口。

## [truefalse] UDP 无连接
id: udp
difficulty: 1
answer: 对

UDP 是无连接协议。

## [short] 排查思路
id: triage
dimension: 故障诊断

用户反馈网页打不开，你会如何排查？

### 参考答案

先确认影响范围，再逐层排查。

### 评分标准

- (2) 确认影响范围
- (3) 分层定位
"""

BAD = """## [single] 两个正确选项

选哪个？

- [x] A
- [x] B
"""


def upload(client, *files, **extra):
    data = {"files": [(io.BytesIO(content), name) for name, content in files], **extra}
    return client.post("/admin/banks/upload", data=data, content_type="multipart/form-data")


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Bank))


def seed(app, *files):
    with app.app_context():
        report = import_banks([(name, text.encode()) for name, text in files], max_bytes=1 << 20)
        assert report.ok, report.errors


def question_id(app, identity: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).where(Question.identity == identity))
