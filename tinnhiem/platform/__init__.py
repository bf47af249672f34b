"""What every unit shares: config, database, accounts and roles, audit log, web shell, API."""
