"""Legacy DOM key codes (`KeyboardEvent.keyCode`, what MiniWoB++'s record.js stores) as the key
names of the trajectory format (`KeyboardEvent.key` values).

A key code names a key of the keyboard, not the character it typed: the character comes from
the `keypress` that follows, when there is one (it has the case, Shift and the layout). Codes
that browsers disagree on (Firefox sends 173 for `-`, Chrome for muting) are named as Chrome
and Windows name them; a following keypress then corrects a printable one.

>>> key_name(97, shift=False, caps=False), key_code(97)
('1', 'Numpad1')
>>> key_name(65, shift=False, caps=True), key_name(20, shift=False, caps=False)
('A', 'CapsLock')
>>> key_name(255, shift=False, caps=False) is None
True
"""

from __future__ import annotations

IME = 229  # "Process": an input method (IME, an on-screen keyboard) handles the key
CAPS_LOCK = 20
UNIDENTIFIED = "Unidentified"  # the key value browsers give a key they cannot name

NAMED = {
    3: "Cancel", 6: "Help", 8: "Backspace", 9: "Tab", 12: "Clear", 13: "Enter", 16: "Shift",
    17: "Control", 18: "Alt", 19: "Pause", CAPS_LOCK: "CapsLock", 21: "KanaMode", 22: "Eisu",
    23: "JunjaMode", 24: "FinalMode", 25: "KanjiMode", 27: "Escape", 28: "Convert",
    29: "NonConvert", 30: "Accept", 31: "ModeChange", 32: " ", 33: "PageUp", 34: "PageDown",
    35: "End", 36: "Home", 37: "ArrowLeft", 38: "ArrowUp", 39: "ArrowRight", 40: "ArrowDown",
    41: "Select", 42: "Print", 43: "Execute", 44: "PrintScreen", 45: "Insert", 46: "Delete",
    47: "Help", 59: ";", 61: "=", 91: "Meta", 92: "Meta", 93: "ContextMenu", 95: "Standby",
    144: "NumLock", 145: "ScrollLock",
    166: "BrowserBack", 167: "BrowserForward", 168: "BrowserRefresh", 169: "BrowserStop",
    170: "BrowserSearch", 171: "BrowserFavorites", 172: "BrowserHome", 173: "AudioVolumeMute",
    174: "AudioVolumeDown", 175: "AudioVolumeUp", 176: "MediaTrackNext",
    177: "MediaTrackPrevious", 178: "MediaStop", 179: "MediaPlayPause", 180: "LaunchMail",
    181: "LaunchMediaPlayer", 182: "LaunchApplication1", 183: "LaunchApplication2",
    186: ";", 187: "=", 188: ",", 189: "-", 190: ".", 191: "/", 192: "`", 193: "/", 194: ".",
    219: "[", 220: "\\", 221: "]", 222: "'", 223: "`", 224: "Meta", 225: "AltGraph",
    226: "\\", IME: "Process", 246: "Attn", 247: "CrSel", 248: "ExSel", 249: "EraseEof",
    250: "Play", 251: "ZoomToggle", 254: "Clear",
}  # fmt: skip
# The keypad, which has its own codes: digits 96-105, then * + , - . /
NUMPAD = {
    **{96 + d: (str(d), f"Numpad{d}") for d in range(10)},
    106: ("*", "NumpadMultiply"), 107: ("+", "NumpadAdd"), 108: (",", "NumpadComma"),
    109: ("-", "NumpadSubtract"), 110: (".", "NumpadDecimal"), 111: ("/", "NumpadDivide"),
}  # fmt: skip
FUNCTION_KEYS = range(112, 136)  # F1 … F24


def key_name(code: int, *, shift: bool, caps: bool) -> str | None:
    """The key of a key code, None for a code no keyboard is known to send.

    Args:
        shift: Shift is held; with `caps` (Caps Lock on), it decides a letter's case when no
            keypress says which character was typed.
    """
    if 48 <= code <= 57:
        return chr(code)
    if 65 <= code <= 90:
        return chr(code) if shift != caps else chr(code).lower()
    if code in NUMPAD:
        return NUMPAD[code][0]
    if code in FUNCTION_KEYS:
        return f"F{code - 111}"
    return NAMED.get(code)


def key_code(code: int) -> str | None:
    """The physical key (`KeyboardEvent.code`) where the key code alone says which it is: the
    keypad's keys, whose characters the main keyboard has too."""
    return NUMPAD[code][1] if code in NUMPAD else None


def typed_char(char_code: object) -> str | None:
    """The character of a keypress's `charCode`, None for a control character or no character
    (Enter's 13 is named by its key code)."""
    if isinstance(char_code, bool) or not isinstance(char_code, int | float):
        return None
    if not 32 <= char_code < 0x110000 or char_code != int(char_code) or char_code == 127:
        return None
    if 0xD800 <= char_code <= 0xDFFF:
        return None  # half of a UTF-16 pair: not a character by itself
    return chr(int(char_code))
