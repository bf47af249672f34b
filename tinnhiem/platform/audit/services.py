"""Writing and verifying the audit chain."""
import datetime as dt
import hashlib
import json

from sqlalchemy import select, text

from tinnhiem.platform.audit.models import AuditEntry

GENESIS = "0" * 64


def _digest(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "actor": entry.actor,
        "action": entry.action,
        "province_id": str(entry.province_id) if entry.province_id else None,
        "unit_id": str(entry.unit_id) if entry.unit_id else None,
        "target": entry.target,
        "details": entry.details,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(session, action: str, *, actor=None, province_id=None, unit_id=None,
           target=None, details=None) -> AuditEntry:
    """Append an entry in the caller's transaction, so the change and its record commit
    (or roll back) together."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers so two transactions never chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(7243001)"))
    last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or "system",
        action=action,
        province_id=province_id,
        unit_id=unit_id,
        target=str(target) if target is not None else None,
        details=details or {},
        prev_hash=last or GENESIS,
    )
    entry.entry_hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session) -> tuple[int, AuditEntry | None, str]:
    """Recompute every link. Returns (entries checked, first broken entry or None, why)."""
    previous = GENESIS
    checked = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != previous:
            return checked, entry, "prev_hash does not match the previous entry"
        if _digest(entry) != entry.entry_hash:
            return checked, entry, "content does not match its hash"
        previous = entry.entry_hash
        checked += 1
    return checked, None, ""
