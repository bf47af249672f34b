"""One ballot cast three ways, for bench/casting_bench.py: through the API, through the voter's
pages as a phone's browser sends them, and as the bare rows the app writes, by plain psycopg
under the app's role and the scope a voter's request sets (the lower limit)."""
import random
import re
import secrets
import uuid

import psycopg

from bench.loadgen import Client, Refused

LEVELS = ("high", "confidence", "low")
HIDDEN = re.compile(r'name="(tracker|tag)" value="([^"]*)"')
ROW = re.compile(r'name="(p-[0-9a-f-]{36})"')
RECEIPT = re.compile(r'id="tracker">([^<]+)<')


def api_ballot(slug: str, nominee_ids: list):
    """POST /api/v1/polls/<slug>/ballots with a fresh code, a mark for every row."""
    path = f"/api/v1/polls/{slug}/ballots"

    def cast(client: Client, code: str) -> str:
        status, body = client.post_json(path, {"code": code, "choices": [
            {"nominee_id": str(n), "level": random.choice(LEVELS)} for n in nominee_ids]})
        if status != 201:
            raise Refused(f"{status} {body.get('code', '')}".strip())
        return body["tracker"]

    return cast


def _hidden(page: str) -> dict:
    return dict(HIDDEN.findall(page))


def html_ballot(slug: str):
    """The phone's way: the code page, the ballot (the claim drawn), review, cast; the hidden
    tracker and tag carried from page to page as the forms do."""
    base = f"/v/{slug}"

    def step(client, path, fields, what):
        status, page = client.post_form(path, fields)
        if status != 200:
            raise Refused(f"{what} {status}")
        return page

    def cast(client: Client, code: str) -> str:
        status, _page = client.request("GET", base)
        if status != 200:
            raise Refused(f"start {status}")
        shown = f"{code[:5]}-{code[5:]}"  # as printed on the slip, and typed
        page = step(client, f"{base}/ballot", {"code": shown}, "ballot")
        rows = {name: random.choice(LEVELS) for name in dict.fromkeys(ROW.findall(page))}
        claim = _hidden(page)
        page = step(client, f"{base}/review", {"code": shown, **claim, **rows}, "review")
        claim = _hidden(page)
        page = step(client, f"{base}/cast", {"code": shown, **claim, **rows}, "cast")
        receipt = RECEIPT.search(page)
        if receipt is None or receipt.group(1) != claim.get("tracker"):
            raise Refused("receipt missing or not the claimed tracker")
        return receipt.group(1)

    return cast


class _Recorder:
    """Stands in for a SQLAlchemy connection to catch what platform.db.set_signed_scope sends,
    rewritten for psycopg: the very statement and signed values a voter's request sets."""

    def __init__(self):
        self.sql, self.params = None, None
        self.info = {}  # where a connection keeps deferred settings (none here)

    def execute(self, clause, params):
        self.sql = re.sub(r":(\w+)", r"%(\1)s", str(clause))
        self.params = params


class DirectCasting:
    """The lower limit: each ballot in one transaction of its own on a psycopg connection as the
    app's role (row-level security on), with the voter's signed scope, spending the code with
    UPDATE … WHERE state = 'unused' and inserting the ballot and its marks."""

    def __init__(self, vote):
        from tinnhiem.platform.db import set_signed_scope
        from tinnhiem.voting.codes import code_digest

        recorder = _Recorder()
        with vote.app.app_context():
            # The settings tenants.scope._apply_database_settings makes of Scope.for_voter.
            set_signed_scope(recorder, str(vote.province_id), str(vote.unit_id), "", "",
                             str(vote.conference_id))
            self.digests = {code: code_digest(vote.conference_id, code) for code in vote.codes}
        self.scope_sql, self.scope_params = recorder.sql, recorder.params
        self.vote, self.url = vote, vote.app_url.replace("+psycopg", "")
        marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(vote.nominee_ids))
        self.marks_sql = ("INSERT INTO ballot_marks (ballot_id, nominee_id, mark, province_id,"
                          f" unit_id) VALUES {marks}")

    def connect(self):
        return psycopg.connect(self.url)

    def __call__(self, conn, code: str) -> str:
        from tinnhiem.voting.codes import ALPHABET

        vote = self.vote
        place = (vote.province_id, vote.unit_id)
        tracker = "".join(secrets.choice(ALPHABET) for _ in range(8))
        ballot_id = uuid.uuid4()
        conn.execute(self.scope_sql, self.scope_params)
        spent = conn.execute(
            "UPDATE vote_codes SET state = 'spent' WHERE conference_id = %s AND digest = %s"
            " AND state = 'unused' AND province_id = %s AND unit_id = %s",
            (vote.conference_id, self.digests[code], *place))
        if spent.rowcount != 1:
            conn.rollback()
            raise Refused("code_spent")
        conn.execute(
            "INSERT INTO ballots (id, conference_id, origin, tracker, not_issued, blank,"
            " extra_names, province_id, unit_id) VALUES (%s, %s, 'electronic', %s, false,"
            " false, false, %s, %s)", (ballot_id, vote.conference_id, tracker, *place))
        values = []
        for nominee in vote.nominee_ids:
            values += [ballot_id, nominee, random.choice(LEVELS), *place]
        conn.execute(self.marks_sql, values)
        conn.commit()
        return f"{tracker[:4]}-{tracker[4:]}"

