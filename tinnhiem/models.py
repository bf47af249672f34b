"""Every model of every feature, imported so the metadata is complete (for migrations and
for the tests that introspect it)."""
from tinnhiem.platform.audit.models import AuditEntry, AuditHead
from tinnhiem.platform.auth.models import Account, SignInSession
from tinnhiem.cadre_registry.models import CadrePost
from tinnhiem.counting.models import Certification, Result, RollupCount
from tinnhiem.followup.models import FollowUp, FollowUpStep
from tinnhiem.conferences.models import Conference, Nominee, SummonedVoter
from tinnhiem.rounds.models import (BallotTemplate, CadreEntry, CadreRequest, Round, RoundCategory,
                                    RoundUnit)
from tinnhiem.scanning.models import (ScanBatch, ScanCheck, ScanDecision, ScanFile,
                                       ScanPage)
from tinnhiem.tenants.models import Unit, UnitSuccession, UnitType
from tinnhiem.tally.models import Ballot, BallotMark, SheetTotal, TallySheet
from tinnhiem.voting.models import Poll, VoteCode

__all__ = ["AuditEntry", "AuditHead", "Account", "SignInSession", "BallotTemplate", "CadreEntry",
           "CadreRequest", "Conference",
           "Nominee", "Round", "RoundCategory", "RoundUnit", "SummonedVoter", "Unit",
           "UnitSuccession", "UnitType", "Ballot", "BallotMark", "Poll", "SheetTotal",
           "TallySheet", "VoteCode", "Certification", "Result", "RollupCount", "ScanBatch",
           "ScanFile", "ScanPage", "ScanDecision", "ScanCheck", "CadrePost", "FollowUp",
           "FollowUpStep"]
