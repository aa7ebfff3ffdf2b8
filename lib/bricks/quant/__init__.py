"""The book's quant applications of the core (Part IV).

- `bricks.quant.data`: data that ships with packages, a reader's own CSV, planted signals;
- `bricks.quant.prep`: windows, walk-forward splits and past-only scaling (no look-ahead);
- `bricks.quant.evaluation`: IC, quantile portfolios, turnover, costs, Sharpe (re-exported here,
  so `quant.ic_by_date` works);
- `bricks.quant.attribution`: Integrated Gradients and the other attributions of chapter 17;
- `bricks.quant.power`: planted-signal power calibration (detection rate by signal strength);
- `bricks.quant.pipelines`: the walk-forward pipelines of chapters 14 and 16 as functions;
- `bricks.quant.factors`: neutralisation, IC decay, bootstrap Sharpe, multiple testing;
- `bricks.quant.ashare`: A-share costs, T+1, price limits, suspensions, and a cash-account engine;
- `bricks.quant.panel`: a generated A-share daily panel (listings, suspensions, ST, limits, index).
"""
from bricks.quant import ashare, attribution, data, evaluation, factors, panel, pipelines, power, prep  # noqa: F401
from bricks.quant.evaluation import *  # noqa: F403
