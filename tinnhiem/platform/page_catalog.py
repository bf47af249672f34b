"""The catalog a page's strings are translated with, found once per request and locale.

Flask-Babel's template gettext asks for the translations anew for every string (six walks
of the app context each, and its locale), and a voter's page has a dozen strings: about a
tenth of such a page's Python. The catalog it finds is kept beside Flask-Babel's own state
for the request, with the locale it was found for: `force_locale` (the PDFs, always in
Vietnamese) sets another locale, so another catalog is found, and restores the first."""
# Flask-Babel's per-request state (a private name: requirements.txt pins the version).
from flask_babel import _get_current_context, get_locale, get_translations


def page_catalog():
    state = _get_current_context()
    if state is None:
        return get_translations()  # outside a request: Flask-Babel's own answer
    kept = getattr(state, "page_catalog", None)
    locale = getattr(state, "babel_locale", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    catalog = get_translations()
    state.page_catalog = (get_locale(), catalog)
    return catalog


def init_app(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_catalog().ugettext(s),
        ngettext=lambda s, p, n: page_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: page_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_catalog().unpgettext(c, s, p, n),
        newstyle=True)
