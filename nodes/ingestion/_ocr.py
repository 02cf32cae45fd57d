"""Page images -> positioned words through Tesseract (pytesseract), laid out like a text PDF.

Scans and photos (PDF pages without a text layer, PNG, JPEG, TIFF) are recognised with every
installed language of eng/deu/fra at once, then laid out by `nodes/ingestion/_layout.py`, so the OCR
text goes through the same extractor as a text PDF. Tesseract 5.3 reads a 200 dpi grey page in
about 12 s on these machines (DESIGN.md), hence the page cap.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import statistics
from collections.abc import Callable, Iterable

from PIL import Image

from nodes.ingestion._layout import Word, layout_lines

OCR_DPI = 200
MAX_OCR_PAGES = 5
"""Pages recognised per document: a scanned invoice is one to three pages."""
LANGUAGES = ("eng", "deu", "fra")


class OcrUnavailable(RuntimeError):
    """Tesseract (the Debian package tesseract-ocr) is not installed."""


@functools.cache  # a missing Tesseract raises, so only an answer is kept
def _languages() -> str:
    import pytesseract

    if shutil.which("tesseract") is None:
        raise OcrUnavailable("the tesseract command is not installed")
    installed = set(pytesseract.get_languages(config=""))
    chosen = [lang for lang in LANGUAGES if lang in installed]
    return "+".join(chosen or sorted(installed)[:1])


def _words(image: Image.Image, languages: str) -> tuple[list[Word], list[float]]:
    import pytesseract

    data = pytesseract.image_to_data(
        image.convert("L"), lang=languages, config="--psm 3", output_type=pytesseract.Output.DICT
    )
    words, confidences = [], []
    for text, conf, left, top, width, height in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=True,
    ):
        if float(conf) < 0 or not text.strip():
            continue  # -1: a block/line record, not a word
        words.append(Word(text, left, left + width, top, top + height))
        confidences.append(float(conf) / 100)
    return words, confidences


def ocr_images(images: Iterable[Image.Image]) -> tuple[str, float]:
    """(laid-out text of all pages, mean word confidence in [0, 1])."""
    languages = _languages()
    pages, confidences = [], []
    for image in images:
        words, page_confidences = _words(image, languages)
        pages.append("\n".join(layout_lines(words)))
        confidences += page_confidences
    return "\n\f\n".join(pages), statistics.fmean(confidences) if confidences else 0.0


_recent: dict[str, tuple[str, float]] = {}
_RECENT_MAX = 16
"""OCR results of the last documents by content digest: a scan read twice in one process (the
supervisor's planner, then ingestion) is recognised once."""


def _remembered(data: bytes, read: Callable[[], tuple[str, float]]) -> tuple[str, float]:
    key = hashlib.sha256(data).hexdigest()
    if key not in _recent:
        if len(_recent) >= _RECENT_MAX:
            _recent.pop(next(iter(_recent)))
        _recent[key] = read()
    return _recent[key]


def ocr_pdf(data: bytes) -> tuple[str, float]:
    """OCR of a PDF's first `MAX_OCR_PAGES` pages, rendered at `OCR_DPI`."""
    _languages()  # fail before rendering when Tesseract is missing
    return _remembered(data, lambda: _ocr_pdf(data))


def _ocr_pdf(data: bytes) -> tuple[str, float]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        images = [
            pdf[index].render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            for index in range(min(len(pdf), MAX_OCR_PAGES))
        ]
    finally:
        pdf.close()
    return ocr_images(images)


def ocr_image_file(data: bytes) -> tuple[str, float, int]:
    """OCR of an image file (PNG, JPEG, TIFF; every frame of a multi-page TIFF)."""
    image = Image.open(io.BytesIO(data))
    frames = []
    for index in range(min(getattr(image, "n_frames", 1), MAX_OCR_PAGES)):
        image.seek(index)
        frames.append(image.copy())
    text, confidence = ocr_images(frames)
    return text, confidence, len(frames)
