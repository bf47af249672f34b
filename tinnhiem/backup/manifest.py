"""What a backup file says about itself, and checking a file against it.

manifest.json names the format, the alembic revision, the time, the backend, each table's
columns, rows and SHA-256, and a fingerprint of each key the data depends on: an HMAC of a
constant under the key, which tells whether two configurations hold the same key without
telling anything about it. A restore under other keys would load codes no voter's code
matches and an audit chain that no longer verifies, so it is refused.
"""
import hashlib
import hmac
import json
import zipfile

FORMAT, VERSION, MANIFEST = "tinnhiem-backup", 1, "manifest.json"
FINGERPRINT_OF = b"tinnhiem-backup key fingerprint v1"
# What each fingerprinted key protects, for the refusal's one line.
KEY_NAMES = {"secret": "SECRET_KEY", "vote_codes": "VOTE_CODE_KEY (or SECRET_KEY)",
             "audit": "AUDIT_KEY (or SECRET_KEY)"}


class BackupRefused(Exception):
    """The backup or restore was refused; nothing was written (or all was rolled back)."""


class Tally:
    """The rows (one a line) and SHA-256 of what went through one table's member."""

    def __init__(self):
        self.rows, self.sha256 = 0, hashlib.sha256()

    def add(self, data: bytes) -> bytes:
        self.rows += data.count(b"\n")
        self.sha256.update(data)
        return data


def key_fingerprints() -> dict[str, str]:
    """Needs the app: the keys as this configuration derives them."""
    from flask import current_app

    from tinnhiem.platform.audit.services import _key as audit_key
    from tinnhiem.voting.codes import _code_key as code_key

    keys = {"secret": current_app.config["SECRET_KEY"].encode(), "vote_codes": code_key(),
            "audit": audit_key()}
    return {name: hmac.new(key, FINGERPRINT_OF, hashlib.sha256).hexdigest()
            for name, key in keys.items()}


def check_keys(manifest: dict) -> None:
    """Refuse unless this configuration holds the keys the backup was taken with (a backup
    from before fingerprints were recorded has none to compare)."""
    recorded = manifest.get("keys") or {}
    current = key_fingerprints()
    differing = [KEY_NAMES[name] for name in KEY_NAMES
                 if name in recorded and recorded[name] != current[name]]
    if differing:
        raise BackupRefused(f"the backup was taken under another {', '.join(differing)}: run"
                            " with the keys it was taken with (codes and the audit chain"
                            " depend on them)")


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise BackupRefused("not a Tín nhiệm backup: no readable manifest.json") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupRefused(f"not a Tín nhiệm backup of format version {VERSION}")
    return manifest


def open_archive(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupRefused(f"cannot read {path}: {error}") from None


def check_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every table's member holds the rows and bytes the manifest lists."""
    for name, entry in manifest["tables"].items():
        tally = Tally()
        try:
            with archive.open(f"tables/{name}") as member:
                while chunk := member.read(1 << 16):
                    tally.add(chunk)
        except (KeyError, zipfile.BadZipFile, OSError) as error:
            raise BackupRefused(f"table {name}: unreadable in the file ({error})") from None
        if (tally.rows, tally.sha256.hexdigest()) != (entry["rows"], entry["sha256"]):
            raise BackupRefused(f"table {name}: the file holds {tally.rows} rows, the"
                                f" manifest lists {entry['rows']} (or its content changed)")


def check_file(path) -> dict:
    """The manifest of the backup at `path`, once every table checks out against it."""
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        check_members(archive, manifest)
    return manifest
