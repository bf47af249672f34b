"""The unit's voting pages: codes and slips, closing the vote, and the counting board's
paper entry, comparison and acceptance. The voter's own pages are in vote_views."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.conferences.access import READERS, conference_or_404
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import kept_input, run_page_action, whole_number
from tinnhiem.tally.totals import FIELDS, counted_ballots, sheet_tally
from tinnhiem.tenants.services import get_unit
from tinnhiem.voting import codes, paper, sealing
from tinnhiem.voting.access import (ADMIN, BOARD, SHEET_ACTIONS, paper_conference_or_404,
                                    poll_of, sees_sheets)
from tinnhiem.voting.forms import (AcceptForm, CloseVoteForm, IssueCodesForm, PaperBallotForm,
                                   TotalsForm)
from tinnhiem.voting.slips import qr_data_uri, slips_pdf, vote_url

bp = Blueprint("voting", __name__, url_prefix="/conferences")
KEYS = paper.ENTRY_KEYS
KEY_OF = {mark: key for key, mark in KEYS.items()}
FIELD_LABELS = {"high": _l("Tín nhiệm cao"), "confidence": _l("Tín nhiệm"),
                "low": _l("Tín nhiệm thấp"), "invalid": _l("Không hợp lệ")}


def _counter_names(sheets) -> dict:
    from sqlalchemy import select

    from tinnhiem.platform.auth.models import Account

    ids = [s.counter_id for s in sheets]
    return dict(db.session.execute(select(Account.id, Account.full_name)
                                   .where(Account.id.in_(ids))).all()) if ids else {}


def _manage_page(conference):
    poll = poll_of(conference)
    sheets = paper.list_sheets(db.session, conference) if sees_sheets() else []
    submitted = [s for s in sheets if s.submitted]
    context = {
        "conference": conference,
        "summary": sealing.vote_summary(db.session, conference),
        "poll": poll, "link": vote_url(poll.slug) if poll else None,
        "qr": qr_data_uri(vote_url(poll.slug)) if poll else None,
        "sheets": sheets, "counters": _counter_names(sheets),
        "tallies": {s.id: sheet_tally(db.session, conference, s) for s in sheets},
        "differences": paper.differences(db.session, conference, submitted),
        "nominees": ballot_nominees(db.session, conference), "field_labels": FIELD_LABELS,
        "issue_form": IssueCodesForm(prefix="issue"),
        "close_form": CloseVoteForm(prefix="close"),
        "accept_form": AcceptForm(prefix="accept"),
    }
    return render_template("voting/manage.html", **context)


def _run(conference, form, action, success, endpoint=".manage"):
    """One action of a voting page (see platform.forms.run_page_action)."""
    return run_page_action(form, action, success, url_for(endpoint, conference_id=conference.id))


@bp.get("/<uuid:conference_id>/vote")
@require_roles(*READERS)
def manage(conference_id):
    return _manage_page(conference_or_404(conference_id))


@bp.post("/<uuid:conference_id>/codes")
@require_roles(ADMIN)
def issue_codes(conference_id):
    """Issue codes and hand back their slips at once: the codes exist in clear only here."""
    conference = conference_or_404(conference_id)
    form = IssueCodesForm(prefix="issue")

    def issue():
        issued = codes.issue_codes(db.session, current_user, conference, form.count.data)
        pdf = slips_pdf(conference, get_unit(db.session, conference.unit_id),
                        poll_of(conference).slug, issued)
        name = f"ma-bo-phieu-{conference.held_on:%Y%m%d}.pdf"
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    return _run(conference, form, issue, "")


@bp.post("/<uuid:conference_id>/close")
@require_roles(ADMIN)
def close(conference_id):
    conference = conference_or_404(conference_id)
    form = CloseVoteForm(prefix="close")
    return _run(conference, form, lambda: sealing.close_vote(
        db.session, current_user, conference, form.ballots_issued.data),
        _("Đã kết thúc bỏ phiếu và niêm phong."))


# The counting board's sheet ---------------------------------------------------------------

def _sheet_page(conference):
    sheet = paper.own_sheet(db.session, conference, current_user)
    nominees = ballot_nominees(db.session, conference)
    entries = []
    if sheet is not None and sheet.method == "ballots":
        entries = counted_ballots(db.session, conference, sheet.id)
    totals = {}
    if sheet is not None and sheet.method == "totals":
        tally = sheet_tally(db.session, conference, sheet)
        totals = {n.id: tally.people[n.id].as_dict() for n in nominees}
    typed = kept_input()  # a refused ballot or totals come back as they were typed
    for n in nominees:
        kept = {f: typed[f"{f}-{n.id}"] for f in FIELDS if f"{f}-{n.id}" in typed}
        if kept:
            totals[n.id] = {**totals.get(n.id, {}), **kept}
    context = {
        "conference": conference, "sheet": sheet, "nominees": nominees, "entries": entries,
        "totals": totals, "keys": KEYS, "key_of": KEY_OF, "last": request.args.get("last"),
        "tally": sheet_tally(db.session, conference, sheet) if sheet else None,
        "ballot_form": PaperBallotForm(prefix="ballot"),
        "totals_form": TotalsForm(prefix="totals"),
        "action_form": AcceptForm(prefix="action"),
        "rows": {str(n.id): typed[f"row-{n.id}"] for n in nominees if f"row-{n.id}" in typed},
    }
    return render_template("voting/sheet.html", **context)


@bp.get("/<uuid:conference_id>/sheet")
@require_roles(*BOARD)
def sheet(conference_id):
    return _sheet_page(paper_conference_or_404(conference_id))


@bp.post("/<uuid:conference_id>/sheet/ballots")
@require_roles(*BOARD)
def add_ballot(conference_id):
    conference = paper_conference_or_404(conference_id)
    form = PaperBallotForm(prefix="ballot")
    nominees = ballot_nominees(db.session, conference)
    rows = {str(n.id): request.form.get(f"row-{n.id}", "").strip() for n in nominees}
    marks = {key: KEYS.get(value, value or None) for key, value in rows.items() if value}

    def add():
        ballot = paper.add_paper_ballot(db.session, current_user, conference, {
            "marks": marks, "not_issued": form.not_issued.data, "blank": form.blank.data,
            "extra_names": form.extra_names.data})
        flash(_("Đã nhập phiếu."), "success")
        # No #fragment: Chromium refuses autofocus on a page reached with one, and the
        # board's "digit, Tab, digit, Enter" needs the first row focused after each ballot
        # (its autofocus also scrolls the form into view).
        return redirect(url_for(".sheet", conference_id=conference.id, last=ballot.id))

    return _run(conference, form, add, "", ".sheet")


@bp.post("/<uuid:conference_id>/sheet/ballots/<uuid:ballot_id>/delete")
@require_roles(*BOARD)
def remove_ballot(conference_id, ballot_id):
    conference = paper_conference_or_404(conference_id)
    return _run(conference, AcceptForm(prefix="action"), lambda: paper.remove_paper_ballot(
        db.session, current_user, conference, ballot_id), _("Đã xóa phiếu khỏi bảng nhập."),
        ".sheet")


@bp.post("/<uuid:conference_id>/sheet/totals")
@require_roles(*BOARD)
def save_totals(conference_id):
    conference = paper_conference_or_404(conference_id)
    form = TotalsForm(prefix="totals")

    def number(name):
        value = request.form.get(name, "").strip()
        number = whole_number(value, 6)
        return number if number is not None else value or None

    totals = {str(n.id): {f: number(f"{f}-{n.id}") for f in FIELDS}
              for n in ballot_nominees(db.session, conference)}
    return _run(conference, form, lambda: paper.set_totals(
        db.session, current_user, conference, form.collected.data, totals),
        _("Đã lưu số liệu kiểm phiếu."), ".sheet")


@bp.post("/<uuid:conference_id>/sheet/<any(submit, reopen, clear):action>")
@require_roles(*BOARD)
def sheet_action(conference_id, action):
    conference = paper_conference_or_404(conference_id)
    service, message = SHEET_ACTIONS[action]
    return _run(conference, AcceptForm(prefix="action"), lambda: service(
        db.session, current_user, conference), str(message), ".sheet")


@bp.post("/<uuid:conference_id>/count")
@require_roles(*BOARD)
def accept(conference_id):
    conference = paper_conference_or_404(conference_id)
    form = AcceptForm(prefix="accept")
    return _run(conference, form, lambda: paper.accept_count(
        db.session, current_user, conference, form.sheet_id.data),
        _("Đã chốt kết quả kiểm phiếu và niêm phong."))
