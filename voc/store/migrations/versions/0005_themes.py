"""Themes: taxonomy with stable ids, its versions, item assignments, assessments, discovery proposals.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("parent_id", sa.String(80)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_team", sa.String(200), nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("alias_of", sa.String(80)),
        sa.Column("origin", sa.String(20), nullable=False, server_default="user"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "taxonomy_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("theme_id", sa.String(80)),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_table(
        "item_themes",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("theme_id", sa.String(80), primary_key=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("taxonomy_version", sa.Integer, nullable=False),
        sa.Column("assigned_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_item_themes_theme", "item_themes", ["theme_id"])
    op.create_table(
        "theme_assessments",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("taxonomy_version", sa.Integer, nullable=False),
        sa.Column("themes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("assessed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_theme_assessments_version", "theme_assessments", ["taxonomy_version"])
    op.create_table(
        "theme_proposals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("representative_item_ids", sa.JSON, nullable=False),
        sa.Column("member_item_ids", sa.JSON, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("growth", sa.Float),
        sa.Column("sentiment", sa.JSON, nullable=False),
        sa.Column("emerging", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("theme_id", sa.String(80)),
        sa.Column("discovered_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decided_by", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_index("ix_theme_assessments_version", table_name="theme_assessments")
    op.drop_index("ix_item_themes_theme", table_name="item_themes")
    for table in ("theme_proposals", "theme_assessments", "item_themes", "taxonomy_versions", "themes"):
        op.drop_table(table)
