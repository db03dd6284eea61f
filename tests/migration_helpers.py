"""Shared by the data-migration tests: an app whose schema `flask db upgrade` built, and the revision
before a given one (to stamp a database back to it and run one upgrade)."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from examengine.extensions import db, migrate
from tests.conftest import make_app


@pytest.fixture
def migrated_app(tmp_path):
    """An app whose database was built by `flask db upgrade`; left as create_all builds it."""
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()  # on PostgreSQL the shared test database may hold tables from create_all
        _drop_alembic_version()
        upgrade()
        yield app
        db.session.remove()
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()


def _drop_alembic_version():
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def previous_revision(revision: str) -> str:
    config = migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision
