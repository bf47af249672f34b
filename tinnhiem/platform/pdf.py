"""Official documents as PDF, rendered by WeasyPrint from the same Jinja templates as the
pages (the templates pin a font that has Vietnamese)."""
from flask import render_template
from flask_babel import force_locale


def render_pdf(template_name: str, /, **context) -> bytes:
    """An official document: always in Vietnamese, whatever language the page is shown in."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    with force_locale("vi"):
        html = render_template(template_name, **context)
    return HTML(string=html).write_pdf()
