"""The catalog a page's strings are translated with, found once per request and locale.

Flask-Babel's template gettext asks for the translations anew for every string (six walks
of the app context each, and its locale), and a voter's page has a dozen strings: about a
tenth of such a page's Python. The catalog it finds is kept beside Flask-Babel's own state
for the request, with the locale it was found for: `force_locale` (the PDFs, always in
Vietnamese) sets another locale, so another catalog is found, and restores the first.
Within one rendering the catalog is kept on the rendering itself, so each string costs a
dictionary lookup."""
# Flask-Babel's per-request state (a private name: requirements.txt pins the version).
from flask_babel import _get_current_context, get_locale, get_translations
from jinja2 import pass_context


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


def render_catalog(context):
    """The catalog for one rendering of a template: found once and kept on the rendering's
    own evaluation context (a new one for each render_template), not looked up again for
    each of the page's strings."""
    eval_ctx = context.eval_ctx
    catalog = getattr(eval_ctx, "page_catalog", None)
    if catalog is None:
        catalog = eval_ctx.page_catalog = page_catalog()
    return catalog


def init_app(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda ctx, s: render_catalog(ctx).ugettext(s)),
        ngettext=pass_context(lambda ctx, s, p, n: render_catalog(ctx).ungettext(s, p, n)),
        pgettext=pass_context(lambda ctx, c, s: render_catalog(ctx).upgettext(c, s)),
        npgettext=pass_context(
            lambda ctx, c, s, p, n: render_catalog(ctx).unpgettext(c, s, p, n)),
        newstyle=True)
