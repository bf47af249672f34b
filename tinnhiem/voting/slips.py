"""Printable slips: one per code, with the code, a QR code of the voting link and the
conference, to be cut apart and handed out at random by the counting board."""
import segno
from flask import url_for

from tinnhiem.platform.pdf import render_pdf
from tinnhiem.voting.codes import display_code

SLIPS_PER_PAGE = 10


def vote_url(slug: str, code: str | None = None) -> str:
    """Absolute link to the voting page; with a code, scanning it fills the code in."""
    if code is None:
        return url_for("vote.start", slug=slug, _external=True)
    return url_for("vote.start", slug=slug, ma=code, _external=True)


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=1)


def slips_pdf(conference, unit, slug: str, codes: list[str]) -> bytes:
    slips = [{"code": display_code(c), "qr": qr_data_uri(vote_url(slug, c))} for c in codes]
    return render_pdf("voting/slips_pdf.html", conference=conference, unit=unit, slips=slips,
                      link=vote_url(slug))
