"""How the local pool deals jobs to workers: contiguous lanes, stealing the back half."""

from __future__ import annotations

import itertools

from officegym.runner._pool import _Lanes


def jobs(n: int) -> list[tuple[str, int, str, str]]:
    return [("mail.apply-label", s, f"mail.apply-label-s{s}", "") for s in range(n)]


def test_each_worker_gets_a_contiguous_lane_and_steals_contiguous_halves() -> None:
    lanes = _Lanes(jobs(10), 2)
    seeds: dict[int, list[int]] = {0: [], 1: []}
    turn = 0
    while lanes:
        lane = 0 if turn % 3 else 1  # worker 0 is twice as fast as worker 1
        item = lanes.take(lane)
        if item is not None:
            seeds[lane].append(item[0][1])
        turn += 1
    assert sorted(seeds[0] + seeds[1]) == list(range(10))  # every job once
    assert seeds[0][:5] == [0, 1, 2, 3, 4] and seeds[1][0] == 5
    # What worker 0 stole from worker 1's lane comes in ascending runs (prepared seeds hit).
    stolen = seeds[0][5:]
    assert stolen and all(b == a + 1 for a, b in itertools.pairwise(stolen))


def test_a_retry_goes_back_to_the_front_of_its_lane() -> None:
    lanes = _Lanes(jobs(4), 2)
    first = lanes.take(0)
    assert first is not None
    lanes.again(0, (first[0], 2))
    assert lanes.take(0) == (first[0], 2)
    assert _Lanes([], 3).take(1) is None
