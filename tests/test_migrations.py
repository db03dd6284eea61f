"""`flask db upgrade` builds exactly the schema the models describe, and downgrades cleanly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from examengine.extensions import db
from tests.conftest import make_app


def test_upgrade_matches_the_models_and_downgrade_empties(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()  # on PostgreSQL the shared test database may hold tables from create_all
        _drop_alembic_version()
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        _drop_alembic_version()
        db.create_all()  # leave the schema the other tests expect
        db.engine.dispose()


def _drop_alembic_version():
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
