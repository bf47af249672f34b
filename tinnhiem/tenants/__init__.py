"""The unit tree and the isolation of each unit's data."""
from tinnhiem.tenants.scope import ProvinceOwned, Scope, UnitOwned, bind_scope, unscoped

__all__ = ["ProvinceOwned", "Scope", "UnitOwned", "bind_scope", "unscoped"]
