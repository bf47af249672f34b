"""One request, one transaction: load → check access → act → one commit, at the end.

Every view (page or API) runs inside the app's dispatch, which `install` wraps: when the view
answers with a status below 400 the request's transaction is committed, otherwise (an error
status, or an exception) it is rolled back. So no view commits by hand, and a refusal never
keeps half of what it wrote.

The commit runs inside the dispatch, before the answer leaves it: a commit the database
refuses raises from there and meets the same error handlers as any failure of the view (a
busy or lost database: platform.db_failures' 503 `database_busy`), never a 500 made after
the fact; a message flashed as done is taken back. The transaction ends before the response
is handed on, so a streamed body never holds one open.

A view that must keep a write even though its request may still fail (a spent TOTP step,
before the sign-in goes on) calls `commit_now`, and says why.
"""
from flask import session

from tinnhiem.platform.db import db

FLASHES_KEY = "_flashes"  # where Flask keeps flashed messages in the cookie session


def succeeded(response) -> bool:
    return response.status_code < 400


def commit_now() -> None:
    """Commit what the request wrote so far. Only for a write that must stay whatever the
    rest of the request does; each caller says which."""
    db.session.commit()


def settle(response):
    """Commit the request's transaction if `response` is a success, else roll it back."""
    if not succeeded(response):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        session.pop(FLASHES_KEY, None)  # "saved" would be untrue: nothing was
        raise
    return response


def install(app) -> None:
    """Wrap `app`'s dispatch (which runs the view, after the before_request hooks) so that
    every view's transaction is settled by `settle`."""
    dispatch = app.dispatch_request

    def dispatch_and_settle():
        try:
            response = app.make_response(dispatch())
        except BaseException:
            db.session.rollback()
            raise
        return settle(response)

    app.dispatch_request = dispatch_and_settle
