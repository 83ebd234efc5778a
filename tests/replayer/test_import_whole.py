"""A small source file is decoded in one call (`JsonStream._whole`), and gives what reading it
a piece at a time gives: the same elements of `states` and the same members (a member given
twice, by its last value, as a reader that keeps the members in a dict sees it), or the same
error, for every document here, hostile ones included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer.importers import _source
from officegym.replayer.importers._common import ImportFormatError

STATES = [
    {"time": 0, "action": None, "dom": {"tag": "BODY", "left": 8, "top": 8, "children": []}},
    {"time": 5, "action": {"type": "mousedown", "x": 1.5, "y": 2, "timing": 1}},
]
DEMO = json.dumps({"taskName": "t", "states": STATES, "reward": 0.5, "rawReward": 1})
DOCUMENTS = {
    "demo": DEMO,
    "states first and last": '{"states": [1, {"a": [2, 3]}], "z": -0.0, "y": 1e400}',
    "empty states": '{"taskName": "x", "states": []}',
    "states not a list": '{"states": {"a": 1}}',
    "no states": '{"taskName": "x"}',
    "empty object": "{}",
    "top-level list": "[1, 2]",
    "top-level null": "null",
    "top-level string": '"x"',
    "states twice": '{"states": [1], "a": 2, "states": [3, 4]}',
    "states twice, one escaped": '{"states": [1], "st\\u0061tes": [5]}',
    "a value named states": '{"taskName": "states", "states": [1, "states"]}',
    "a key twice": '{"a": 1, "states": [2], "a": 3}',
    "a key twice inside a state": '{"states": [{"a": 1, "a": 2}]}',
    "NaN in a state": '{"states": [{"time": 0}, {"time": NaN}]}',
    "Infinity at the top": '{"states": [], "reward": -Infinity}',
    "byte order mark": "\ufeff" + DEMO,
    "extra data": DEMO + " " + DEMO,
    "trailing garbage": DEMO + " x",
    "cut off": DEMO[:40],
    "trailing comma": '{"states": [1, 2,]}',
    "a number too long": '{"states": [' + "9" * 5000 + "]}",
    "a large integer": '{"states": [' + "9" * 300 + "]}",
    "nested 300 deep": '{"states": [' + "[" * 300 + "]" * 300 + "]}",
    "nested 3000 deep": '{"states": [' + "[" * 3000 + "]" * 3000 + "]}",
    "control character": '{"states": ["a\tb"]}',
    "lone surrogate": '{"states": ["\\ud800"]}',
    "non-ASCII": '{"utterance": "Entrée 名前 😀", "states": ["\\u00e9"]}',
    "empty file": "",
    "white space": " \n ",
}


def _read(path: Path, whole: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The pieces of `path`, or the error, decoded in one call or a piece at a time."""
    with monkeypatch.context() as patch:
        if not whole:
            patch.setattr(_source.JsonStream, "_whole", lambda self, array: None)
        members: dict[Any, str] = {}
        elements: list[str] = []
        try:
            for key, index, value in _source.JsonStream(path).pieces("states"):
                if index is None:
                    members[key] = repr(value)
                else:
                    elements.append(repr((key, index, value)))
        except ImportFormatError as exc:
            return f"error: {exc}"
        return members, elements


@pytest.mark.parametrize("name", DOCUMENTS)
def test_one_call_gives_what_the_pieces_give(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.json"
    path.write_bytes(DOCUMENTS[name].encode("utf-8", "surrogatepass"))
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)


def test_bytes_that_are_not_utf8_give_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.json"
    path.write_bytes(DEMO.replace("taskName", "task\xe9").encode("latin-1"))
    whole = _read(path, True, monkeypatch)
    assert whole == _read(path, False, monkeypatch)
    assert "not UTF-8" in whole


def test_a_small_file_is_decoded_in_one_call_and_a_large_one_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one call is taken for a plain file no larger than one read, and only then."""
    calls: list[int] = []
    one_call = _source.from_json

    def counted(data: bytes, **options: Any) -> Any:
        calls.append(len(data))
        return one_call(data, **options)

    monkeypatch.setattr(_source, "from_json", counted)
    path = tmp_path / "demo.json"
    path.write_text(DEMO)
    small = list(_source.JsonStream(path).pieces("states"))
    assert calls == [len(DEMO)]
    monkeypatch.setattr(_source, "CHUNK", len(DEMO) - 1)
    assert list(_source.JsonStream(path).pieces("states")) == small
    assert calls == [len(DEMO)]  # not called again: the file is larger than one read
