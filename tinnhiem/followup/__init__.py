"""What the competent authority decided about each person in the two low bands of a round's
certified results (DOMAIN.md, "Results": the consequences the rules attach to them)."""
