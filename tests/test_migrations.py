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


def test_the_login_throttle_migration_keeps_the_users_both_ways(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        upgrade(revision="5bd54661b9db")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, username, display_name, password_hash, active, failed_logins, "
                "session_nonce, created_at) VALUES (1, 'alice', '', 'h', TRUE, 2, 'n', '2026-11-21 08:00:00')")
        upgrade(revision="e2b7c4d9a1f3")
        columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
        assert "failed_logins" not in columns and "locked_until" not in columns
        assert "login_throttles" in inspect(db.engine).get_table_names()
        downgrade(revision="5bd54661b9db")
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT username, failed_logins, locked_until FROM users").all()
        assert [tuple(row) for row in rows] == [("alice", 0, None)]
        assert "login_throttles" not in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()
