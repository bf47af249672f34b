"""The printable ballot (Phụ lục 4), rendered from the same template as the pages."""
from flask import render_template
from flask_babel import force_locale


def ballot_pdf(conference, unit, template, nominees) -> bytes:
    """An official document: always in Vietnamese, whatever language the page is shown in."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    with force_locale("vi"):
        html = render_template("conferences/ballot_pdf.html", conference=conference, unit=unit,
                               template=template, nominees=nominees)
    return HTML(string=html).write_pdf()
