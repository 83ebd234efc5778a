"""The bytes of Drive's own files, generated at populate time from a seed: small valid PDFs with
lines of text, PNG pictures and SVG drawings. Nothing is fetched; the previewer reads them back."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence

MIME = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml", "txt": "text/plain"}
# PDF string literals escape these three; our text is ASCII (the standard fonts' encoding).
_PDF_ESCAPE = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})
_SHOWN = re.compile(rb"\(((?:[^()\\]|\\.)*)\) Tj")


def pdf_bytes(title: str, lines: Sequence[str]) -> bytes:
    """A one-page PDF showing `title` and then `lines` in Helvetica (PDF 1.4, with its xref)."""
    texts = [title, "", *lines]
    shown = " T* ".join(f"({t.encode('ascii', 'replace').decode().translate(_PDF_ESCAPE)}) Tj"
                        for t in texts)  # fmt: skip
    content = f"BT /F1 12 Tf 72 720 Td 18 TL {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_lines(data: bytes) -> list[str]:
    """The lines of text a PDF made by `pdf_bytes` shows, in order (what the previewer renders).

    >>> pdf_lines(pdf_bytes("Invoice", ["Total (net): $1,200"]))
    ['Invoice', '', 'Total (net): $1,200']
    """
    return [
        re.sub(rb"\\(.)", rb"\1", m.group(1)).decode("ascii", "replace")
        for m in _SHOWN.finditer(data)
    ]


def png_bytes(width: int, height: int, colors: Sequence[tuple[int, int, int]]) -> bytes:
    """An RGB PNG of vertical bands, one per colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"".join(bytes(colors[x * len(colors) // width]) for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def svg_bytes(label: str, fill: str, shapes: int) -> bytes:
    """An SVG drawing: a few circles and a caption (`label` is escaped as XML text)."""
    safe = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    circles = "".join(
        f'<circle cx="{40 + 50 * i}" cy="60" r="20" fill="{fill}" opacity="0.7"/>'
        for i in range(shapes)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="140" viewBox="0 0 320 140">'
        f'<rect width="320" height="140" fill="#f4f6fb"/>{circles}'
        f'<text x="20" y="125" font-family="sans-serif" font-size="14">{safe}</text></svg>'
    ).encode()


def human_size(size: int) -> str:
    """How the list shows a file's size: `812 bytes`, `3.4 KB`.

    >>> human_size(812), human_size(3482)
    ('812 bytes', '3.4 KB')
    """
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"
