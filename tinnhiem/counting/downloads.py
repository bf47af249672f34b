"""A conference's minutes and result table, for the results page and the API alike."""
from tinnhiem.counting.access import counted_conference
from tinnhiem.platform.db import db
from tinnhiem.platform.web import document_response


def serve_document(conference_id, render, mimetype, extension):
    """`render(session, conference)` of a conference the caller may read, once counted."""
    conference = counted_conference(conference_id)
    return document_response(render(db.session, conference), mimetype,
                             f"ket-qua-{conference.held_on:%Y%m%d}.{extension}", "inline")
