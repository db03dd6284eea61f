"""The stored HTML of question versions (`question_versions.rendered`), for every page that shows one.

Imports store it with each new version; a version stored before that, or under an older
`RENDER_VERSION`, is rendered on first use and stored in a transaction of its own (its own
connection), so the caller's transaction is neither committed nor rolled back by it. When that store
cannot happen (the caller's connection holds SQLite's write lock, or a lock does not come within
LOCK_TIMEOUT), the page still shows the freshly rendered HTML and a later page stores it.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from ...core.markup import RENDER_VERSION
from ...core.qtypes import Renderer, render_fragments, stored_renderer
from ...extensions import db
from ...models import QuestionVersion

log = logging.getLogger(__name__)

LOCK_TIMEOUT = "2s"  # PostgreSQL: how long the store waits for a row lock before giving up


def version_renderer(version: QuestionVersion) -> Renderer:
    """The renderer over `version`'s stored HTML (filled first if missing or stale)."""
    return version_renderers([version])[version.id]


def version_renderers(versions: Iterable[QuestionVersion]) -> dict[int, Renderer]:
    """Version id -> renderer over its stored HTML, for each of `versions` (one store for all the
    versions that had none or a stale one)."""
    renderers: dict[int, Renderer] = {}
    missing: dict[int, dict] = {}
    for version in versions:
        if version.id in renderers:
            continue
        renderer = stored_renderer(version.rendered)
        if renderer is None:
            value = render_fragments(version.qtype, version.payload or {}, version.stem or "",
                                     version.explanation or "")
            renderer = stored_renderer(value)
            missing[version.id] = value
            # The object now says what the row will say; no flush of the caller's ever writes it.
            set_committed_value(version, "rendered", value)
        renderers[version.id] = renderer
    if missing:
        _store(missing)
    return renderers


def _store(values: dict[int, dict]) -> None:
    if _holds_sqlite_write_lock():
        return  # a second connection would wait on our own lock; a later page stores it
    table = QuestionVersion.__table__
    column = table.c.rendered
    statement = (
        update(table)
        .where(table.c.id == bindparam("version_id"),
               or_(column.is_(None), column["v"].as_integer().is_(None),
                   column["v"].as_integer() < RENDER_VERSION))  # never replace a newer process's HTML
        .values(rendered=bindparam("value"))
    )
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            connection.execute(statement, [{"version_id": vid, "value": value} for vid, value in values.items()])
    except SQLAlchemyError as error:  # shown right anyway; stored by a later page
        log.warning("could not store the rendered HTML of question versions %s: %s", sorted(values), error)


def _holds_sqlite_write_lock() -> bool:
    session = db.session()
    if not session.in_transaction() or db.engine.dialect.name != "sqlite":
        return False
    raw = session.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))
