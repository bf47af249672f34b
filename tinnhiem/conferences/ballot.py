"""The printable ballot (Phụ lục 4), rendered from the same template as the pages, in the
machine-readable layout of conferences/ballot_layout.py (markers, a QR code per page, boxes of
fixed size and place; long lists run over several pages, each readable alone)."""
import segno
from markupsafe import Markup

from tinnhiem.platform.pdf import render_pdf
from tinnhiem.conferences import ballot_layout as layout


def page_qr(payload: layout.Payload) -> Markup:
    """The page's QR code as inline SVG, sized by the template's CSS."""
    code = segno.make(payload.encode(), error="q", mode="alphanumeric",
                      version=layout.QR_VERSION)
    return Markup(code.svg_inline(border=layout.QR_BORDER, omitsize=True))


def ballot_pdf(conference, unit, template, nominees) -> bytes:
    nominees = list(nominees)
    pages = [{"spec": spec, "nominees": nominees[spec.first:spec.first + spec.rows],
              "qr": page_qr(layout.Payload(conference.id, template.version, spec.number,
                                           spec.count, len(nominees)))}
             for spec in layout.pages_for(len(nominees))]
    return render_pdf("conferences/ballot_pdf.html", conference=conference, unit=unit,
                      template=template, pages=pages, g=layout)


def render_ballot(session, conference) -> bytes:
    """The conference's ballot, from the template version it froze (or the round's, before)."""
    from tinnhiem.conferences.services import ballot_nominees
    from tinnhiem.rounds.models import BallotTemplate
    from tinnhiem.rounds.services import get_round
    from tinnhiem.tenants.services import get_unit

    template_id = conference.template_id or get_round(session, conference.round_id).template_id
    template = session.get(BallotTemplate, template_id)
    unit = get_unit(session, conference.unit_id)
    return ballot_pdf(conference, unit, template, ballot_nominees(session, conference))
