"""Measures the kit's forecast scorer leaves out, computed the same way for every model:
RMSSE and WAPE of the point forecast, and the pinball (quantile) loss of the interval bounds
and of the quantiles a stock level is set from.

Forecast CSV columns: series_id,timestamp,yhat[,lo80,hi80,lo95,hi95][,q80,q95].
- pinball80 / pinball95: the mean pinball loss of a central interval's two bounds
  (quantiles 0.1 and 0.9; 0.025 and 0.975), scaled like MASE.
- pinball_q80 / pinball_q95: the loss of the 0.8 and 0.95 quantiles themselves (the upper
  bounds of the 60 % and 90 % intervals), scaled like MASE: what a stock level at that
  service level is set from.
The scale is the kit's MASE scale (the in-sample seasonal-naive MAE); series where it is zero
are left out, as the kit does. RMSSE's scale is the seasonal-naive mean squared difference.
"""
import numpy as np
import pandas as pd


def pinball(y, q, tau):
    return np.mean(np.maximum(tau * (y - q), (tau - 1) * (y - q)))


def measures(fc, train, test, meta):
    fc = fc.copy()
    fc["series_id"] = fc["series_id"].astype(str)
    merged = test.merge(fc, on=["series_id", "timestamp"], how="inner")
    m_of = dict(zip(meta["series_id"].astype(str), meta["season_length"]))
    hist = {sid: g.sort_values("timestamp")["value"].to_numpy(float) for sid, g in train.groupby("series_id")}
    rows = []
    for sid, g in merged.groupby("series_id", sort=True):
        g = g.sort_values("timestamp")
        x = hist[sid]
        m = int(m_of[sid]) if len(x) > int(m_of[sid]) else 1
        diffs = x[m:] - x[:-m]
        scale = float(np.mean(np.abs(diffs))) if len(diffs) else float("nan")
        scale2 = float(np.mean(diffs ** 2)) if len(diffs) else float("nan")
        y, f = g["value"].to_numpy(float), g["yhat"].to_numpy(float)
        row = {"series_id": sid, "abs_error": float(np.sum(np.abs(y - f))), "actual": float(np.sum(np.abs(y)))}
        ok = np.isfinite(scale) and scale > 0
        row["rmsse"] = float(np.sqrt(np.mean((y - f) ** 2) / scale2)) if ok else np.nan
        for level, (lo_tau, hi_tau) in {80: (0.1, 0.9), 95: (0.025, 0.975)}.items():
            if f"lo{level}" in g:
                loss = (pinball(y, g[f"lo{level}"].to_numpy(float), lo_tau)
                        + pinball(y, g[f"hi{level}"].to_numpy(float), hi_tau)) / 2
                row[f"pinball{level}"] = loss / scale if ok else np.nan
        for name, tau in {"q80": 0.8, "q95": 0.95}.items():
            if name in g:
                row[f"pinball_{name}"] = pinball(y, g[name].to_numpy(float), tau) / scale if ok else np.nan
        rows.append(row)
    per = pd.DataFrame(rows)
    out = {"rmsse": float(per["rmsse"].mean()), "wape": float(per["abs_error"].sum() / per["actual"].sum())}
    for column in ("pinball80", "pinball95", "pinball_q80", "pinball_q95"):
        if column in per and per[column].notna().any():
            out[column] = float(per[column].mean())
    return out
