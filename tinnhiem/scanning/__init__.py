"""Paper ballots read from scans and phone photos (issue #16)."""
