"""The book's quant applications of the core (Part IV).

- `bricks.quant.data`: data that ships with packages, a reader's own CSV, planted signals;
- `bricks.quant.prep`: windows, walk-forward splits and past-only scaling (no look-ahead);
- `bricks.quant.evaluation`: IC, quantile portfolios, turnover, costs, Sharpe (re-exported here,
  so `quant.ic_by_date` works);
- `bricks.quant.attribution`: Integrated Gradients and the other attributions of chapter 15.
"""
from bricks.quant import attribution, data, evaluation, prep  # noqa: F401
from bricks.quant.evaluation import *  # noqa: F401,F403
