"""Vietnamese alphabetical order as a plain string, so a database sorts it with an index.

Code-point order puts "Đặng" after "Zô" and "Ân" after every unaccented name. The Vietnamese
alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, and tones decide only
between words that are otherwise the same, in the order: none, huyền, hỏi, ngã, sắc, nặng
(as CLDR's Vietnamese collation). `sort_key` turns a text into a string whose byte order is
that order: every letter with its shape (primary), then all the tones (secondary). Columns
holding such keys compare bytes ("C" collation on PostgreSQL; SQLite's default).

People are listed as Vietnamese official lists list them: by given name (tên, the last word),
then the middle names, then the family name (the first word). `person_sort_key` keys the
words in that order, each as `sort_key` does.
"""
import unicodedata

from sqlalchemy import String

# Marks that make another letter of the alphabet: ă (breve), â ê ô (circumflex), ơ ư (horn).
SHAPES = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}
# Tone marks, in their order: huyền, hỏi, ngã, sắc, nặng (no mark is 0).
TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
SEPARATOR = "\x01"  # below every printable character: a shorter word sorts first
KEY_LENGTH = 800  # room for a 255-character name: two characters per letter, one per tone


def sort_key(text: str) -> str:
    primary, tones = [], []
    for character in unicodedata.normalize("NFD", str(text).casefold()):
        if character in SHAPES and primary:
            primary[-1] = primary[-1][0] + SHAPES[character]
        elif character in TONES and tones:
            tones[-1] = TONES[character]
        elif unicodedata.combining(character):
            continue  # any other mark: ignored
        elif character == "đ":
            primary.append("d4")  # after d and its (absent) shapes, before e
            tones.append("0")
        else:
            primary.append(character + "0")
            tones.append("0")
    return ("".join(primary) + SEPARATOR + "".join(tones))[:KEY_LENGTH]


def person_sort_key(full_name: str) -> str:
    """"Nguyễn Văn An" sorts as "An Văn Nguyễn": given name, middle names, family name.

    Each word keyed whole (its letters, then its tones) before the next: the given name
    decides first, tone included, so every An comes before every Án, and Anh before Ánh,
    whatever their family names; names with the same given name follow by middle, then
    family name. A word's key ends in SEPARATOR, below every letter's, so a word sorts before
    the longer words it begins ("An" before "Anh"). Still one string, so one column and its
    index give the order."""
    return SEPARATOR.join(sort_key(word) for word in reversed(str(full_name).split()))[:KEY_LENGTH]


def fold(text: str) -> str:
    """Lower case without diacritics ("Đảng ủy" → "dang uy"), so a search typed on a phone
    finds a name however it was typed."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()


SEARCH_SEPARATOR = "\n"  # between the folded name and code of a search key (never typed)


def search_key(*texts: str) -> str:
    """What a search looks in: each text folded, apart (a match never spans two of them)."""
    return SEARCH_SEPARATOR.join(fold(text or "") for text in texts)


# A column of keys: compared byte by byte on every backend.
SortKeyType = String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")
