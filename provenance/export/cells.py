"""What text may go into an export: page text is untrusted, and the tools that open exports are strict.

- XML 1.0 forbids most C0 control characters, lone surrogates and U+FFFE/U+FFFF, even as
  character references, so a PROV document holding one cannot be converted to PROV-XML. Each is
  replaced by U+FFFD in every export: one character for one, so offsets into a claim still hold.
- A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and one that begins
  with a tab or a carriage return may be read as one (CSV injection, CWE-1236). As OWASP advises,
  such a CSV cell gets a leading `'`, which spreadsheets show as text and do not evaluate. Line
  breaks inside a cell become `\n`: Python's CSV writer leaves a lone carriage return unquoted, and
  a reader then takes it for the end of the row.
"""

from __future__ import annotations

import re

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(value):
    """`value` with every character XML forbids replaced by U+FFFD; anything not a string as it is."""
    return _XML_FORBIDDEN.sub("\ufffd", value) if isinstance(value, str) else value


def spreadsheet_safe(value):
    """A CSV cell that no spreadsheet will run as a formula (and that XML would accept)."""
    value = xml_safe(value)
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def xml_safe_row(row: dict) -> dict:
    return {k: xml_safe(v) for k, v in row.items()}
