"""A cadre's history across rounds, units and provinces, and the roll-up's flag on a rise."""
