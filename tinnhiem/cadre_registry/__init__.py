"""The province's standing cadre registry (issue #17): who holds which post in which unit,
kept across rounds; a round's entries are filled from it (rounds.registry keeps the
per-round rules)."""
