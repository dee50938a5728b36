"""Colour arithmetic for the site's accent: WCAG 2.x relative luminance and contrast ratios, and shades.

Pure functions on "#rrggbb" strings, so the rules the branding settings enforce can be tested without a page.
"""
from __future__ import annotations

import re

AA_TEXT = 4.5  # WCAG 2.x level AA for body text (links, button labels)
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse(value: str) -> str | None:
    """A colour as lowercase "#rrggbb", or None when `value` is not a hex colour ("#abc" is widened)."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(channel))):02x}" for channel in rgb)


def luminance(colour: str) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0 to 1) of the way towards `other`."""
    return _hex(a + (b - a) * amount for a, b in zip(_rgb(colour), _rgb(other)))


def darker_until(colour: str, passes) -> str:
    """The first shade of `colour`, darkening in 2% steps towards black, for which `passes(shade)` holds."""
    for step in range(51):
        shade = mix(colour, "#000000", step / 50)
        if passes(shade):
            return shade
    return "#000000"


def lighter_until(colour: str, passes, start: float = 0.88) -> str:
    """A tint of `colour` (from `start` of the way to white, lightening in 1% steps) for which `passes` holds."""
    amount = start
    while amount < 1:
        tint = mix(colour, "#ffffff", amount)
        if passes(tint):
            return tint
        amount += 0.01
    return "#ffffff"
