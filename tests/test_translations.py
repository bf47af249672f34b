"""Every user-facing string is Vietnamese in the source and has an English translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    source = {m.id for m in read_po(pot.open("rb")) if m.id}
    english = read_po((ROOT / "tinnhiem/translations/en/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id for m in english if m.id and m.string and not m.fuzzy}
    assert len(source) > 100
    assert sorted(source - translated) == []


def test_a_pages_strings_follow_a_forced_locale_and_back(app):
    """Templates find the request's catalog once (platform/page_catalog.py): a PDF rendered
    in Vietnamese inside an English request (force_locale) and the page after it each get
    their own language."""
    from flask import render_template_string, session
    from flask_babel import force_locale

    page = "{{ _('Đăng xuất') }}"
    with app.test_request_context():
        session["lang"] = "en"
        assert render_template_string(page) == "Sign out"
        with force_locale("vi"):
            assert render_template_string(page) == "Đăng xuất"
        assert render_template_string(page) == "Sign out"
    with app.test_request_context():
        assert render_template_string(page) == "Đăng xuất"
