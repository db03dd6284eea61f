"""Shared by the data-migration tests (their `migrated_app` fixture is in conftest.py): the revision
before a given one, to stamp a database back to it and run one upgrade."""
from __future__ import annotations

from alembic.script import ScriptDirectory

from examengine.extensions import migrate


def previous_revision(revision: str) -> str:
    config = migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision
