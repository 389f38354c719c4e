"""Survey fields and service recovery on items; survey mappings and imports; alerts.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("ces", sa.Integer))
        batch.add_column(sa.Column("survey_field", sa.String(200)))
        batch.add_column(sa.Column("very_unhappy", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("very_unhappy_reasons", sa.JSON))
        batch.add_column(sa.Column("recovery_due_at", UTCDateTime))
        batch.add_column(sa.Column("recovery_outcome", sa.String(30)))
        batch.add_column(sa.Column("recovery_outcome_at", UTCDateTime))
        batch.add_column(sa.Column("recovery_actor", sa.String(200)))
    op.create_table(
        "survey_mappings",
        sa.Column("survey", sa.String(200), primary_key=True),
        sa.Column("vendor", sa.String(40), nullable=False),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "survey_imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("vendor", sa.String(40), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("items_landed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_refused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("problems", sa.JSON, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("acknowledged_by", sa.String(200)),
        sa.Column("acknowledged_at", UTCDateTime),
        sa.Column("delivered_at", UTCDateTime),
        sa.Column("delivery_error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("survey_imports")
    op.drop_table("survey_mappings")
    with op.batch_alter_table("items") as batch:
        for column in (
            "recovery_actor",
            "recovery_outcome_at",
            "recovery_outcome",
            "recovery_due_at",
            "very_unhappy_reasons",
            "very_unhappy",
            "survey_field",
            "ces",
        ):
            batch.drop_column(column)
