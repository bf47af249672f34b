"""The link a person voted on is given to their own result: signed, so it names exactly one
person of one conference and can be neither guessed nor altered."""
import uuid

from itsdangerous import BadSignature, URLSafeSerializer

from tinnhiem.platform.config import derived_key


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(derived_key(None, b"tinnhiem person result"), salt="result")


def person_token(conference, nominee) -> str:
    return _serializer().dumps([str(conference.province_id), str(conference.unit_id),
                                str(conference.id), str(nominee.id)])


def read_person_token(token: str):
    """(province id, unit id, conference id, nominee id), or None for a bad link."""
    try:
        values = _serializer().loads(token)
        return tuple(uuid.UUID(v) for v in values)
    except (BadSignature, ValueError, TypeError):
        return None
