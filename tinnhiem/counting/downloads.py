"""A conference's minutes and result table, for the results page and the API alike."""
from flask import Response

from tinnhiem.counting.access import counted_conference
from tinnhiem.platform.db import db


def serve_document(conference_id, render, mimetype, extension):
    """`render(session, conference)` of a conference the caller may read, once counted."""
    conference = counted_conference(conference_id)
    name = f"ket-qua-{conference.held_on:%Y%m%d}.{extension}"
    return Response(render(db.session, conference), mimetype=mimetype,
                    headers={"Content-Disposition": f"inline; filename={name}"})
