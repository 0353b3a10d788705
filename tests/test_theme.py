"""Every foreground and background pair the theme declares meets WCAG AA: 4.5:1 for text,
3:1 for icons, outlines and the focus ring, by the WCAG relative luminance formula."""

from __future__ import annotations

import pytest

from app.domain.models import JobStatus
from app.views import theme


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    assert len(hex_) == 6, f"{colour} is not an opaque #RRGGBB colour"
    r, g, b = (_channel(int(hex_[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_known_extremes_and_the_known_failures():
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    # The colours the issue measured before this theme: below AA, as reported.
    assert contrast("#FFFFFF", "#388E3C") < 4.5  # white on green "Completed"
    assert contrast("#FFFFFF", "#EF6C00") < 4.5  # white on orange "No access"


@pytest.mark.parametrize("pair", theme.PAIRS, ids=lambda p: p.name)
def test_every_declared_pair_meets_wcag_aa(pair: theme.Pair):
    ratio = contrast(pair.fg, pair.bg)
    assert ratio >= pair.needs, f"{pair.name}: {ratio:.2f}:1, needs {pair.needs}:1"


def test_every_status_badge_and_every_meaning_colour_is_checked():
    checked = {(p.fg, p.bg) for p in theme.PAIRS}
    for status in JobStatus:
        assert (theme.ON_COLOUR, theme.status_colour(status)) in checked, status
    for colour in theme.SYNC_COLOURS.values():
        assert (colour, theme.BAR) in checked
    for colour in theme.BANNERS.values():
        assert (theme.ON_COLOUR, colour) in checked
    assert (theme.STAR, theme.DIALOG) in checked
    assert (theme.FOCUS, theme.CARD) in checked
