"""Issuing, revoking and checking API tokens. Services flush; the request's end commits."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from kiosk.api.models import ApiScope, ApiToken
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow

#: every token starts so: a leaked one is recognisable in a log or a repository (secret scanners)
PREFIX = "kapi_"
#: how stale last_used_at may be before a read writes it again
USE_NOTED_EVERY = timedelta(minutes=10)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(name: str, scope: ApiScope, by) -> tuple[ApiToken, str]:
    """A new token: the record, and the token itself, which is never stored and shown only now."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(name=name, scope=scope, token_hash=digest(token), prefix=token[:len(PREFIX) + 4],
                      created_by=by)
    db.session.add(record)
    db.session.flush()
    return record, token


def revoke_token(record: ApiToken, by) -> None:
    """Refused from the next request on; revoking twice keeps the first time."""
    if record.revoked_at is None:
        record.revoked_at, record.revoked_by = utcnow(), by
        db.session.flush()


def token_for(token: str) -> ApiToken | None:
    """The live token a request presents, or None (unknown or revoked). Notes its use, now and then."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    record = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if record is None or record.is_revoked:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > USE_NOTED_EVERY:
        record.last_used_at = now
        db.session.flush()
    return record


def all_tokens() -> list[ApiToken]:
    """Live tokens first, newest first."""
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                                 ApiToken.created_at.desc(), ApiToken.id.desc())))
