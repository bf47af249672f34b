"""The printable ballot (Phụ lục 4), rendered from the same template as the pages."""
from tinnhiem.platform.pdf import render_pdf


def ballot_pdf(conference, unit, template, nominees) -> bytes:
    return render_pdf("conferences/ballot_pdf.html", conference=conference, unit=unit,
                      template=template, nominees=nominees)


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
