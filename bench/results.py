"""bench/RESULTS.md, one section per benchmark: a run replaces its own section and keeps the
others as they were."""
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(heading: str, section: str) -> None:
    """Replace the section that starts with `heading` (a "## …" line) by `section`, or add it
    at the end."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    before, found, after = text.partition(heading)
    rest = after.partition("\n## ")
    tail = f"\n## {rest[2]}" if found and rest[1] else ""
    RESULTS.write_text(before.rstrip("\n") + "\n\n" + section + tail)
