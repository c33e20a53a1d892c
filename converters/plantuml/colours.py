"""PlantUML 1.2026.8's colours, and the stereotype group after an action's ``;``.

PlantUML 1.2026.8 colours an action only by a stereotype after its ``;`` (``:text; <<#red>>``).
The old ``#red:text;`` prefix is deprecated there: the colour is ignored and the line opens an
action that runs to the next line ending in ``;`` (so ``#red:a;`` right before ``stop`` is refused).
A colour PlantUML does not know (``<<#zzz>>``, ``|#zzz|lane|``) makes it refuse the whole diagram
("No such color"), so the writer writes only colours this module accepts and the reader refuses
the rest, as PlantUML does.
"""
from __future__ import annotations

import re

# HColorSet / ColorTrieNode of PlantUML 1.2026.8 (names match case-insensitively), plus its three
# special values.
_NAME_TEXT = """
    APPLICATION AliceBlue AntiqueWhite Aqua Aquamarine Azure BUSINESS Beige Bisque Black BlanchedAlmond Blue
    BlueViolet Brown BurlyWood CadetBlue Chartreuse Chocolate Coral CornflowerBlue Cornsilk Crimson Cyan
    DarkBlue DarkCyan DarkGoldenRod DarkGray DarkGreen DarkGrey DarkKhaki DarkMagenta DarkOliveGreen
    DarkOrchid DarkRed DarkSalmon DarkSeaGreen DarkSlateBlue DarkSlateGray DarkSlateGrey DarkTurquoise
    DarkViolet Darkorange DeepPink DeepSkyBlue DimGray DimGrey DodgerBlue FireBrick FloralWhite ForestGreen
    Fuchsia Gainsboro GhostWhite Gold GoldenRod Gray Green GreenYellow Grey HoneyDew HotPink IMPLEMENTATION
    IndianRed Indigo Ivory Khaki Lavender LavenderBlush LawnGreen LemonChiffon LightBlue LightCoral LightCyan
    LightGoldenRodYellow LightGray LightGreen LightGrey LightPink LightSalmon LightSeaGreen LightSkyBlue
    LightSlateGray LightSlateGrey LightSteelBlue LightYellow Lime LimeGreen Linen MOTIVATION Magenta Maroon
    MediumAquaMarine MediumBlue MediumOrchid MediumPurple MediumSeaGreen MediumSlateBlue MediumSpringGreen
    MediumTurquoise MediumVioletRed MidnightBlue MintCream MistyRose Moccasin NavajoWhite Navy OldLace Olive
    OliveDrab Orange OrangeRed Orchid PHYSICAL PaleGoldenRod PaleGreen PaleTurquoise PaleVioletRed PapayaWhip
    PeachPuff Peru Pink Plum PowderBlue Purple Red RosyBrown RoyalBlue STRATEGY SaddleBrown Salmon SandyBrown
    SeaGreen SeaShell Sienna Silver SkyBlue SlateBlue SlateGray SlateGrey Snow SpringGreen SteelBlue
    TECHNOLOGY Tan Teal Thistle Tomato Turquoise Violet Wheat White WhiteSmoke Yellow YellowGreen
"""
NAMES = frozenset(name.lower() for name in _NAME_TEXT.split()) | {"transparent", "background", "automatic"}
_HEX = re.compile(r"[0-9A-Fa-f]+")
_GRADIENT = re.compile(r"[/|\\\-]")
# The parts PlantUML takes after a back colour (``#red;line:blue;line.dashed;text:green``): the
# writer writes only these; the colours in them are not checked by PlantUML (``line:zzz`` is drawn).
_KNOWN_PART = re.compile(r"(?:line|text|back)[.:]", re.I)
_PART = re.compile(r"(?:line|text):#?[A-Za-z0-9]+|line\.(?:dashed|dotted|bold|plain)", re.I)


def simple_colour(text: str) -> bool:
    """A name PlantUML knows, or 1, 3, 6 or 8 hex digits (without the ``#``)."""
    return text.lower() in NAMES or (len(text) in (1, 3, 6, 8) and bool(_HEX.fullmatch(text)))


def back_colour(spec: str) -> bool:
    """``spec`` (after its ``#``) is a colour or a two-colour gradient (``red/blue``, ``red-blue``,
    ``red|blue``, ``red\\blue``)."""
    parts = _GRADIENT.split(spec)
    return len(parts) <= 2 and all(simple_colour(part) for part in parts)


def known_colour(spec: str) -> bool:
    """``#`` and a colour or gradient PlantUML knows, of two characters at least: what a swimlane, a
    participant or a box takes (``|#1|A|`` and ``participant A #1`` are refused; the writers write
    no shorter colour anywhere)."""
    return spec.startswith("#") and len(spec) > 2 and back_colour(spec[1:])


def readable_colour(spec: str) -> bool:
    """A ``#…`` colour stereotype PlantUML draws: its back colour is one it knows; the parts after
    ``;`` PlantUML checks only by their first word (``line:zzz`` and ``line.foo`` are drawn,
    ``foo`` is "No such color")."""
    back, *rest = spec.lstrip("#").split(";")
    return spec.startswith("#") and back_colour(back) and all(not part or _KNOWN_PART.match(part) for part in rest)


def writable_colour(spec: str) -> bool:
    """A colour the writer writes: ``#`` and a back colour PlantUML knows, then only the parts it draws."""
    if not spec.startswith("#") or spec.startswith("##"):
        return False
    back, *rest = spec[1:].split(";")
    return back_colour(back) and all(_PART.fullmatch(part) for part in rest)


def action_end(text: str) -> tuple[int, list[str]] | None:
    """Where an action's text ends: the index of its ``;`` and the stereotype labels after it
    (``:x; <<procedure>> <<#red>>`` → labels ``procedure``, ``#red``), or None when the line does
    not end an action. Read from the line's end, each character once."""
    end = len(text)
    labels: list[str] = []
    while True:
        while end and text[end - 1] in " \t":
            end -= 1
        if not text.endswith(">>", 0, end):
            break
        opening = text.rfind("<<", 0, end - 2)
        inner = text[opening + 2:end - 2] if opening >= 0 else ""
        if not inner or "<" in inner or ">" in inner:
            return None
        labels.append(inner.strip())
        end = opening
    if end and text[end - 1] == ";":
        labels.reverse()
        return end - 1, labels
    return None
