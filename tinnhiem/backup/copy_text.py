"""Rows as lines of PostgreSQL's COPY text format, written and read without PostgreSQL.

On PostgreSQL the backup lets COPY write and read each table; on SQLite these functions write
and read the same lines from the values SQLAlchemy's column types give, so a backup is one
format whichever database it came from.
"""
import datetime as dt
import json
import re
import uuid

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, Uuid

NULL = "\\N"
# What COPY TO escapes in a value, and the letter it writes after the backslash.
_ESCAPES = {"\\": "\\", "\t": "t", "\n": "n", "\r": "r", "\b": "b", "\f": "f", "\v": "v"}
_TO_ESCAPE = re.compile("[\\\\\t\n\r\b\f\v]")
_UNESCAPES = {letter: char for char, letter in _ESCAPES.items()}
_ESCAPED = re.compile(r"\\(.)", re.S)

# Checked in this order: a column type's kind decides how its values are spelled.
_KINDS = (("json", JSON), ("bool", Boolean), ("uuid", Uuid), ("datetime", DateTime),
          ("date", Date), ("int", Integer), ("bytes", LargeBinary))
_ENCODE = {
    "bool": lambda v: "t" if v else "f",
    "datetime": lambda v: v.isoformat(sep=" "),
    "bytes": lambda v: "\\x" + bytes(v).hex(),
    "json": lambda v: json.dumps(v, ensure_ascii=False),
}
_DECODE = {
    "bool": lambda s: s == "t",
    "int": int,
    "uuid": uuid.UUID,
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "bytes": lambda s: bytes.fromhex(s.removeprefix("\\x")),
    "json": json.loads,
}


def kinds(columns) -> list[str]:
    """How each column's values are spelled: by its SQLAlchemy type, not by the Python value
    (a JSON column may hold a plain string)."""
    return [next((kind for kind, type_ in _KINDS if isinstance(c.type, type_)), "text")
            for c in columns]


def encode_row(column_kinds: list[str], row) -> bytes:
    fields = (NULL if value is None else
              _TO_ESCAPE.sub(lambda m: "\\" + _ESCAPES[m.group()],
                             _ENCODE.get(kind, str)(value))
              for kind, value in zip(column_kinds, row, strict=True))
    return ("\t".join(fields) + "\n").encode()


def decode_line(column_kinds: list[str], line: bytes) -> list:
    fields = line.decode().removesuffix("\n").split("\t")
    if len(fields) != len(column_kinds):
        raise ValueError(f"a row has {len(fields)} fields, not {len(column_kinds)}")
    return [None if field == NULL else
            _DECODE.get(kind, str)(_ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1),
                                                                         m.group(1)), field))
            for kind, field in zip(column_kinds, fields)]
