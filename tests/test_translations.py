"""Every user-facing string is Vietnamese in the source and has an English translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    source = {m.id for m in read_po(pot.open("rb")) if m.id}
    english = read_po((ROOT / "tinnhiem/translations/en/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id for m in english if m.id and m.string and not m.fuzzy}
    assert len(source) > 100
    assert sorted(source - translated) == []
