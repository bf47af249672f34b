"""The consolidated report and the full table of a round, for the dashboard and the API
alike."""
from flask import request

from tinnhiem.platform.read_replica import read_source
from tinnhiem.platform.web import document_response
from tinnhiem.rollup.access import round_or_404
from tinnhiem.rollup.filters import filters_from


def serve_document(round_id, render, mimetype, extension):
    """`render(session, round_, filters)` under the query's filters, read from the replica
    (the round itself from the primary)."""
    round_ = round_or_404(round_id)
    with read_source() as source:
        filters = filters_from(source.session, round_, request.args)
        document = render(source.session, round_, filters)
    return document_response(document, mimetype, f"tong-hop-{round_.year}.{extension}")
