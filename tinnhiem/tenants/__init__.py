"""The unit tree and the isolation of each unit's data. Only this package binds a scope."""
from tinnhiem.tenants.owned import ProvinceOwned, UnitOwned
from tinnhiem.tenants.scope import unscoped
from tinnhiem.tenants.voter_scope import VoterPlace, bind_voter_scope

__all__ = ["ProvinceOwned", "UnitOwned", "VoterPlace", "bind_voter_scope", "unscoped"]
