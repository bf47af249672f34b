"""Every model of every feature, imported so the metadata is complete (for migrations and
for the tests that introspect it)."""
from tinnhiem.platform.audit.models import AuditEntry, AuditHead
from tinnhiem.platform.auth.models import Account
from tinnhiem.tenants.models import Unit, UnitSuccession, UnitType

__all__ = ["AuditEntry", "AuditHead", "Account", "Unit", "UnitSuccession", "UnitType"]
