"""Theme counts per UTC day and brand, folded with the hourly and daily ones (issue #21).

`theme_counts_daily` (revision 0015) holds no brand, so a range read for one brand took every hour
of it from `theme_counts`: the Trends page, which shows the own brand by default, counted a
quarter's themes from 2,160 hours of rows, twice (this period and the one before): 146–196 ms a
read at a million items on SQLite. `theme_counts_brand_daily` holds the same figures per brand,
UTC day, counted theme, sentiment and copy flag, keyed brand first so one brand's days are one
stretch. The theme worker folds the appended changes into it with the other two
(`voc.themes.rollups.compact_theme_counts`); here it is filled from the folded hours.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

MEASURES = ("items", "nps_responses", "promoters", "detractors", "csat_responses", "csat_sum")


def upgrade() -> None:
    op.create_table(
        "theme_counts_brand_daily",
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("day", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("theme_id", sa.String(80), nullable=False),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("is_copy", sa.SmallInteger, nullable=False, autoincrement=False),
        *(sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in MEASURES),
        sa.PrimaryKeyConstraint("brand", "day", "theme_id", "sentiment", "is_copy", name="pk_theme_counts_brand_daily"),
    )
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    op.execute(
        f"INSERT INTO theme_counts_brand_daily (brand, day, theme_id, sentiment, is_copy, {', '.join(MEASURES)}) "
        f"SELECT brand, hour / 24, theme_id, sentiment, is_copy, {sums} FROM theme_counts "
        "GROUP BY brand, hour / 24, theme_id, sentiment, is_copy"
    )


def downgrade() -> None:
    op.drop_table("theme_counts_brand_daily")
