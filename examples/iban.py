"""IBAN check digits (ISO 13616 mod-97), so sample bank details look and validate like real ones."""

from __future__ import annotations


def _as_digits(text: str) -> int:
    """Letters become 10..35, as ISO 13616 prescribes, then the whole is read as one integer."""
    return int("".join(str(int(ch, 36)) for ch in text))


def make_iban(country: str, bban: str) -> str:
    """Return the IBAN for `bban` in `country`, with computed check digits, unspaced."""
    check = 98 - _as_digits(f"{bban}{country}00") % 97
    return f"{country}{check:02d}{bban}"


def is_valid_iban(iban: str) -> bool:
    """True when the mod-97 checksum of `iban` (spaces ignored) holds."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    return _as_digits(compact[4:] + compact[:4]) % 97 == 1


def format_iban(iban: str) -> str:
    """Group in fours, as printed on invoices."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
