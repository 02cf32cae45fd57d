"""Text from any reader made safe to store: no lone surrogates, no NULs, no control characters.

PDF text extractors emit lone UTF-16 surrogates for icon-font glyphs (seen in French invoices);
a str holding one cannot be encoded as UTF-8, so it crashed the trace sink and would crash any
database write or log line. Surrogate *pairs* left split by a reader are joined first, so an
emoji survives; what cannot be joined is dropped.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # keeps \t \n \f \r


def clean_text(text: str) -> str:
    """`text` without lone surrogates, NULs or C0 control characters (tab and newlines kept)."""
    if _LONE_SURROGATE.search(text):
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        text = _LONE_SURROGATE.sub("", joined.replace("\ufffd", ""))
    return _CONTROL.sub("", text)
