"""How the audit page names the unit tree and the accounts: what the operator manages, and so
may read there (each in one query for the page's ids)."""
from sqlalchemy import select

from tinnhiem.platform.audit.labels import ACCOUNT, UNIT, UNIT_TYPE
from tinnhiem.platform.audit.page import names
from tinnhiem.platform.auth.models import Account
from tinnhiem.tenants.models import Unit, UnitType


def _by_id(session, id_column, name_column, ids) -> dict:
    return dict(session.execute(select(id_column, name_column).where(id_column.in_(ids))).all())


@names(UNIT)
def unit_names(session, ids) -> dict:
    return _by_id(session, Unit.id, Unit.name, ids)


@names(UNIT_TYPE)
def unit_type_names(session, ids) -> dict:
    return _by_id(session, UnitType.id, UnitType.name, ids)


@names(ACCOUNT)
def account_names(session, ids) -> dict:
    # The username too: it is what the actor column and the sign-in show.
    return {row.id: f"{row.full_name} ({row.username})" for row in session.execute(
        select(Account.id, Account.full_name, Account.username).where(Account.id.in_(ids)))}
