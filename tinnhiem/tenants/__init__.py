"""The unit tree and the isolation of each unit's data. Only this package binds a scope."""
from tinnhiem.tenants.scope import ProvinceOwned, UnitOwned, unscoped
from tinnhiem.tenants.voter_scope import VoterPlace, bind_voter_scope

__all__ = ["ProvinceOwned", "UnitOwned", "VoterPlace", "bind_voter_scope", "unscoped"]
