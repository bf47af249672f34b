"""Writing and verifying the audit chain. Each entry's hash is an HMAC (keyed with a secret
that is not in the database) over its fields and the previous entry's hash."""
import datetime as dt
import hashlib
import hmac
import json

from sqlalchemy import insert, select, update

from tinnhiem.platform.audit.models import AuditEntry, AuditHead
from tinnhiem.platform.config import derived_key

GENESIS = "0" * 64
HEAD_ID = 1


def _key() -> bytes:
    return derived_key("AUDIT_KEY", b"tinnhiem-audit-chain")


def _digest(entry: AuditEntry, key: bytes) -> str:
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
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _advance_head(session) -> tuple[str, int]:
    """Take the head (and with it the writers' lock); returns (previous hash, count)."""
    row = session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID)
        .values(entries=AuditHead.entries + 1)
        .returning(AuditHead.entry_hash, AuditHead.entries)
    ).first()
    if row is None:  # the very first entry of a new database
        session.execute(insert(AuditHead).values(id=HEAD_ID, entry_hash=GENESIS, entries=1))
        return GENESIS, 1
    return row.entry_hash, row.entries


def record(session, action: str, *, actor=None, province_id=None, unit_id=None,
           target=None, details=None) -> AuditEntry:
    """Append an entry in the caller's transaction, so the change and its record commit
    (or roll back) together."""
    previous, _count = _advance_head(session)
    entry = AuditEntry(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or "system",
        action=action,
        province_id=province_id,
        unit_id=unit_id,
        target=str(target) if target is not None else None,
        details=details or {},
        prev_hash=previous,
    )
    entry.entry_hash = _digest(entry, _key())
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID)
                    .values(entry_hash=entry.entry_hash))
    session.flush()
    return entry


def verify_chain(session) -> tuple[int, AuditEntry | None, str]:
    """Recompute every link. Returns (entries checked, first broken entry or None, why)."""
    key = _key()
    previous = GENESIS
    checked = 0
    last = None
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != previous:
            return checked, entry, "prev_hash does not match the previous entry"
        if _digest(entry, key) != entry.entry_hash:
            return checked, entry, "content does not match its hash"
        previous = entry.entry_hash
        checked += 1
        last = entry
    head = session.get(AuditHead, HEAD_ID)
    expected = (head.entry_hash, head.entries) if head else (GENESIS, 0)
    if (previous, checked) != expected:
        return checked, last, (f"the chain ends after {checked} entries but its head records"
                               f" {expected[1]}: entries at the end were removed")
    return checked, None, ""
