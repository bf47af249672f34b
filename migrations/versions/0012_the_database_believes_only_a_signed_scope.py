"""the database believes only a scope the app signed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

The app's role could read any province by setting app.province_id itself. Now each
transaction's scope carries an HMAC-SHA256 signature made with a key from the app's
environment (DB_SCOPE_KEY, by default derived from SECRET_KEY); the owner keeps the same key
in app_scope_key, which the app's role cannot read, and the functions every policy reads
return the scope only when the signature matches (see platform/rls.py). Run with the same
SECRET_KEY / DB_SCOPE_KEY as the web service; `flask --app wsgi scope-key install` puts a
rotated key in place.
"""
from tinnhiem.platform import rls
from tinnhiem.platform.db import database_scope_key

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    rls.create_scope_key_table(database_scope_key())


def downgrade():
    rls.drop_scope_key_table()
