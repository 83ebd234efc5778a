"""Text on a frame, read by Tesseract: words with their boxes in frame pixels, grouped in lines.

Tesseract 5 comes from the system's packages (`tesseract-ocr`, `tesseract-ocr-eng`; installed by
scripts/install-system-deps.sh). It is called as a program, one process per frame, with the PNG
on stdin and TSV on stdout: nothing is written to disk, and a frame that makes it hang is cut off
after `OCR_TIMEOUT_S` (the environment variable OFFICEGYM_OCR_TIMEOUT_S overrides it).
benchmarks/RESULTS.md ("Frame privacy") says why Tesseract and not an engine with its models in
a Python package (RapidOCR): it read more of the planted values, 7 times faster.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from officegym.errors import OfficegymError

TESSERACT = "tesseract"
# Frames are read at their own size: enlarged twice, a frame of our apps' 12-16 px text took 1.8
# times as long and keys read worse (underscores blur into spaces); cards and IBANs read better,
# so the lines where one nearly matched are read again enlarged (`read_regions`; RESULTS.md,
# "Frame privacy").
UPSCALE = 1
# Bounds on what is decoded: an 8K screen is 33 Mpx; a PNG header can claim far more.
MAX_FRAME_PIXELS = 40_000_000
OCR_TIMEOUT_S = 120.0
OCR_TIMEOUT_ENV = "OFFICEGYM_OCR_TIMEOUT_S"
# What a frame is stored as; Pillow opens dozens of formats, each one more decoder to trust.
FRAME_FORMATS = ("PNG", "JPEG")
# Page segmentation "sparse text": a screen is scattered labels and cells, not a page of prose.
PAGE_SEGMENTATION = "11"
# Line heights between two words: beyond it, they are in different cells. Adjacent sheet cells
# at 125 % zoom are ~1.1 heights apart (1.5 read a phone and a card beside it as one line);
# spaces inside one text are a third of a height (RESULTS.md, "Frame privacy").
COLUMN_GAP = 0.8
MIN_CONFIDENCE = 0.0  # Tesseract's -1 marks rows that are not words
REGION_GAP = 12  # pixels between two regions read in one run: a line height and more apart


class FrameImageError(OfficegymError, ValueError):
    """A frame that cannot be read as an image: not PNG or JPEG data, damaged, or too large."""


class OcrUnavailableError(OfficegymError, RuntimeError):
    """The OCR engine (Tesseract) is not installed: nothing can be read."""


class OcrFrameError(OfficegymError, RuntimeError):
    """Tesseract failed on one frame: it timed out or exited with an error."""


@dataclass(frozen=True)
class Word:
    """One recognised word and its box (x, y, width, height) in frame pixels."""

    text: str
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class Line:
    """The words of one line of text, left to right; `text` joins them with single spaces."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def load_frame(image: bytes | Image.Image) -> Image.Image:
    """The frame as an RGB image, its size checked before its pixels are decoded.

    Raises:
        FrameImageError: the bytes are not an image Pillow reads, are damaged, or the image has
            more than MAX_FRAME_PIXELS pixels.
    """
    if isinstance(image, Image.Image):
        _check_size(image.width, image.height)
        return image.convert("RGB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(image), formats=FRAME_FORMATS)
            _check_size(opened.width, opened.height)
            return opened.convert("RGB")  # decodes: a truncated or damaged file fails here
    except FrameImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FrameImageError(f"a frame over the limit Pillow decodes: {exc}") from exc
    except UnidentifiedImageError as exc:  # its message names only a BytesIO object
        raise FrameImageError("not a readable frame image: not PNG or JPEG data") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's errors for damaged data
        raise FrameImageError(f"a damaged frame image: {exc}") from exc


def frame_size(data: bytes) -> tuple[int, int]:
    """A PNG or JPEG frame's width and height, from its header (no pixels decoded).

    Raises:
        FrameImageError: the bytes are not a PNG or JPEG image.
    """
    try:
        with Image.open(io.BytesIO(data), formats=FRAME_FORMATS) as opened:
            return opened.size
    except UnidentifiedImageError as exc:
        raise FrameImageError("not a readable frame image: not PNG or JPEG data") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's errors for a damaged header
        raise FrameImageError(f"a damaged frame image: {exc}") from exc


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0 or width * height > MAX_FRAME_PIXELS:
        raise FrameImageError(
            f"a frame of {width}×{height} pixels: over the limit of {MAX_FRAME_PIXELS:,} pixels "
            "(an 8K screen); refusing to decode it"
        )


def tesseract_version() -> str:
    """The first line of `tesseract --version` ("tesseract 5.3.0").

    Raises:
        OcrUnavailableError: Tesseract is not installed.
    """
    return _run(["--version"], b"").decode(errors="replace").splitlines()[0]


def read_lines(image: Image.Image, scale: int | None = None) -> list[Line]:
    """The lines of text Tesseract reads on `image`, with word boxes in the image's pixels.

    Args:
        scale: enlarge the image this many times before reading it (default UPSCALE).

    Raises:
        OcrUnavailableError: Tesseract is not installed.
        OcrFrameError: Tesseract failed on the image or timed out.
    """
    scale = scale or UPSCALE
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)  # Tesseract decodes it at once: speed, not size
    tsv = _run(
        ["stdin", "stdout", "--psm", PAGE_SEGMENTATION, "-l", "eng", "tsv"], buffer.getvalue()
    )
    return parse_tsv(tsv.decode("utf-8", errors="replace"), scale)


def read_regions(
    image: Image.Image, regions: list[tuple[int, int, int, int]], scale: int
) -> list[Line]:
    """The lines Tesseract reads in `regions` (x, y, width, height) of `image`, enlarged `scale`
    times, with word boxes in `image`'s pixels. Regions are clipped to the image.

    The regions are stacked on one canvas, REGION_GAP pixels apart, and read in one run: a
    Tesseract process costs a few tenths of a second to start, more than a line takes to read.

    Raises:
        OcrUnavailableError: Tesseract is not installed.
        OcrFrameError: Tesseract failed on the regions or timed out.
    """
    crops = []
    for x, y, width, height in regions:
        left, top = max(0, x), max(0, y)
        right, bottom = min(image.width, x + width), min(image.height, y + height)
        if right > left and bottom > top:
            crops.append((left, top, right, bottom))
    if not crops:
        return []
    bands, y = [], 0  # where each crop's top is on the canvas
    for crop in crops:
        bands.append(y)
        y += crop[3] - crop[1] + REGION_GAP
    canvas = Image.new("RGB", (max(c[2] - c[0] for c in crops), y), "white")
    for (left, top, right, bottom), band in zip(crops, bands, strict=True):
        canvas.paste(image.crop((left, top, right, bottom)), (0, band))

    def placed(word: Word) -> Word:
        i = max(j for j, band in enumerate(bands) if band <= word.box[1] + word.box[3] // 2)
        dx, dy = crops[i][0], crops[i][1] - bands[i]
        return Word(word.text, (word.box[0] + dx, word.box[1] + dy, word.box[2], word.box[3]))

    return [Line(tuple(placed(w) for w in line.words)) for line in read_lines(canvas, scale)]


def parse_tsv(tsv: str, scale: int = 1) -> list[Line]:
    """Tesseract's TSV output as lines of words, boxes divided by `scale`.

    >>> rows = ["level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop"
    ...         "\\twidth\\theight\\tconf\\ttext",
    ...         "5\\t1\\t1\\t1\\t1\\t1\\t20\\t10\\t40\\t12\\t96\\tcard",
    ...         "5\\t1\\t1\\t1\\t1\\t2\\t66\\t10\\t30\\t12\\t95\\t4111"]
    >>> parse_tsv("\\n".join(rows), 2)[0].text, parse_tsv("\\n".join(rows), 2)[0].words[1].box
    ('card 4111', (33, 5, 15, 6))
    """
    lines: dict[tuple[str, ...], list[Word]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        if confidence < MIN_CONFIDENCE:
            continue
        box = (left // scale, top // scale, -(-width // scale), -(-height // scale))
        lines.setdefault(tuple(cells[1:5]), []).append(Word(cells[11].strip(), box))
    return [part for words in lines.values() for part in split_at_gaps(words)]


def split_at_gaps(words: list[Word]) -> list[Line]:
    """A line of words cut where the gap between two words is wider than COLUMN_GAP line heights.

    Tesseract joins words that share a baseline, across a screen's columns too ("+1 415 555
    0132" beside "(212) 555-0199" in the next cell); the detectors must see them apart, or
    neither reads as a phone number. Spaces between words of one text are a third of a height.

    >>> words = [Word("a", (0, 0, 10, 10)), Word("b", (14, 0, 10, 10)), Word("c", (60, 0, 9, 10))]
    >>> [line.text for line in split_at_gaps(words)]
    ['a b', 'c']
    """
    ordered = sorted(words, key=lambda w: w.box[0])
    height = max(w.box[3] for w in ordered)
    parts: list[list[Word]] = [[ordered[0]]]
    for word in ordered[1:]:
        previous = parts[-1][-1]
        if word.box[0] - (previous.box[0] + previous.box[2]) > COLUMN_GAP * height:
            parts.append([])
        parts[-1].append(word)
    return [Line(tuple(part)) for part in parts]


def _run(arguments: list[str], stdin: bytes) -> bytes:
    binary = shutil.which(TESSERACT)
    if binary is None:
        raise OcrUnavailableError(
            "tesseract is not installed: run scripts/install-system-deps.sh "
            "(or apt-get install tesseract-ocr tesseract-ocr-eng)"
        )
    # One thread per process: `--workers` spreads frames over processes already, and
    # Tesseract's OpenMP threads would fight over the same cores.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    timeout = ocr_timeout()
    try:
        done = subprocess.run(
            [binary, *arguments], input=stdin, capture_output=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrFrameError(f"tesseract took over {timeout:g} s ({OCR_TIMEOUT_ENV})") from exc
    except OSError as exc:  # found on PATH but not runnable
        raise OcrUnavailableError(f"{binary} cannot be run: {exc}") from exc
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip()[-500:] or "no message"
        raise OcrFrameError(f"tesseract failed (exit {done.returncode}): {problem}")
    return done.stdout


def ocr_timeout() -> float:
    """Seconds Tesseract may take on one frame: OFFICEGYM_OCR_TIMEOUT_S, else OCR_TIMEOUT_S.

    Raises:
        OcrUnavailableError: the variable is set to something other than a positive number.
    """
    given = os.environ.get(OCR_TIMEOUT_ENV)
    if given is None:
        return OCR_TIMEOUT_S
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise OcrUnavailableError(f"{OCR_TIMEOUT_ENV}={given!r}: give a number of seconds > 0")
    return seconds
