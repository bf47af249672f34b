"""Accounts, roles, passwords, TOTP and sign-in."""
