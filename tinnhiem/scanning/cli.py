import click
from flask import Blueprint

from tinnhiem.scanning.retention import purge_images
from tinnhiem.tenants.scope import unscoped

bp = Blueprint("scans_cli", __name__, cli_group="scans")


@bp.cli.command("purge")
def purge_command():
    """Delete scanned ballot images past their round's retention (run daily)."""
    with unscoped("scanned images past their retention") as session:
        purged = purge_images(session)
        session.commit()
    click.echo(f"OK: {purged} scanned page image(s) deleted")
