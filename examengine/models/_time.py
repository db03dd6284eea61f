from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL (timestamp without time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
