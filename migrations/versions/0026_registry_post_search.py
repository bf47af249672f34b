"""the cadre registry's search finds a post's title too

Revision ID: 0026_registry_post_search
Revises: 0025_low_rise
Create Date: 2026-12-03

`cadre_posts.search_key` held the person's name and code, folded; it now holds the post's
title as well (cadre_registry.services.set_search_key), so "bi thu" finds every Bí thư. The
key is recomputed here for every stored post; downgrading takes the title out again.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform.collation import search_key

# revision identifiers, used by Alembic.
revision = '0026_registry_post_search'
down_revision = '0025_low_rise'
branch_labels = None
depends_on = None

BATCH = 5000
KEY_LENGTH = 600


def upgrade():
    _rekey(search_key)


def downgrade():
    _rekey(lambda name, code, _post: search_key(name, code))


def _rekey(key) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row.
        op.execute("SELECT set_config('app.crossing', 'on', true)")
    posts = sa.table('cadre_posts', sa.column('id', sa.Uuid()), sa.column('full_name'),
                     sa.column('cadre_code'), sa.column('post'), sa.column('search_key'))
    rows = bind.execute(sa.select(posts.c.id, posts.c.full_name, posts.c.cadre_code,
                                  posts.c.post).order_by(posts.c.id)).all()
    for start in range(0, len(rows), BATCH):
        changed = [{"post_id": post_id, "key": key(name, code, post)[:KEY_LENGTH]}
                   for post_id, name, code, post in rows[start:start + BATCH]]
        bind.execute(posts.update().where(posts.c.id == sa.bindparam('post_id'))
                     .values(search_key=sa.bindparam('key')), changed)
