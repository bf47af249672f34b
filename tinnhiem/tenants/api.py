"""/api/v1/unit-types, /api/v1/units and /api/v1/accounts: the same services as the pages."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404
from tinnhiem.tenants import accounts, services
from tinnhiem.tenants.models import UnitType
from tinnhiem.platform.auth.schemas import SessionsRevokedSchema
from tinnhiem.tenants.schemas import (AccountCreatedSchema, AccountSchema, AccountUpdateSchema,
                                      PasswordResetSchema, UnitSchema, UnitTypeSchema,
                                      UnitUpdateSchema)

OPERATOR = Role.OPERATOR
ERRORS = (401, 404, 409, 422)

unit_types_blp = Blueprint("unit_types_api", __name__, url_prefix="/unit-types",
                           description="Unit types (operator)")
units_blp = Blueprint("units_api", __name__, url_prefix="/units",
                      description="The unit tree, as far as the caller's scope reaches")
accounts_blp = Blueprint("accounts_api", __name__, url_prefix="/accounts",
                         description="Accounts (operator)")


@unit_types_blp.route("")
class UnitTypes(MethodView):
    decorators = [require_roles(OPERATOR)]

    @unit_types_blp.response(200, UnitTypeSchema(many=True))
    @document_errors(unit_types_blp, 401)
    def get(self):
        """All unit types."""
        return services.list_unit_types(db.session)

    @unit_types_blp.arguments(UnitTypeSchema)
    @unit_types_blp.response(201, UnitTypeSchema)
    @document_errors(unit_types_blp, *ERRORS)
    def post(self, data):
        """Create a unit type."""
        return services.save_unit_type(db.session, current_user, data)


@unit_types_blp.route("/<uuid:type_id>")
class UnitTypeItem(MethodView):
    decorators = [require_roles(OPERATOR)]

    @unit_types_blp.response(200, UnitTypeSchema)
    @document_errors(unit_types_blp, 401, 404)
    def get(self, type_id):
        """One unit type."""
        return found_or_404(db.session.get(UnitType, type_id))

    @unit_types_blp.arguments(UnitTypeSchema)
    @unit_types_blp.response(200, UnitTypeSchema)
    @document_errors(unit_types_blp, *ERRORS)
    def put(self, data, type_id):
        """Replace a unit type's code and name."""
        unit_type = found_or_404(db.session.get(UnitType, type_id))
        return services.save_unit_type(db.session, current_user, data, unit_type)


@units_blp.route("")
class Units(MethodView):
    decorators = [require_roles()]

    @units_blp.response(200, UnitSchema(many=True))
    @document_errors(units_blp, 401)
    def get(self):
        """The units the caller may see: all (operator), a province, or one unit."""
        return services.list_units(db.session)

    @require_roles(OPERATOR)
    @units_blp.arguments(UnitSchema)
    @units_blp.response(201, UnitSchema)
    @document_errors(units_blp, *ERRORS)
    def post(self, data):
        """Create a unit (operator). Without parent_id it is a new province root."""
        return services.save_unit(db.session, current_user, data)


@units_blp.route("/<uuid:unit_id>")
class UnitItem(MethodView):
    decorators = [require_roles()]

    @units_blp.response(200, UnitSchema)
    @document_errors(units_blp, 401, 404)
    def get(self, unit_id):
        """One unit, if it is in the caller's scope."""
        return found_or_404(services.get_unit(db.session, unit_id))

    @require_roles(OPERATOR)
    @units_blp.arguments(UnitUpdateSchema)
    @units_blp.response(200, UnitSchema)
    @document_errors(units_blp, *ERRORS)
    def patch(self, data, unit_id):
        """Change a unit (operator); fields left out keep their value."""
        unit = found_or_404(services.get_unit(db.session, unit_id))
        current = {
            "name": unit.name, "code": unit.code, "type_id": unit.type_id,
            "parent_id": unit.parent_id, "valid_from": unit.valid_from,
            "valid_to": unit.valid_to, "predecessor_ids": None,
        }
        return services.save_unit(db.session, current_user, {**current, **data}, unit)


@accounts_blp.route("")
class Accounts(MethodView):
    decorators = [require_roles(OPERATOR)]

    @accounts_blp.response(200, AccountSchema(many=True))
    @document_errors(accounts_blp, 401)
    def get(self):
        """All accounts."""
        return accounts.list_accounts(db.session)

    @accounts_blp.arguments(AccountSchema)
    @accounts_blp.response(201, AccountCreatedSchema)
    @document_errors(accounts_blp, *ERRORS)
    def post(self, data):
        """Create an account; without a password one is generated and returned once."""
        account, generated = accounts.create_account(db.session, current_user, data)
        return {**AccountSchema().dump(account), "generated_password": generated}


@accounts_blp.route("/<uuid:account_id>")
class AccountItem(MethodView):
    decorators = [require_roles(OPERATOR)]

    @accounts_blp.response(200, AccountSchema)
    @document_errors(accounts_blp, 401, 404)
    def get(self, account_id):
        """One account."""
        return found_or_404(accounts.get_account(db.session, account_id))

    @accounts_blp.arguments(AccountUpdateSchema)
    @accounts_blp.response(200, AccountSchema)
    @document_errors(accounts_blp, *ERRORS)
    def patch(self, data, account_id):
        """Change an account's name, role, unit or active flag."""
        account = found_or_404(accounts.get_account(db.session, account_id))
        return accounts.update_account(db.session, current_user, account, data)


@accounts_blp.post("/<uuid:account_id>/password-reset")
@require_roles(OPERATOR)
@accounts_blp.response(200, PasswordResetSchema)
@document_errors(accounts_blp, 401, 404)
def reset_password(account_id):
    """Set a temporary password (returned once); the holder must change it."""
    account = found_or_404(accounts.get_account(db.session, account_id))
    return {"temporary_password": 
        accounts.reset_password(db.session, current_user, account)}


@accounts_blp.delete("/<uuid:account_id>/sessions")
@require_roles(OPERATOR)
@accounts_blp.response(200, SessionsRevokedSchema)
@document_errors(accounts_blp, 401, 404)
def revoke_sessions(account_id):
    """End every session and API token of the account (audited)."""
    account = found_or_404(accounts.get_account(db.session, account_id))
    return {"revoked": accounts.revoke_sessions(db.session, current_user, account)}
