"""Numbers and dates as the reader's language writes them: Jinja filters over Babel's locale
data, for the pages and for the documents (which platform.pdf renders in Vietnamese).
Spreadsheets keep real numbers and are not formatted here."""
import copy
import datetime as dt
import unicodedata
from decimal import Decimal

from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _

# Where the house style differs from CLDR: Vietnamese sets the percent sign apart ("57,14 %")
# where CLDR's vi pattern has "#,##0%". A no-break space keeps the sign on the number's line.
PERCENT_SUFFIX = {"vi": "\u00a0%"}
# The date of an official document, as its header writes it: "ngày 20 tháng 6 năm 2028"
# (CLDR's long vi date is "20 tháng 6, 2028").
DOCUMENT_DATE = {"vi": "'ngày' d 'tháng' M 'năm' y", "en": "d MMMM y"}
# A province's party committee is named after its locality: "Tỉnh ủy Phú Thọ", "Thành ủy Huế"
# (both spellings of the tone mark on "uy" are in use).
COMMITTEE_PREFIXES = ("tỉnh ủy ", "tỉnh uỷ ", "thành ủy ", "thành uỷ ")


def percent(value, decimals: int = 2) -> str:
    """A share given in percentage points (Decimal("57.14")), with `decimals` decimals and
    the reader's separators: "57,14 %" in Vietnamese, "57.14%" in English."""
    locale = get_locale()
    pattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (decimals, decimals)
    suffix = PERCENT_SUFFIX.get(locale.language)
    if suffix:
        pattern.suffix = (suffix, suffix)
    return pattern.apply(Decimal(value) / 100, locale)


def percent_range(low: int, high: int) -> str:
    """A bin of shares, "0–10 %", in whole percent."""
    return f"{format_decimal(low)}–{percent(high, 0)}"


def integer(value) -> str:
    """A whole number grouped as the reader's language groups it: 1.234 / 1,234."""
    return format_decimal(int(value), "#,##0")


def document_date(day: dt.date) -> str:
    """'ngày 20 tháng 6 năm 2028' in Vietnamese, '20 June 2028' in English."""
    return format_date(day, DOCUMENT_DATE.get(get_locale().language, "long"))


def locality(province_name: str) -> str:
    """The place a province's documents are dated from: its committee's name without
    "Tỉnh ủy " ("Tỉnh ủy Phú Thọ" → "Phú Thọ"); another name is taken as it is."""
    name = unicodedata.normalize("NFC", province_name.strip())
    for prefix in COMMITTEE_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix):].strip()
    return name


def place_and_date(place: str, day: dt.date) -> str:
    """The line under a document's national motto: "Phú Thọ, ngày 20 tháng 6 năm 2028"."""
    return _("%(place)s, %(date)s", place=place, date=document_date(day))


def init_app(app) -> None:
    app.jinja_env.filters.update(percent=percent, integer=integer, document_date=document_date)
    app.jinja_env.globals.update(place_and_date=place_and_date)
