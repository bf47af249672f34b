"""DOMAIN.md's worked result examples: shares of the ballots collected, bands on integers."""
from decimal import Decimal

import pytest

from tinnhiem.counting.bands import NORMAL, OVER_HALF, TWO_THIRDS, band, share


@pytest.mark.parametrize("collected, low, percent, expected", [
    (48, 24, "50.00", NORMAL),       # exactly half is normal ("more than half")
    (48, 25, "52.08", OVER_HALF),
    (48, 32, "66.67", TWO_THIRDS),   # exactly two thirds is the top band ("from 2/3")
    (3, 2, "66.67", TWO_THIRDS),
    (45, 22, "48.89", NORMAL),       # the base is collected: 22/40 valid would be 55%
    (47, 25, "53.19", OVER_HALF),
])
def test_worked_examples(collected, low, percent, expected):
    assert share(low, collected) == Decimal(percent)
    assert band(low, collected) == expected


def test_invalid_row_stays_in_the_base():
    """C=47: high 19, confidence 2, low 25, one invalid row → 40.43 / 4.26 / 53.19."""
    assert [share(n, 47) for n in (19, 2, 25)] == [Decimal("40.43"), Decimal("4.26"),
                                                   Decimal("53.19")]


def test_band_is_decided_on_integers_not_on_the_rounded_share():
    # 2/3 of 1000 is 666.67: 666 low rounds to 66.60% and stays below the top band,
    # 667 low is the top band although a careless float compare could disagree.
    assert band(666, 1000) == OVER_HALF and band(667, 1000) == TWO_THIRDS
    # 50.004% rounds to 50.00% but is more than half
    assert share(12501, 25000) == Decimal("50.00") and band(12501, 25000) == OVER_HALF


def test_half_up_rounding():
    assert share(1, 8) == Decimal("12.50") and share(1, 16) == Decimal("6.25")
    assert share(1, 200) == Decimal("0.50") and share(1, 400) == Decimal("0.25")
    assert share(5, 8000) == Decimal("0.06")  # 0.0625 → 0.06; 0.125 would be 0.13
    assert share(1, 800) == Decimal("0.13")
