"""The kinds of finding an audit reports: how serious each is and what to do about it.

docs/data-quality.md explains each kind; `_findings.Finding.of` gives a finding its severity
and fix from here.
"""

from __future__ import annotations

from typing import Literal

# How serious a finding is: error (the recording is not fit to use as is), warning (look at it),
# info (worth knowing, often human).
Severity = Literal["error", "warning", "info"]
# kind -> (severity, what to do)
FINDINGS: dict[str, tuple[Severity, str]] = {
    "malformed": (
        "error",
        "the file breaks the trajectory format: fix its writer, then export again",
    ),
    "truncated": (
        "error",
        "the recording stops without a `done` event: it was cut off; record it again",
    ),
    "unmasked_password": (
        "error",
        "mask password fields at capture (key '•', masked: true); redact this one",
    ),
    "card_number": ("error", "run `officegym redact`; keep payment data out of capture sessions"),
    "iban": ("error", "run `officegym redact`; keep bank data out of capture sessions"),
    "api_key": ("error", "run `officegym redact` and revoke the key: it has left its owner"),
    "token": (
        "warning",
        "check the value; if it is a secret, run `officegym redact` and revoke it",
    ),
    "email": (
        "warning",
        "expected when the task is about mail; otherwise run `officegym redact --pii`",
    ),
    "phone_number": (
        "warning",
        "expected when the task needs it; otherwise run `officegym redact --pii`",
    ),
    "impossible_timing": (
        "error",
        "the recorder's clock is wrong: use a monotonic clock, one per recording",
    ),
    "superhuman_timing": (
        "warning",
        "input this fast is scripted, not human: label it synthetic or drop it",
    ),
    "idle_gap": ("warning", "the person left: split the recording there or cut the idle time"),
    "outside_viewport": (
        "error",
        "pointer input outside the page: check the coordinate space and screen offset",
    ),
    "missing_frame": (
        "error",
        "a screenshot named by an event is not stored: copy the frames/ folder along",
    ),
    "corrupt_frame": (
        "error",
        "a frame does not match its sha256: it was changed or damaged after capture",
    ),
    "stuck_key": (
        "warning",
        "a key stayed down at capture: cut the repeats, and check the capture's key-up path",
    ),
    "target_mismatch": (
        "warning",
        "the click is not on the element recorded as its target: check the coordinate space, "
        "the scroll offset and when the page snapshot was taken",
    ),
    "clock_jump": (
        "info",
        "the source's clock jumped; the import kept every event in order, but the interval "
        "at the jump is not real: leave it out of timing statistics",
    ),
    "redundant_action": (
        "info",
        "a click that changed nothing: fine for a person, noise for training",
    ),
    "undone_action": (
        "info",
        "typed and deleted again, or undone: keep it for realism, trim it for demos",
    ),
    "duplicate_recording": ("warning", "the same input as another recording: keep one"),
    # `audit --policy POLICY.yaml` (officegym/replayer/_policy_check.py)
    "policy_excluded_page": ("error", "record with `--policy`; redact or drop what it shows"),
    "policy_unmasked_field": ("error", "record with `--policy`; run `officegym redact`"),
    "policy_gap_capture": ("error", "the recorder ignored its own pause: fix it; drop the rest"),
    "policy_idle_capture": ("error", "record with `--policy`; cut what came after the idle limit"),
    "unreadable_frame": (
        "warning",
        "a stored frame is not an image OCR can read, or Tesseract failed on it, so `audit "
        "--frames` could not check it: look at it by eye, or drop it",
    ),
    "frame_too_small_for_ocr": (
        "warning",
        "the frames are stored too small for OCR to read their text, so `audit --frames` found "
        "nothing on them: audit the typed text and targets, or capture full-size frames",
    ),
}
