"""Reading a source file: whole (`read_source`), or a piece at a time (`JsonStream`).

Every failure is an `ImportFormatError` naming the file and where: a line and column, a byte,
or the path of a field (`states[5].action.keyCode` for a NaN).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic_core import from_json

from officegym.replayer.importers._common import MAX_SOURCE_BYTES, ImportFormatError
from officegym.trajectory import too_deep_line

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1024 * 1024  # bytes read (or of gzip data decompressed) at a time


def read_source(path: Path) -> Any:
    """The decoded JSON of a source file (gzip-compressed or not, JSON or JSON Lines).

    Raises:
        ImportFormatError: unreadable; larger than MAX_SOURCE_BYTES, as stored or decompressed;
            not UTF-8; not JSON (with line and column); or holding NaN, Infinity or a number
            too long to read (with the field).
    """
    where = str(path)
    raw = stored_bytes(path)
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise broken_gzip(where, raw, exc) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(where, exc.start) from None
    del raw  # the text alone is kept while it is parsed
    try:
        return json_value(text, where)
    except ImportFormatError as first:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if first.problem.startswith("not JSON: Extra data") and one_value(lines[0][1]):
            return [json_value(line, where, n) for n, line in lines]  # JSON Lines
        raise


def stored_bytes(path: Path) -> bytes:
    """The bytes of a source file as stored; a gzip is checked to decompress to at most
    MAX_SOURCE_BYTES first (counted, not kept) and to be unbroken.

    Raises:
        ImportFormatError: unreadable, too large, or broken gzip data.
    """
    where = str(path)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise too_large(where, f"byte {MAX_SOURCE_BYTES}", "larger")
        with path.open("rb") as f:
            raw = f.read(MAX_SOURCE_BYTES + 1)  # bounded: a device or a pipe states no size
    except OSError as exc:
        raise unreadable(where, exc) from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise too_large(where, f"byte {MAX_SOURCE_BYTES}", "larger")
    if raw[:2] == GZIP_MAGIC:
        try:
            size = inflated_size(raw, MAX_SOURCE_BYTES)
        except zlib.error as exc:
            raise broken_gzip(where, raw, exc) from None
        if size > MAX_SOURCE_BYTES:
            at = f"byte {MAX_SOURCE_BYTES} of the decompressed data"
            raise too_large(where, at, "decompresses to more")
    return raw


def unreadable(where: str, exc: Exception) -> ImportFormatError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return ImportFormatError(where, None, None, f"cannot be read: {reason}")


def broken_gzip(where: str, raw: bytes, exc: Exception) -> ImportFormatError:
    at = f"byte {gzip_break(raw)} of the gzip data"
    return ImportFormatError(where, None, at, f"broken gzip data: {exc}")


def not_utf8(where: str, byte: int) -> ImportFormatError:
    problem = "not UTF-8 text: is this the exported JSON file?"
    return ImportFormatError(where, None, f"byte {byte}", problem)


def too_large(where: str, at: str, what: str) -> ImportFormatError:
    problem = f"{what} than {MAX_SOURCE_BYTES // 2**20} MiB: not one recording"
    return ImportFormatError(where, None, at, problem)


def inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes gzip data decompresses to, counted up to just past `limit` and kept
    nowhere: a small file that inflates to gigabytes costs no memory to refuse.

    Raises:
        zlib.error: the data is not gzip or is broken (as `gzip.decompress` would say).
    """
    total, data = 0, raw
    while data:  # one gzip member after another, as gzip.decompress reads them
        stream = zlib.decompressobj(wbits=31)  # with gzip's header and trailer
        while not stream.eof and data:
            total += len(stream.decompress(data, CHUNK))
            if total > limit:
                return total
            data = stream.unconsumed_tail
        if not stream.eof:
            return total  # cut short: gzip.decompress says so next
        data = stream.unused_data.lstrip(b"\0")  # gzip.decompress skips zeros between members
    return total


class NotJson:
    """Stands in for what Python's json reads but JSON has not (NaN, Infinity), until the
    decoded value is searched for where it was."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> NotJson:
        self.names.append(name)
        return self


def json_value(text: str, where: str, line: int | None = None) -> Any:
    """A JSON text (a whole file, or one line of JSON Lines) decoded; errors name the line.

    Raises:
        ImportFormatError: not JSON, nested too deeply, a number too long to read, or NaN or
            Infinity (not JSON, though Python reads them), naming the field.
    """
    constants = NotJson()
    try:
        value = json.loads(text, parse_constant=constants)
    except json.JSONDecodeError as exc:
        problem = f"not JSON: {exc.msg} at column {exc.colno}"
        at = exc.lineno if line is None else line
        raise ImportFormatError(where, at, None, problem) from None
    except RecursionError:
        at = too_deep_line(text) if line is None else line
        raise ImportFormatError(where, at, None, "nested too deeply to read") from None
    except ValueError:  # an integer of more digits than Python converts
        found = re.search(rf"\d{{{sys.get_int_max_str_digits() + 1},}}", text)
        if found and line is None:
            line = text.count("\n", 0, found.start()) + 1
        problem = "a number too long to read: not one a recording holds"
        raise ImportFormatError(where, line, None, problem) from None
    if constants.names:
        problem = f"{constants.names[0]} is not a JSON number"
        raise ImportFormatError(where, line, path_to(value, constants), problem)
    return value


def path_to(value: Any, wanted: object) -> str:
    """Where `wanted` first is in a decoded JSON value, as `states[5].action.keyCode`."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if node is wanted:
            return path or "(top level)"
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k)) for k, v in reversed(node.items())]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node)))]
    return "(top level)"


def one_value(line: str) -> bool:
    """Whether a line is a JSON value by itself (the first line of JSON Lines is)."""
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def gzip_break(raw: bytes) -> int:
    """The offset in gzip data where decompressing it fails: the first bad byte, the start of
    a bad member after the first, or the end when the data stops early."""
    stream = zlib.decompressobj(wbits=31)  # with gzip's header and trailer
    size = 4096
    for start in range(0, len(raw), size):
        chunk, before = raw[start : start + size], stream.copy()
        try:
            stream.decompress(chunk)
        except zlib.error:  # find the byte: feed the chunk again one byte at a time
            for i in range(len(chunk)):
                try:
                    before.decompress(chunk[i : i + 1])
                except zlib.error:
                    return start + i
            return start
        if stream.eof:
            return start + len(chunk) - len(stream.unused_data)
    return len(raw)


def _split(document: Any, array: str) -> Iterator[tuple[str | None, int | None, Any]]:
    """A decoded document as `JsonStream.pieces` gives it."""
    if not isinstance(document, dict):
        yield None, None, document
        return
    for key, value in document.items():
        if key != array or not isinstance(value, list):
            yield key, None, value
        elif not value:
            yield key, None, []  # a member that is an empty list
        else:
            yield from ((key, i, element) for i, element in enumerate(value))


_SPACE = re.compile(r"[ \t\n\r]*")
# A value cut off by the end of what has been read so far fails within a few characters of
# that end (a literal, a number or an escape cut short), or as a string that does not end.
_CUT_MARGIN = 16


class JsonStream:
    """One JSON document read from a file a piece at a time: each member of its top-level
    object, and the elements of one array member one by one. Only the piece being decoded and
    a read-ahead of `CHUNK` bytes are held, so a 100 MB demonstration is never in memory whole.
    A plain file no larger than one read (`CHUNK`) is decoded in one call (`_whole`) and given
    in the same pieces: most demonstrations are a few kB, and that is the fast way for them.

    A gzip source is measured first (as `read_source` does) and decompressed as it is read.
    Errors name the line and column (JSON), the byte (UTF-8, gzip), or the field (NaN).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.json"
    >>> _ = path.write_text('{"a": 1, "states": [{"t": 0}, {"t": 5}], "b": [2]}')
    >>> list(JsonStream(path).pieces("states"))
    [('a', None, 1), ('states', 0, {'t': 0}), ('states', 1, {'t': 5}), ('b', None, [2])]
    """

    def __init__(self, path: Path) -> None:
        self.where, self._path = str(path), path
        self._raw = b""  # a gzip source's bytes as stored, to say where it breaks
        self._file: io.BufferedIOBase = io.BytesIO()  # opened by `pieces`
        self._decode = codecs.getincrementaldecoder("utf-8-sig")().decode
        self._constants = NotJson()
        self._json = json.JSONDecoder(parse_constant=self._constants)
        self._text, self._pos, self._eof = "", 0, False  # read, not yet taken
        self._line, self._column = 1, 0  # of text[0], for errors
        self._bytes = 0  # read so far (decompressed)
        self._small = False  # a plain file of at most CHUNK bytes: see `_whole`

    def _open(self, path: Path) -> io.BufferedIOBase:
        """The file, or for gzip data (measured first) its decompressed bytes as read."""
        try:
            file = path.open("rb")
        except OSError as exc:
            raise unreadable(self.where, exc) from None
        try:
            gzipped, info = file.peek(2)[:2] == GZIP_MAGIC, os.fstat(file.fileno())
        except OSError as exc:
            file.close()
            raise unreadable(self.where, exc) from None
        if not gzipped and info.st_size <= MAX_SOURCE_BYTES:
            self._small = info.st_size <= CHUNK and stat.S_ISREG(info.st_mode)
            return file
        file.close()
        if info.st_size > MAX_SOURCE_BYTES:
            raise too_large(self.where, f"byte {MAX_SOURCE_BYTES}", "larger")
        self._raw = stored_bytes(path)
        return gzip.GzipFile(fileobj=io.BytesIO(self._raw))

    def pieces(self, array: str) -> Iterator[tuple[str | None, int | None, Any]]:
        """The document piece by piece: `(key, None, value)` for each member of the top-level
        object, `(array, i, element)` for each element of the member named `array` when it is
        a list (`(array, None, [])` when it is empty), and `(None, None, document)` when the
        document is not an object.

        Raises:
            ImportFormatError: not UTF-8 or not JSON (line and column), NaN or Infinity (the
                field), too large, or broken gzip data.
        """
        self._file = self._open(self._path)
        try:
            whole = self._whole(array) if self._small else None
            if whole is not None:
                yield from _split(whole[0], array)
                return
            if self._next() == "{":
                yield from self._members(array)
            else:
                yield None, None, self._value(None)
            if self._next():
                raise self._error("Extra data", self._pos)
        finally:
            self._file.close()

    def _whole(self, array: str) -> tuple[Any] | None:
        """A small file decoded in one call to pydantic's JSON parser (in Rust: a third faster
        than `json`'s, and no Python between the states), as a 1-tuple; or None to read it a
        piece at a time.

        None (and the file read again from its start) where that parser might not give what
        the piece-wise reading gives, which then says what is wrong: when it finds anything
        wrong (it refuses NaN, Infinity, a byte order mark, nesting deeper than 200, all that
        `json` refuses, and where it accepts, it decodes as `json` does), or when the document
        may hold `array` twice (its name twice, or a `\\u` escape that could spell it): one
        decoded object keeps the last, while the pieces give both. Another member given twice
        is given once, by its last value: what a reader that keeps the members in a dict (as
        every importer does) has in the end either way.
        """
        data = self._file.read(CHUNK + 1)
        name = json.dumps(array).encode()
        if len(data) <= CHUNK and data.count(name) <= 1 and b"\\u" not in data:
            try:
                return (from_json(data, allow_inf_nan=False),)
            except ValueError:
                pass
        self._file.seek(0)
        return None

    def _members(self, array: str) -> Iterator[tuple[str, int | None, Any]]:
        self._pos += 1  # the {
        if self._next() == "}":
            self._pos += 1
            return
        while True:
            if self._next() != '"':
                self._fail("property name enclosed in double quotes")
            key = self._value(None)
            self._take(":")
            if key == array and self._next() == "[":
                yield from self._elements(key)
            else:
                yield key, None, self._value(key)
            if self._take(",}") == "}":
                return

    def _elements(self, key: str) -> Iterator[tuple[str, int | None, Any]]:
        self._pos += 1  # the [
        if self._next() == "]":
            self._pos += 1
            yield key, None, []  # a member that is an empty list
            return
        i = 0
        while True:
            yield key, i, self._value(f"{key}[{i}]")
            if self._take(",]") == "]":
                return
            i += 1

    def _value(self, field: str | None) -> Any:
        """Decode the value at the read position (after whitespace), reading more as needed.

        Args:
            field: its path in the document, to name in an error about a NaN in it.
        """
        self._next()
        while True:
            start = self._pos
            try:
                value, end = self._json.raw_decode(self._text, start)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self._text) - _CUT_MARGIN or exc.msg.startswith("Unterminated")
                if cut and self._more(len(self._text) - start):
                    continue
                raise self._error(exc.msg, exc.pos) from None
            except RecursionError:
                problem = "nested too deeply to read"
                raise ImportFormatError(self.where, self._line_at(start), None, problem) from None
            except ValueError:  # an integer of more digits than Python converts
                problem = "a number too long to read: not one a recording holds"
                raise ImportFormatError(self.where, self._line_at(start), None, problem) from None
            if end > len(self._text) - _CUT_MARGIN and self._more(end - start):
                continue  # a number may go on in what is not read yet (1.5e-7 read as 1.5)
            self._pos = end
            if self._constants.names:
                inner = path_to(value, self._constants)
                at = field if inner == "(top level)" else (f"{field}.{inner}" if field else inner)
                problem = f"{self._constants.names[0]} is not a JSON number"
                raise ImportFormatError(self.where, None, at or "(top level)", problem)
            return value

    def _next(self) -> str:
        """The next character after whitespace, without taking it; "" at the end."""
        while True:
            match = _SPACE.match(self._text, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._more(0):
                return ""

    def _take(self, allowed: str) -> str:
        char = self._next()
        if not char or char not in allowed:
            self._fail(" or ".join(f"'{c}'" for c in allowed) + " delimiter")
        self._pos += 1
        return char

    def _fail(self, expected: str) -> Any:
        raise self._error(f"Expecting {expected}", self._pos)

    def _more(self, pending: int) -> bool:
        """Read at least CHUNK (and at least `pending`: doubling what a value still needs)
        more bytes, dropping the text before the read position; False at the end."""
        if self._eof:
            return False
        try:
            data = self._file.read(max(CHUNK, pending))
        except (OSError, EOFError, zlib.error) as exc:
            if self._raw:  # gzip data broken mid-way (BadGzipFile is an OSError)
                raise broken_gzip(self.where, self._raw, exc) from None
            raise unreadable(self.where, exc) from None
        self._bytes += len(data)
        if self._bytes > MAX_SOURCE_BYTES:  # a device or a pipe that states no size
            raise too_large(self.where, f"byte {MAX_SOURCE_BYTES}", "larger")
        try:
            chars = self._decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise not_utf8(self.where, self._bytes - len(data) + exc.start) from None
        if not data:
            self._eof = True
            return False  # nothing appended: positions into the text still hold
        done = self._text[: self._pos]
        newline = done.rfind("\n")
        self._line += done.count("\n")
        self._column = len(done) - newline - 1 if newline >= 0 else self._column + len(done)
        self._text, self._pos = self._text[self._pos :] + chars, 0
        return True

    def _line_at(self, pos: int) -> int:
        return self._line + self._text.count("\n", 0, pos)

    def _error(self, message: str, pos: int) -> ImportFormatError:
        newline = self._text.rfind("\n", 0, pos)
        column = pos - newline if newline >= 0 else self._column + pos + 1
        problem = f"not JSON: {message} at column {column}"
        return ImportFormatError(self.where, self._line_at(pos), None, problem)
