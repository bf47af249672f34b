import click
from flask import Blueprint
from sqlalchemy.exc import DBAPIError

from tinnhiem.backup.manifest import check_file, check_keys
from tinnhiem.backup.services import BackupRefused, create_backup, restore_backup

bp = Blueprint("backup_cli", __name__, cli_group="backup")
KEYS = "SECRET_KEY, VOTE_CODE_KEY and AUDIT_KEY"


def _run(verb: str, action, path) -> dict:
    """The manifest, or one line for central IT on what stopped the command."""
    try:
        return action(path)
    except BackupRefused as refused:
        raise click.ClickException(f"{verb} refused: {refused}") from None
    except DBAPIError as error:
        first_line = str(error.orig).strip().splitlines()[0]
        raise click.ClickException(f"{verb} failed: {first_line}") from None


def _total(manifest: dict) -> int:
    return sum(entry["rows"] for entry in manifest["tables"].values())


@bp.cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_command(path):
    """Write every table, rows sorted by primary key, into a new file at PATH."""
    manifest = _run("backup", create_backup, path)
    click.echo(f"OK: {_total(manifest)} rows of {len(manifest['tables'])} tables written to"
               f" {path} (revision {manifest['revision']})")
    click.echo(f"The keys are not in the backup: keep {KEYS} separately, with it (an open"
               " vote's codes and the audit chain need them).")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Load the backup at PATH into this new, migrated, empty database."""
    manifest = _run("restore", restore_backup, path)
    click.echo(f"OK: {_total(manifest)} rows restored from {path}, taken"
               f" {manifest['created_at']}; run with the {KEYS} it was taken with.")
    suspended = manifest["suspended_votes"]
    if suspended:
        click.echo(f"{suspended} electronic vote(s) open when the backup was taken are now"
                   " SUSPENDED: ballots cast after the backup are lost and no code votes."
                   " Each unit admin must open the conference page and either void the"
                   " unused codes and close the vote (counting the ballots kept), or annul it"
                   " and hold the vote again.")


@bp.cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def check_command(path):
    """Check the backup at PATH (every table's rows and checksum, and the keys) without
    restoring it."""
    def check(path):
        manifest = check_file(path)
        check_keys(manifest)
        return manifest

    manifest = _run("check", check, path)
    keys = "this configuration's keys match" if manifest.get("keys") else \
        "no key fingerprints recorded"
    click.echo(f"OK: {_total(manifest)} rows of {len(manifest['tables'])} tables match their"
               f" checksums in {path}, taken {manifest['created_at']} (revision"
               f" {manifest['revision']}); {keys}.")
