"""benchmarks/frame_privacy.py: its scoring on hand-made boxes (so a figure it prints cannot be
wrong without a test failing), its planted values, and its ground truth on real frames."""

from __future__ import annotations

import io
import random
import shutil
import sys
from pathlib import Path

import pytest
from PIL import Image

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the scripts import their helpers (_measure) by name

import _frame_plants as plants  # noqa: E402
import frame_privacy as bench  # noqa: E402
from _frame_truth import Box, TrueValue  # noqa: E402

from officegym.browser import BrowserHost  # noqa: E402
from officegym.replayer._pii import find_sensitive  # noqa: E402
from officegym.trajectory import TrajectoryReader  # noqa: E402


def value(kind: str, *boxes: Box, planted: bool = True, shown: bool = True) -> TrueValue:
    return TrueValue(kind, f"a {kind}", tuple(boxes), planted, shown, 14.0)


def test_overlap_needs_a_quarter_of_the_smaller_box() -> None:
    line = (100, 100, 200, 20)
    assert bench.overlaps(line, (150, 102, 60, 16))  # inside
    assert bench.overlaps((0, 0, 1280, 720), line)  # a box over everything covers it
    assert bench.overlaps(line, (250, 100, 100, 20))  # half of the found box
    assert not bench.overlaps(line, (300, 100, 50, 20))  # edge to edge: nothing shared
    assert not bench.overlaps(line, (100, 118, 200, 20))  # a pixel row or two of the next line
    assert not bench.overlaps(line, (100, 100, 0, 20))  # an empty box
    assert bench.overlaps(line, (100, 115, 200, 20)) is bench.overlaps((100, 115, 200, 20), line)


def test_a_value_is_found_only_by_a_box_of_its_kind_on_it() -> None:
    card = value("card_number", (100, 100, 160, 16))
    mail = value("email", (100, 140, 180, 16))
    key = value("api_key", (600, 700, 300, 16), (0, 716, 120, 16))  # wrapped onto two lines
    found = [
        bench.FoundBox("card_number", (98, 99, 150, 18)),
        bench.FoundBox("token", (100, 140, 180, 16)),  # the text was read, its kind was not
        bench.FoundBox("api_key", (2, 717, 100, 14)),  # on the key's second line
    ]
    score = bench.score_frame([card, mail, key], found)
    assert [(o.value.kind, o.found, o.found_as_any_kind) for o in score.outcomes] == [
        ("card_number", True, True),
        ("email", False, True),
        ("api_key", True, True),
    ]
    assert score.false_boxes == ()


def test_false_boxes_are_those_on_no_sensitive_value() -> None:
    truth = [
        value("card_number", (100, 100, 160, 16)),
        value("phone_number", (100, 700, 120, 16), shown=False),  # clipped: not scored
        value("email", (400, 60, 180, 14), planted=False),  # the apps' own data
    ]
    found = [
        bench.FoundBox("phone_number", (100, 702, 110, 14)),
        bench.FoundBox("email", (400, 60, 170, 14)),
        bench.FoundBox("phone_number", (700, 300, 120, 16), "number ending 12"),
        bench.FoundBox("card_number", (100, 125, 160, 16)),  # the line under the card
    ]
    score = bench.score_frame(truth, found)
    assert [o.value.kind for o in score.outcomes] == ["card_number"]
    assert not score.outcomes[0].found
    assert [b.box for b in score.false_boxes] == [(700, 300, 120, 16), (100, 125, 160, 16)]
    assert score.seeded_found == 1


def test_summary_counts_recall_and_false_boxes_per_zoom() -> None:
    def frame(zoom: float, hits: list[bool], false: int) -> bench.ScoredFrame:
        outcomes = tuple(bench.Outcome(value("email", (0, 0, 9, 9)), h, h) for h in hits)
        boxes = tuple(bench.FoundBox("phone_number", (0, 0, 1, 1)) for _ in range(false))
        return bench.ScoredFrame("mail body", 0, zoom, 0.5, bench.FrameScore(outcomes, boxes))

    summary = bench.summarize(
        [frame(1.0, [True, True, False], 1), frame(1.0, [True], 0), frame(1.25, [False], 0)]
    )
    at_100, at_125 = summary["100%"], summary["125%"]
    assert at_100["kinds"]["email"] == {
        "shown": 4, "found": 3, "found_as_any_kind": 3, "false_boxes": 0, "recall": 0.75,
    }  # fmt: skip
    assert at_100["kinds"]["phone_number"]["false_boxes"] == 1
    assert at_100["kinds"]["card_number"]["recall"] is None  # none shown: no figure
    assert (at_100["frames"], at_100["false_per_frame"]) == (2, 0.5)
    assert at_125["kinds"]["email"]["recall"] == 0.0
    assert at_125["false_per_frame"] == 0.0
    assert bench.verdict("100%", "email", 0.75).endswith("MISSED")
    assert bench.verdict("100%", "phone_number", 0.9).endswith("met")
    assert bench.verdict("125%", "email", 0.75) == ""  # the targets are for the default size


@pytest.mark.parametrize("kind", sorted(plants.MAKERS))
def test_planted_values_are_what_the_detectors_call_them(kind: str) -> None:
    rng = random.Random(kind)
    for _ in range(200):
        planted = plants.plant(kind, rng)  # raises unless the detectors agree
        assert [m.kind for m in find_sensitive(f"see {planted.value} here")] == [kind]


def test_api_keys_come_in_each_shape() -> None:
    rng = random.Random(0)
    keys = [plants.api_key(rng, shape) for shape in ("sk", "akia", "ghp", "stripe")]
    assert [k[:4] for k in keys] == ["sk-" + keys[0][3], "AKIA", "ghp_", "sk_l"]
    assert [m.kind for k in keys for m in find_sensitive(k)] == ["api_key"] * 4


def ink_in(image: Image.Image, box: Box) -> int:
    """The darkest grey level inside `box` (text drawn there is dark)."""
    x, y, w, h = box
    crop = image.convert("L").crop((round(x), round(y), round(x + w), round(y + h)))
    darkest, _ = crop.getextrema()
    return int(darkest)  # type: ignore[arg-type]  # a grey image's extrema are two numbers


@pytest.mark.browser
@pytest.mark.slow
def test_true_boxes_sit_on_the_text_of_real_frames_at_both_zooms(tmp_path: Path) -> None:
    host = BrowserHost.acquire("headless")
    surface = next(s for s in plants.SURFACES if s.name == "mail settings")  # a field's text
    widths, frames = {}, []
    for zoom in bench.ZOOMS:
        (frame,) = host.run(bench.record_surface(host, surface, 0, zoom, 1, "env"))
        frames.append(frame)
        image = Image.open(io.BytesIO(frame.image))
        assert image.size == bench.VIEWPORT  # a 125 % screen of the same pixels
        planted = [v for v in frame.truth if v.planted]
        assert [v.kind for v in planted] == ["phone_number", "email"] and not frame.not_located
        for v in planted:
            assert v.shown and len(v.boxes) == 1
            assert ink_in(image, v.boxes[0]) < 100, (zoom, v)
            blank = (900, *v.boxes[0][1:])
            assert ink_in(image, blank) > 200  # right of the settings form: nothing drawn
        widths[zoom] = planted[1].boxes[0][2]
    assert widths[1.25] / widths[1.0] == pytest.approx(1.25, rel=0.05)
    bench.write_recordings(tmp_path, frames, "env")  # what `officegym audit --frames` reads
    for frame, folder in zip(frames, sorted(tmp_path.iterdir()), strict=True):
        with TrajectoryReader(folder) as reader:
            (shot,) = [e for e in reader.events() if e.type == "screenshot"]
            assert reader.read_frame(shot.frame) == frame.image
    if shutil.which("tesseract") is None:
        pytest.skip("no Tesseract: the frames are not scanned")
    scored = [s for s, _ in bench.scan_all(frames)]  # the scanner's boxes reach the scoring
    assert [(s.zoom, len(s.score.outcomes)) for s in scored] == [(1.0, 2), (1.25, 2)]
    assert all(s.seconds > 0 for s in scored)
