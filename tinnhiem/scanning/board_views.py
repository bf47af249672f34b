"""The board's work on scanned ballots: deciding doubtful rows (two members), the blind check,
and accepting the reading as a sheet. Same blueprint and access as scanning.views."""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import ActionForm, run_page_action
from tinnhiem.scanning import board, read_pages
from tinnhiem.scanning.ballots import scanned_ballots
from tinnhiem.scanning.forms import AcceptScansForm, DecisionForm, DrawForm
from tinnhiem.scanning.blueprint import bp
from tinnhiem.voting.access import BOARD, paper_conference_or_404
from tinnhiem.voting.paper import ENTRY_KEYS


def _url(endpoint, conference, **values):
    return url_for(f"scanning.{endpoint}", conference_id=conference.id, **values)


@bp.get("/<uuid:conference_id>/scans/review")
@require_roles(*BOARD)
def review(conference_id):
    """Every ballot with a row the board must decide, its image beside its reading."""
    conference = paper_conference_or_404(conference_id)
    ballots = [b for b in scanned_ballots(db.session, conference)
               if any(r.flagged or r.decision is not None for r in b.rows)]
    return render_template("scanning/review.html", conference=conference, ballots=ballots,
                           form=DecisionForm(prefix="decide"), me=current_user.id,
                           names=_names(conference))


def _names(conference):
    return [n.full_name for n in ballot_nominees(db.session, conference)]


@bp.post("/<uuid:conference_id>/scans/pages/<uuid:page_id>/rows/<int:row>")
@require_roles(*BOARD)
def decide(conference_id, page_id, row):
    conference = paper_conference_or_404(conference_id)
    form = DecisionForm(prefix="decide")
    return run_page_action(form, lambda: board.decide_row(
        db.session, current_user, conference, page_id, row, form.mark.data),
        _("Đã ghi ý kiến cho dòng %(n)d.", n=row + 1), _url("review", conference))


@bp.get("/<uuid:conference_id>/scans/check")
@require_roles(*BOARD)
def check(conference_id):
    conference = paper_conference_or_404(conference_id)
    ballots = {b.first.id: b for b in scanned_ballots(db.session, conference)}
    drawn = [(c, ballots.get(c.page_id)) for c in board.checks(db.session, conference)]
    return render_template(
        "scanning/check.html", conference=conference, drawn=drawn,
        default=board.default_check_size(len(ballots)), differences=board.differences,
        draw_form=DrawForm(prefix="draw"), keys=ENTRY_KEYS, names=_names(conference))


@bp.post("/<uuid:conference_id>/scans/check/draw")
@require_roles(*BOARD)
def draw(conference_id):
    conference = paper_conference_or_404(conference_id)
    form = DrawForm(prefix="draw")
    return run_page_action(form, lambda: board.draw_check(
        db.session, current_user, conference, form.count.data),
        _("Đã rút phiếu kiểm tra."), _url("check", conference))


@bp.get("/<uuid:conference_id>/scans/check/<uuid:check_id>")
@require_roles(*BOARD)
def key(conference_id, check_id):
    """The drawn ballot's image and one key per row: never what the reader read."""
    conference = paper_conference_or_404(conference_id)
    found = next((c for c in board.checks(db.session, conference) if c.id == check_id), None)
    if found is None:
        abort(404)
    if found.keyed is not None:  # a second keying is refused: the page says why
        return render_template("scanning/key.html", conference=conference, check=found,
                               keyed=True)
    ballot = board.ballot_of(db.session, conference, found)
    if ballot is None:  # its page was since found to be a sheet scanned twice
        return render_template("scanning/key.html", conference=conference, check=found,
                               not_counted=True)
    return render_template("scanning/key.html", conference=conference, check=found,
                           pages=ballot.pages, rows=[r.index for r in ballot.rows],
                           keys=ENTRY_KEYS, names=_names(conference), form=ActionForm())


@bp.post("/<uuid:conference_id>/scans/check/<uuid:check_id>")
@require_roles(*BOARD)
def save_key(conference_id, check_id):
    conference = paper_conference_or_404(conference_id)

    def save():
        marks = {}
        for name, value in request.form.items():
            if name.startswith("row-") and name[4:].isdigit():
                marks[int(name[4:])] = ENTRY_KEYS.get(value.strip())
        board.key_check(db.session, current_user, conference, check_id, marks)

    return run_page_action(ActionForm(), save, _("Đã lưu phiếu kiểm tra."),
                           _url("key", conference, check_id=check_id), _url("check", conference))


@bp.post("/<uuid:conference_id>/scans/accept")
@require_roles(*BOARD)
def accept(conference_id):
    conference = paper_conference_or_404(conference_id)
    form = AcceptScansForm(prefix="accept")
    return run_page_action(form, lambda: board.accept_reading(
        db.session, current_user, conference, form.collected.data),
        _("Đã nhận kết quả đọc làm bảng nhập của bạn và nộp bảng."),
        _url("scans", conference), url_for("voting.manage", conference_id=conference.id))


@bp.post("/<uuid:conference_id>/scans/pages/<uuid:page_id>/<any(duplicate, single):verdict>")
@require_roles(*BOARD)
def duplicate(conference_id, page_id, verdict):
    """The board says a page is a sheet scanned twice, or a ballot of its own after all."""
    conference = paper_conference_or_404(conference_id)
    batch_id = read_pages.batch_of_page(db.session, conference, page_id)
    if batch_id is None:
        abort(404)
    back = _url("batch", conference, batch_id=batch_id)
    return run_page_action(ActionForm(), lambda: board.mark_duplicate(
        db.session, current_user, conference, page_id, verdict == "duplicate"),
        _("Đã ghi ý kiến của Ban kiểm phiếu về trang này."), back)
