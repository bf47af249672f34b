"""The unit tree and the isolation of each unit's data."""
from tinnhiem.tenants.scope import Scope, UnitOwned, bind_scope, current_scope, unscoped

__all__ = ["Scope", "UnitOwned", "bind_scope", "current_scope", "unscoped"]
