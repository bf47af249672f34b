"""Sign-in sessions the server can end: each page session and API token is a row, and a
request is signed in only while its row is neither revoked nor expired and its account active.
The rules live here, shared by the pages, the API and the operator's account services."""
import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, or_, select, update

from tinnhiem.platform.auth.models import Account, SessionKind, SignInSession

# last_seen_at moves at most this often, so a busy session does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=5)
# Ended sessions are kept this long for the owner's list, then removed at their account's
# next sign-in.
KEEP_ENDED = dt.timedelta(days=30)
DEVICE_LENGTH = 120
_MAX_AGE = {SessionKind.PAGE: "PAGE_SESSION_MAX_AGE", SessionKind.API: "API_TOKEN_MAX_AGE"}
# (label, pattern) in the order they must be tried: Edge and Opera also say "Chrome", Chrome
# also says "Safari".
_BROWSERS = [("Edge", r"Edg(e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Firefox", r"Firefox/|FxiOS/"),
             ("Chrome", r"Chrome/|CriOS/"), ("Safari", r"Safari/")]
_SYSTEMS = [("Android", r"Android"), ("iOS", r"iPhone|iPad|iPod"), ("Windows", r"Windows"),
            ("macOS", r"Mac OS X|Macintosh"), ("Linux", r"Linux|X11")]


# Sent with (db_session, account_id) just before a session row is written, so the tenant
# layer can sign the database scope that lets the app write it (platform/rls.py).
opening = Namespace().signal("sign-in-session-opening")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def max_age(kind: SessionKind) -> int:
    """Seconds a session of `kind` lasts from its sign-in."""
    return int(current_app.config[_MAX_AGE[kind]])


def device_label(user_agent: str | None) -> str:
    """A short name for the device a session was opened on ("Firefox · Windows"), or the
    start of its user agent when no browser is recognised (an API client names itself);
    empty without a user agent."""
    agent = "".join(ch for ch in (user_agent or "") if ch.isprintable())
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), None)
    if browser:
        return " · ".join(filter(None, (browser, system)))
    return agent[:DEVICE_LENGTH].strip()


def open_session(db_session, account: Account, kind: SessionKind,
                 user_agent: str | None) -> SignInSession:
    """Start a session for `account`; its `token` (id and secret) is for the client only and
    is never stored. Ended sessions of the account older than KEEP_ENDED are removed."""
    opening.send(db_session, account_id=account.id)
    moment = now()
    db_session.execute(delete(SignInSession).where(
        SignInSession.account_id == account.id,
        or_(SignInSession.expires_at < moment - KEEP_ENDED,
            SignInSession.revoked_at < moment - KEEP_ENDED)))
    secret = secrets.token_urlsafe(32)
    row = SignInSession(
        id=uuid.uuid4(), account_id=account.id, kind=kind.value, secret_hash=_hash(secret),
        device=device_label(user_agent), created_at=moment, last_seen_at=moment,
        expires_at=moment + dt.timedelta(seconds=max_age(kind)))
    db_session.add(row)
    db_session.flush()
    row.token = f"{row.id.hex}.{secret}"
    account.sign_in = row
    return row


def _live(row: SignInSession | None, moment: dt.datetime) -> bool:
    return row is not None and row.revoked_at is None and row.expires_at > moment


def account_for_token(db_session, token: str | None, kind: SessionKind) -> Account | None:
    """The active account whose live session of `kind` the token names, or None. Its
    `sign_in` is that session, last seen now (written at most every TOUCH_EVERY)."""
    raw_id, _sep, secret = (token or "").partition(".")
    try:
        session_id = uuid.UUID(hex=raw_id)
    except ValueError:
        return None
    row = db_session.get(SignInSession, session_id)
    moment = now()
    if not _live(row, moment) or row.kind != kind.value \
            or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        return None
    account = db_session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    if moment - row.last_seen_at >= TOUCH_EVERY:
        # Committed on its own: this runs while the request is being authenticated, before
        # the view has changed anything.
        db_session.execute(update(SignInSession).where(SignInSession.id == row.id)
                           .values(last_seen_at=moment))
        db_session.commit()
    account.sign_in = row
    return account


def active_sessions(db_session, account: Account) -> list[SignInSession]:
    """The account's live sessions, most recently used first, the current one marked."""
    rows = db_session.scalars(
        select(SignInSession)
        .where(SignInSession.account_id == account.id, SignInSession.revoked_at.is_(None),
               SignInSession.expires_at > now())
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.created_at.desc())).all()
    current_id = account.sign_in.id if account.sign_in is not None else None
    for row in rows:
        row.current = row.id == current_id
    return list(rows)


def own_session(db_session, account: Account, session_id) -> SignInSession | None:
    """One live session of `account`; None for another account's (which does not exist for
    this one), an ended or an unknown one."""
    row = db_session.get(SignInSession, session_id)
    if row is None or row.account_id != account.id or not _live(row, now()):
        return None
    return row


def revoke(db_session, row: SignInSession) -> None:
    row.revoked_at = now()
    db_session.flush()


def revoke_all(db_session, account: Account, keep: SignInSession | None = None) -> int:
    """End every live session of `account` but `keep`; returns how many ended."""
    moment = now()
    condition = [SignInSession.account_id == account.id, SignInSession.revoked_at.is_(None),
                 SignInSession.expires_at > moment]
    if keep is not None:
        condition.append(SignInSession.id != keep.id)
    result = db_session.execute(update(SignInSession).where(*condition)
                                .values(revoked_at=moment)
                                .execution_options(synchronize_session="fetch"))
    return result.rowcount
