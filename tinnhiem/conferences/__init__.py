"""A unit's conference: people voted on, summoned voters, attendance, quorum, lifecycle."""
