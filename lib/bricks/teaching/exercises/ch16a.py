"""Chapter 16a, the A-share market: a round trip's cost, the daily limit prices."""

from bricks.teaching.exercises import Case, Mistake, register


def round_trip(value, stamp):
    commission = 2 * max(0.00025 * value, 5.0)  # each side, with the 5 CNY minimum
    return 1e4 * (commission + stamp * value + 2 * 0.00001 * value) / value


register(
    "ch16a.round_trip",
    reference=round_trip,
    rtol=1e-9,
    cases=lambda: [
        Case((20_000, 0.0005), note="the minimum commission exactly binding"),
        Case((5_000, 0.0005), note="a small trade: the 5 CNY minimum"),
        Case((1_000_000, 0.001), note="a large trade, the old stamp duty"),
        Case((123_456, 0.0005)),
    ],
    forbidden=("bricks.quant.ashare:round_trip_bp",),
    mistakes=[
        Mistake(
            lambda v, s: 1e4 * (max(0.00025 * v, 5.0) + s * v + 2 * 0.00001 * v) / v,
            "the commission on one side only",
            "missing term",
        ),
        Mistake(
            lambda v, s: 1e4 * (2 * max(0.00025 * v, 5.0) + 2 * s * v + 2 * 0.00001 * v) / v,
            "the stamp duty on both sides: it is charged on the sell only",
            "factor",
        ),
        Mistake(
            lambda v, s: 1e4 * (2 * min(0.00025 * v, 5.0) + s * v + 2 * 0.00001 * v) / v,
            "min instead of max: 5 CNY is a floor",
            "formula",
        ),
        Mistake(
            lambda v, s: 1e4 * (2 * max(0.00025 * v, 5.0) + s * v) / v, "the transfer fee is missing", "missing term"
        ),
        Mistake(
            lambda v, s: 100 * (2 * max(0.00025 * v, 5.0) + s * v + 2 * 0.00001 * v) / v,
            "in percent, not basis points",
            "factor",
        ),
        Mistake(
            lambda v, s: 1e4 * (2 * 0.00025 * v + s * v + 2 * 0.00001 * v) / v,
            "the 5 CNY minimum is ignored",
            "missing term",
        ),
    ],
)


def main_board_limits(prev_close, st=False):
    p = 0.05 if st else 0.10
    return round(prev_close * (1 + p) + 1e-9, 2), round(prev_close * (1 - p) + 1e-9, 2)


register(
    "ch16a.main_board_limits",
    outputs=("upper", "lower"),
    reference=main_board_limits,
    cases=lambda: [
        Case((10.05, True), note="ST: 5%, a price halfway between two cents"),
        Case((10.05, False)),
        Case((9.99, False), note="10.989: rounds to 10.99"),
        Case((3.33, True)),
        Case((12.35, False), note="13.585: halfway"),
        Case((1.15, False), note="1.265 and 1.035: halfway, stored a hair below in binary"),
    ],
    forbidden=("bricks.quant.ashare:limit_prices",),
    mistakes=[
        Mistake(
            lambda c, st=False: (round(c * (1.05 if st else 1.10), 2), round(c * (0.95 if st else 0.90), 2)),
            "Python's round on a binary float: 1.15 x 1.1 is stored as 1.26499999..., so a halfway price rounds down",
            "off-by-one",
        ),
        Mistake(
            lambda c, st=False: (round(c * 1.10 + 1e-9, 2), round(c * 0.90 + 1e-9, 2)),
            "the ST flag is ignored (ST stocks move 5%)",
            "missing term",
        ),
        Mistake(
            lambda c, st=False: (
                int(c * (1.05 if st else 1.10) * 100) / 100,
                int(c * (0.95 if st else 0.90) * 100) / 100,
            ),
            "truncated to the cent, not rounded",
            "formula",
        ),
        Mistake(
            lambda c, st=False: (
                round(c * (0.95 if st else 0.90) + 1e-9, 2),
                round(c * (1.05 if st else 1.10) + 1e-9, 2),
            ),
            "(lower, upper): swapped",
            "index",
        ),
        Mistake(
            lambda c, st=False: (c * (1.05 if st else 1.10), c * (0.95 if st else 0.90)),
            "not rounded to 0.01 CNY",
            "missing term",
        ),
        Mistake(
            lambda c, st=False: (
                round(c * (1.20 if st else 1.10) + 1e-9, 2),
                round(c * (0.80 if st else 0.90) + 1e-9, 2),
            ),
            "20% for ST: that is the ChiNext/STAR board limit",
            "formula",
        ),
    ],
)
