#!/usr/bin/env bash
# Re-extract the Vietnamese source strings and merge them into the English catalog.
# _p(context, text): a text whose English depends on where it stands (a spreadsheet column).
# Then fill the new empty msgstr entries in tinnhiem/translations/en/LC_MESSAGES/messages.po.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 --no-location --sort-output \
  -o tinnhiem/translations/messages.pot .
"$BIN/pybabel" update -i tinnhiem/translations/messages.pot -d tinnhiem/translations \
  --no-fuzzy-matching
