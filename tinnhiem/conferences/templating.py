"""What every page may ask of the lifecycle: the states, their labels and badge colours, and
whether the signed-in user may make a move now (so a page offers exactly the buttons the
service would accept)."""
from flask_login import current_user

from tinnhiem.conferences import lifecycle


def _may_move(conference, move: lifecycle.Move) -> bool:
    return current_user.is_authenticated and lifecycle.may_move(conference, current_user, move)


def init_app(app) -> None:
    app.jinja_env.globals.update(
        State=lifecycle.State, moves=lifecycle.MOVES, may_move=_may_move,
        status_label=lifecycle.status_label, status_style=lifecycle.status_style)
