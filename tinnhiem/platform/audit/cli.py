import click
from flask import Blueprint

from tinnhiem.platform.audit.services import verify_chain
from tinnhiem.tenants.scope import unscoped

bp = Blueprint("audit_cli", __name__, cli_group="audit")


@bp.cli.command("verify")
def verify_command():
    """Recompute the audit chain and name the first break."""
    with unscoped("audit verify (CLI)") as session:
        checked, broken, why = verify_chain(session)
    if broken is None:
        click.echo(f"OK: {checked} entries, chain intact")
        return
    click.echo(f"BROKEN at entry #{broken.id} ({broken.action}, {broken.at}): {why};"
               f" {checked} entries before it are intact", err=True)
    raise SystemExit(1)
