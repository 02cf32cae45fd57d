"""Decode a text document's bytes, or say plainly why not.

Order: a BOM decides; NUL bytes mean UTF-16 without BOM (decoded when the zero bytes sit
consistently on one side of each pair) or binary; then strict UTF-8; then Windows-1252,
accepted only when the result reads like European text. EBCDIC and other exotic encodings
fail that test and are reported instead of becoming mojibake in an invoice.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PLAIN = set("\t\n\r\f")


def _reads_as_text(text: str) -> bool:
    """Mostly ASCII letters, digits, punctuation and spaces; no control characters."""
    if not text or any(ord(ch) < 32 and ch not in _PLAIN for ch in text):
        return False
    ascii_share = sum(ch.isascii() for ch in text) / len(text)
    return ascii_share >= 0.85


def _utf16_without_bom(data: bytes) -> str | None:
    even_zeros = data[0::2].count(0) / max(1, len(data[0::2]))
    odd_zeros = data[1::2].count(0) / max(1, len(data[1::2]))
    if odd_zeros > 0.3 and even_zeros < 0.05:
        encoding = "utf-16-le"
    elif even_zeros > 0.3 and odd_zeros < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _reads_as_text(text) else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding used); raise ValueError naming what was tried."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if b"\0" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise ValueError("not a text file (it contains NUL bytes and is not UTF-16)")
        return text, "utf-16 (no BOM)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" not in text and _reads_as_text(text):
        return text, "cp1252"
    raise ValueError(
        "unrecognised text encoding (not UTF-8, UTF-16 or Windows-1252; EBCDIC or binary?)"
    )
