"""written answers are grouped keeping letter case and line breaks

The grouping key of a written answer (`attempt_slots.response_key`) used to fold letter case and every
whitespace, so `grep -i ERROR app.log` and `GREP -I error APP.LOG` shared a key and one mark. The key
is now computed from NFKC, trimmed text with runs of spaces collapsed only (`core.text.normalize_written`).

The keys of answers still waiting for a reviewer are cleared here (blank answers keep theirs, "");
the grading queue recomputes a missing key on first use (`services.grading.queue._backfill_keys`),
with the current rule, so no waiting answer keeps a group it no longer belongs to. A migration must
not import the application's code, hence clearing rather than recomputing. Marked answers keep their
keys: their groups are history. Downgrade clears them the same way, for the old rule to refill.

Revision ID: f5c6d7e8f9a0
Revises: c7d1e2f3a4b5
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f5c6d7e8f9a0"
down_revision = "c7d1e2f3a4b5"
branch_labels = None
depends_on = None


def _clear_waiting_keys() -> None:
    slots = sa.table("attempt_slots", sa.column("needs_grading", sa.Boolean),
                     sa.column("response_key", sa.String(40)))
    op.execute(slots.update()
               .where(slots.c.needs_grading.is_(True), slots.c.response_key.is_not(None),
                      slots.c.response_key != "")
               .values(response_key=None))


def upgrade():
    _clear_waiting_keys()


def downgrade():
    _clear_waiting_keys()
