"""DOMAIN.md's "Results": shares of the ballots collected, and the bands, which are decided
on the integer counts and never on a rounded percentage."""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

NORMAL, OVER_HALF, TWO_THIRDS = "normal", "over_half_low", "two_thirds_low"
BAND_LABELS = {
    NORMAL: _l("Bình thường"),
    OVER_HALF: _l("Trên 50% tín nhiệm thấp"),
    TWO_THIRDS: _l("Từ 2/3 trở lên tín nhiệm thấp"),
}
CONSEQUENCES = {
    NORMAL: _l("Không"),
    OVER_HALF: _l("Không quy hoạch lên chức vụ cao hơn; xem xét miễn nhiệm, điều chuyển, cho thôi"
                  " giữ chức vụ hoặc bỏ phiếu tín nhiệm."),
    TWO_THIRDS: _l("Cho thôi giữ chức vụ, bố trí công tác thấp hơn, không chờ hết nhiệm kỳ."),
}


LEVELS = ("high", "confidence", "low")


def share(count: int, collected: int) -> Decimal:
    """Percentage of the ballots collected, two decimals, rounded half up."""
    if collected <= 0:
        return Decimal("0.00")
    return (Decimal(100 * count) / Decimal(collected)).quantize(Decimal("0.01"),
                                                                rounding=ROUND_HALF_UP)


def band(low: int, collected: int) -> str:
    """More than half low: 2L > C; from two thirds: 3L ≥ 2C."""
    if collected > 0 and 3 * low >= 2 * collected:
        return TWO_THIRDS
    if 2 * low > collected:
        return OVER_HALF
    return NORMAL


SEVERITY = {TWO_THIRDS: 0, OVER_HALF: 1, NORMAL: 2}


def shares(figures) -> dict:
    """Each level's share of the ballots collected, for anything with the counts."""
    return {level: share(getattr(figures, level), figures.collected) for level in LEVELS}


class Figures:
    """What a row with the counts (high, confidence, low, collected) reads as: a mixin for
    the roll-up's and a cadre's history's rows."""
    high: int
    confidence: int
    low: int
    collected: int

    @property
    def valid(self) -> int:
        return self.high + self.confidence + self.low

    @property
    def band(self) -> str:
        return band(self.low, self.collected)

    @property
    def shares(self) -> dict:
        return shares(self)


def reported(figures) -> dict:
    """One person's figures as they are reported: counts, shares and band."""
    out = {name: getattr(figures, name) for name in
           ("issued", "collected", "valid", "invalid", *LEVELS)}
    out.update({f"{level}_percent": value for level, value in shares(figures).items()})
    out["band"] = band(figures.low, figures.collected)
    return out


def tenth(count: int, collected: int) -> int:
    """Which tenth of 100% a share falls in (0 for 0–10% … 9 for 90–100%), on integers."""
    return min(9, 10 * count // collected) if collected > 0 else 0


def sort_share(count: int, collected: int) -> int:
    """The share in ten-thousandths, for ordering only (never for a band)."""
    return 10000 * count // collected if collected > 0 else 0


def band_label(value: str) -> str:
    return str(BAND_LABELS.get(value, value))


def consequence(value: str) -> str:
    return str(CONSEQUENCES.get(value, value))
