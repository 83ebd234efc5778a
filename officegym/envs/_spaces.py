"""The text fields' spaces: Gymnasium's `Text`, read live out of a vector env's shared memory.

`gymnasium.vector.AsyncVectorEnv` (with shared memory, its default) reads each field's batch out of
shared memory once, as it starts, and hands out that object after every step: for a `Box` an array
over the memory, so it shows each new observation; for a `Text`, a tuple of the strings that were
there at the start (Gymnasium 1.4, the latest), so every text would stay the first, empty one.
`ObservationText` is Gymnasium's `Text` in every other way (flattening, batching, the checker,
shared memory itself); only its reader differs, registered for this class alone: `SharedTexts`,
which decodes the texts in the memory as they are when read, and is a tuple of them when the vector
env copies its observations (as it does by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any, overload

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import read_from_shared_memory

from officegym.envs._bounds import OBSERVATION_TEXT_LIMITS, observation_charset

__all__ = ["ObservationText", "SharedTexts", "text_space"]


class ObservationText(spaces.Text):
    """Gymnasium's `Text`, whose batch in a vector env's shared memory is read when used."""


def text_space(name: str) -> ObservationText:
    """The space of the observation's text field `name`: its length limit, the observation
    charset, and the empty text (an error page has no tree, a step most often no error)."""
    return ObservationText(
        OBSERVATION_TEXT_LIMITS[name], min_length=0, charset=observation_charset()
    )


class SharedTexts(Sequence[str]):
    """The texts of a batch of envs as they are in shared memory now, one per env.

    Gymnasium writes a text as the indices of its characters in the space's charset, padded with
    the charset's length; the indices are turned into code points and decoded all at once.
    """

    def __init__(self, space: spaces.Text, codes: np.ndarray[Any, np.dtype[np.int32]]) -> None:
        self._codes = codes  # (envs, max_length), over the shared memory
        self._pad = len(space.character_list)
        self._points = np.array([ord(c) for c in space.character_list], dtype=np.uint32)

    def __len__(self) -> int:
        return int(self._codes.shape[0])

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        row = self._codes[index]  # IndexError past the end, as a tuple's
        ends = np.flatnonzero((row < 0) | (row >= self._pad))
        used = row[: ends[0]] if ends.size else row
        return str(self._points[used].tobytes().decode("utf-32-le"))

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, SharedTexts) else other)

    __hash__ = None  # type: ignore[assignment]  # it changes with the memory

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __reduce__(self) -> tuple[type[tuple[str, ...]], tuple[tuple[str, ...]]]:
        return tuple, (tuple(self),)

    def __repr__(self) -> str:
        return repr(tuple(self))


@read_from_shared_memory.register(ObservationText)
def _read_live(
    space: ObservationText, shared_memory: SynchronizedArray[Any], n: int = 1
) -> SharedTexts:
    memory = memoryview(shared_memory.get_obj()).cast("B")
    codes = np.frombuffer(memory, dtype=np.int32).reshape((n, space.max_length))
    return SharedTexts(space, codes)
