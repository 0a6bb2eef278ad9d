"""Korean TrueType fonts for reportlab.

Official printouts must look the same on every machine, so the font is always embedded: we register
NanumGothic as a TrueType font (reportlab embeds a subset of it). reportlab's CID fonts (HYGothic,
HYSMyeongJo) are never used because they are only referenced, not embedded, and render with whatever
the reader substitutes -- or not at all.
"""
from __future__ import annotations

import copy
import functools
import importlib.util
import os
import threading
import zlib
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, TTFontFace,
                                      makeToUnicodeCMap)

REGULAR_NAME = "NanumGothic"
BOLD_NAME = "NanumGothicBold"

_REGULAR_FILE = "NanumGothic.ttf"
_BOLD_FILE = "NanumGothicBold.ttf"
_DEBIAN_DIR = Path("/usr/share/fonts/truetype/nanum")

_lock = threading.Lock()
_registered: tuple[str, str] | None = None


def _koreanize_fonts_dir() -> Path | None:
    """The fonts/ folder shipped inside koreanize_matplotlib, found without importing it.

    Importing the package would import matplotlib, which this project does not install.
    """
    try:
        spec = importlib.util.find_spec("koreanize_matplotlib")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
    elif spec.origin:
        base = Path(spec.origin).parent
    else:
        return None
    return base / "fonts"


def _candidate_dirs() -> list[Path]:
    """Directories to search, most specific first."""
    dirs: list[Path] = []
    override = os.environ.get("ERP_FONT_DIR", "").strip()
    if override:
        dirs.append(Path(override))
    dirs.append(_DEBIAN_DIR)
    packaged = _koreanize_fonts_dir()
    if packaged is not None:
        dirs.append(packaged)
    return dirs


def _locate(dirs: list[Path]) -> tuple[Path, Path]:
    """(regular, bold) font files from the first directory holding NanumGothic.ttf.

    The bold file is taken from the same directory so both faces come from one release; without a
    bold file the regular one stands in, so bold text still renders (just not bold).
    """
    for directory in dirs:
        regular = directory / _REGULAR_FILE
        if regular.is_file():
            bold = directory / _BOLD_FILE
            return regular, bold if bold.is_file() else regular
    searched = ", ".join(str(d) for d in dirs) or "(none)"
    raise RuntimeError(
        f"Korean font {_REGULAR_FILE} not found (searched: {searched}). Install it with "
        "'apt-get install fonts-nanum' or 'pip install --no-deps koreanize-matplotlib', "
        "or point ERP_FONT_DIR at a directory containing NanumGothic.ttf."
    )


class _ReusingFace(TTFontFace):
    """A font face that builds the PDF objects of each glyph subset once per process.

    reportlab cuts a fresh subset of the TrueType file for every PDF, formats its widths and
    ToUnicode map, and compresses them, which is most of the cost of a one-page file (a bill a
    citizen opens). Every document that assigns the same characters in the same order gets the
    same subsets, so they are kept (the most recently used, per face) and reused — see
    :func:`assign_glyphs`, which makes the common characters come first in that order.
    """

    def keep_subsets(self) -> None:
        self._read_lock = threading.Lock()
        self.subset_file = functools.lru_cache(maxsize=_SUBSETS_KEPT)(self._subset_file)
        self.subset_objects = functools.lru_cache(maxsize=_SUBSETS_KEPT)(self._subset_objects)

    def _subset_file(self, subset: tuple) -> tuple[bytes, int]:
        """The compressed font file of a subset and its length before compression."""
        with self._read_lock:  # makeSubset moves the face's one read position in the font file
            content = self.makeSubset(list(subset))
        return zlib.compress(content), len(content)

    def _subset_objects(self, base_name: str, subset: tuple) -> tuple[bytes, bytes]:
        """A subset's widths array, formatted, and its compressed ToUnicode map."""
        widths = pdfdoc.PDFArray([self.getCharWidth(code) for code in subset]).format(pdfdoc.DummyDoc())
        return widths, zlib.compress(makeToUnicodeCMap(base_name, list(subset)).encode("utf-8"))

    def addSubsetObjects(self, doc, fontname, subset):
        # As reportlab's TTFontFace.addSubsetObjects, with the font file stream taken from the cache.
        compressed, length = self.subset_file(tuple(subset))
        font_file = pdfdoc.PDFStream(content=compressed)
        font_file.dictionary["Length1"] = length
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor", "Ascent": self.ascent, "CapHeight": self.capHeight,
            "Descent": self.descent, "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(self.bbox), "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": self.italicAngle, "StemV": self.stemV, "FontFile2": font_file_ref,
            "MissingWidth": self.defaultWidth,
        })
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


_SUBSETS_KEPT = 64  # per face and kind; a subset's font file is some tens of kilobytes


class _Formatted(pdfdoc.PDFObject):
    """A PDF value formatted once (a subset's 256 glyph widths), written as is."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


class _Probe:
    """A stand-in document (the fonts keep their per-document state in a weak dictionary)."""


class _ReusingFont(TTFont):
    """A TrueType font whose subsets' PDF objects come from its face's cache."""

    def assign(self, doc, text: str) -> None:
        """Assign ``text``'s characters in ``doc`` as ``splitString`` does, from a state prepared
        once per text: a copy of a few hundred assignments instead of assigning them one by one."""
        if doc in self.state:
            self.splitString(text, doc)
            return
        prepared = self._prepared.get(text)
        if prepared is None:
            probe = _Probe()
            self.splitString(text, probe)
            prepared = self._prepared[text] = self.state.pop(probe)
        state = copy.copy(prepared)
        state.assignments, state.subsets = dict(prepared.assignments), [list(s) for s in prepared.subsets]
        self.state[doc] = state

    def addObjects(self, doc):
        # As reportlab's TTFont.addObjects, with the widths and ToUnicode map from the cache.
        state = self.state.get(doc) or self.state.setdefault(doc, TTFont.State(self._asciiReadable))
        state.frozen = 1
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            widths, cmap = self.face.subset_objects(base_name, tuple(subset))
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name, pdf_font.BaseFont = internal_name, base_name
            pdf_font.FirstChar, pdf_font.LastChar = 0, len(subset) - 1
            pdf_font.Widths = _Formatted(widths)
            stream = pdfdoc.PDFStream(content=cmap)
            stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            pdf_font.ToUnicode = doc.Reference(stream, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            fonts[internal_name] = pdf_font
        del self.state[doc]


def _reusing(font: TTFont) -> TTFont:
    font.__class__ = _ReusingFont
    font._prepared = {}
    font.face.__class__ = _ReusingFace
    font.face.keep_subsets()
    return font


def assign_glyphs(canvas, text: str) -> None:
    """Give the characters of ``text`` their places in the Korean fonts' subsets of the PDF being
    drawn on ``canvas``, in this order, before anything is drawn. A printout whose fixed wording
    is assigned this way first shares its subsets with every other such file, so they are built
    once (see ``_ReusingFace``). A subset holds about 160 characters beside ASCII: the subsets the
    wording fills are shared, and what varies (a name, an address) joins the last, partly filled
    one, which is built per file. Call it right after creating the canvas."""
    for name in register_korean_fonts():
        pdfmetrics.getFont(name).assign(canvas._doc, text)


def _is_registered(name: str) -> bool:
    try:
        pdfmetrics.getFont(name)
    except KeyError:
        return False
    return True


def register_korean_fonts() -> tuple[str, str]:
    """Register NanumGothic (regular and bold) with reportlab and return their font names.

    Safe to call any number of times from any thread; the font files are read only once per process.
    Raises RuntimeError if no NanumGothic.ttf can be found.
    """
    global _registered
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is not None:
            return _registered
        regular_path, bold_path = _locate(_candidate_dirs())
        if not _is_registered(REGULAR_NAME):
            pdfmetrics.registerFont(_reusing(TTFont(REGULAR_NAME, str(regular_path))))
        if not _is_registered(BOLD_NAME):
            pdfmetrics.registerFont(_reusing(TTFont(BOLD_NAME, str(bold_path))))
        # The family lets <b> in a Paragraph switch to the bold face; there is no italic Hangul
        # face, so italic maps to upright.
        pdfmetrics.registerFontFamily(
            REGULAR_NAME, normal=REGULAR_NAME, bold=BOLD_NAME, italic=REGULAR_NAME, boldItalic=BOLD_NAME
        )
        _registered = (REGULAR_NAME, BOLD_NAME)
        return _registered
