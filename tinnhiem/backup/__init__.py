"""The product's backup and restore (`flask --app wsgi backup create|check|restore PATH`).

Why not pg_dump or a copy of the SQLite file: both keep rows in storage order, and while an
electronic vote is open the storage order of the ballots and of the spent codes is their order
of arrival (a new ballot is appended; spending a code writes a new version of its row), which
with the slips links a ballot to a code. Here every table is written sorted by its primary key,
and the keys of the ballot and code tables are random, so a backup carries no order of arrival.
"""
