"""Benchmark: the early warning (features, backtest, fit, scoring) on a SYNTHETIC national panel.

Run: ``.venv/bin/python benchmarks/bench_warning.py [--profile]`` (part of ``make bench``). It gets
the SYNTHETIC national panel the way ``bench_signals.py`` does (``synthetic.generate`` into
``benchmarks/.synthetic/national_12y``, ``build`` into a temporary directory: 15,000 buurten ×
12 editions in CBS StatLine format, every value generated, nothing real), then measures in a
fresh child process so its peak memory (max RSS) is the measurement's own, not the build's.
Without boundaries in the synthetic files, the buurten get ``bench_dynamics.with_grid``'s
SYNTHETIC 500 m squares in memory, so the neighbour features (queen lags) are built as on real
data. The synthetic panel has no Leefbaarometer, so the outcome is the problems score
(``weak``: score ≥ ``weak_score``; ``decline``: a rise of ``decline_points`` or more).

Steps, each timed on its own (the Dataset memoises, so each is computed once, in this order):
the axis scores (shared input), ``ds.transitions(level="buurt", by="composition")`` with its
Spatial Markov, (a) the feature table (``wijkradar.dataset.warning.features``), the outcome
table, (b) the rolling-origin backtest (``wijkradar.dataset.warning.backtest``) for ``weak`` and
``decline`` (logit and boosting, each Platt-calibrated on spatially blocked folds, at every
origin), (c) ``ds.warning(level="buurt")`` for the latest origin (its backtest is the memoised
one: this is the fit with its bootstrap refits plus the scoring of every buurt), and (d) scoring
alone: ``analysis.warning.predict`` (and ``band``, ``explain``) on the origin's rows with a model
fitted beforehand by ``analysis.warning.fit``.

Goals (issue #11), printed beside the figures: transitions + fit + backtest under 60 s and 2 GB
on 2 cores; scoring all regions for one origin under 2 s. Baseline, named: *one plain
scikit-learn fit* — ``SimpleImputer(median) → StandardScaler → LogisticRegression`` fitted once
on the same training rows, without calibration, bootstrap or backtest, and its
``predict_proba`` on the same origin rows. ``--profile`` prints a cProfile top 10 of the
three slowest steps when a goal is missed (run again under the profiler, so slower).

``--threads N`` caps the native thread pools (OpenMP, BLAS; ``threadpoolctl``) in the child;
by default they are left as the library leaves them, and the script prints what they are. On a
busy 2-core machine OpenMP's threads spin against the other work: one
``HistGradientBoostingClassifier`` fit on the training rows took 67 s with 2 OpenMP threads and
5 s with 1 (load average ~8 at the time), so the load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GOAL_PIPELINE_S = 60.0
GOAL_PIPELINE_MB = 2048.0
GOAL_SCORING_S = 2.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def top10(fn) -> str:
    """cProfile of ``fn()``: the top 10 by cumulative time below the call chain of the
    wrappers (scikit-learn's estimators and wijkradar's own functions), then by own time."""
    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    buf = io.StringIO()
    st = pstats.Stats(pr, stream=buf).strip_dirs().sort_stats("cumulative")
    st.print_stats(r"gradient_boosting|_logistic|_lbfgsb|calibration|grower|scores|warning\.py", 10)
    st.sort_stats("tottime").print_stats(10)
    return buf.getvalue()


def pools() -> str:
    from threadpoolctl import threadpool_info

    seen = {}
    for p in threadpool_info():
        seen.setdefault(p["user_api"], p["num_threads"])
    return ", ".join(f"{k} {v}" for k, v in seen.items()) or "none loaded"


def child(path: str, profile: bool, threads: int | None) -> None:
    if threads:
        # a limit only reaches the pools already loaded: scikit-learn's OpenMP and the BLAS
        # come with the warning modules, the system libgomp with giddy / libpysal
        import bench_dynamics  # noqa: F401
        from threadpoolctl import threadpool_limits

        import wijkradar.analysis.warning  # noqa: F401
        import wijkradar.dataset.warning  # noqa: F401

        with threadpool_limits(threads):
            return _child(path, profile, threads)
    return _child(path, profile, threads)


def _child(path: str, profile: bool, threads: int | None) -> None:
    import numpy as np
    from bench_dynamics import with_grid
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import wijkradar
    from wijkradar.analysis import warning as ew
    from wijkradar.dataset import warning as dw

    ds = wijkradar.open_dataset(path)
    geo_note = with_grid(ds)
    n_buurten = int(ds.panel.loc[ds.panel["level"] == "buurt", "code"].nunique())
    st = ds.rules["warning"]
    horizon = int(st["horizon"])
    print(
        f"wijkradar early-warning benchmark — SYNTHETIC panel: {n_buurten:,} buurten, "
        f"{len(ds.years('buurt'))} editions, horizon {horizon}; geometry: {geo_note}"
    )
    import os

    print(
        f"  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; native "
        f"threads: {pools()}{' (capped by --threads)' if threads else ''}"
    )
    print(f"\n  {'step':<62}{'wall s':>8}{'max RSS MB':>12}")
    rss_open = rss_mb()
    print(f"  {'(open dataset, geometries)':<62}{'':>8}{rss_open:12.0f}")
    steps: dict[str, float] = {}

    def step(key, label, fn):
        t0 = time.perf_counter()
        out = fn()
        secs = time.perf_counter() - t0
        steps[key] = secs
        print(f"  {label:<62}{secs:8.2f}{rss_mb():12.0f}")
        return out

    step("scores", "shared input: ds.axis_scores('absolute')", lambda: ds.axis_scores("absolute"))
    step(
        "transitions",
        "ds.transitions(level='buurt', by='composition'), spatial",
        lambda: ds.transitions(level="buurt", by="composition"),
    )
    feats = step(
        "features", "(a) feature table: warning.features", lambda: dw.features(ds, level="buurt")
    )
    out = step(
        "outcomes",
        "    outcome table: warning.outcomes",
        lambda: dw.outcomes(ds, level="buurt", horizon=horizon),
    )
    bts = {}
    for outcome in ew.OUTCOMES:
        bts[outcome] = step(
            f"backtest_{outcome}",
            f"(b) backtest, outcome {outcome}",
            lambda o=outcome: dw.backtest(ds, level="buurt", horizon=horizon, outcome=o),
        )
    res = step(
        "warning",
        "(c) ds.warning(level='buurt'): fit + bootstrap + score all",
        lambda: ds.warning(level="buurt", horizon=horizon, outcome="weak"),
    )
    pipeline_s = sum(steps.values())
    pipeline_mb = rss_mb()

    # (d) scoring alone, with a model fitted beforehand, and the plain baseline
    year = res.year
    X, y = ew.training_rows(feats.table, out, "weak", known_by=year)
    Xo = feats.table.xs(year, level="year", drop_level=False)
    Xo = Xo[Xo.notna().any(axis=1)]
    t0 = time.perf_counter()
    cap = st["max_train_rows"]  # as ds.warning fits: a larger training set is sampled down
    fitted = ew.fit(X, y, model="logit", folds=st["folds"], bootstrap=st["bootstrap"], max_rows=cap)
    t_fit = time.perf_counter() - t0
    t_fit0 = time.perf_counter()
    ew.fit(X, y, model="logit", folds=st["folds"], max_rows=cap)
    t_fit0 = time.perf_counter() - t_fit0
    t0 = time.perf_counter()
    risk = ew.predict(fitted, Xo)
    t_pred = time.perf_counter() - t0
    t0 = time.perf_counter()
    ew.band(fitted, Xo)
    t_band = time.perf_counter() - t0
    t0 = time.perf_counter()
    ew.explain(fitted, Xo)
    t_expl = time.perf_counter() - t0
    base = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(C=0.3, max_iter=2000),
    )
    x_tr = X[fitted.columns].to_numpy(float)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base.fit(x_tr, y)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    base_risk = base.predict_proba(Xo[fitted.columns].to_numpy(float))[:, 1]
    t_base_pred = time.perf_counter() - t0

    print(
        f"\n  origin {year}: {len(y):,} training rows ({int(y.sum()):,} weak), "
        f"{X.shape[1]} features; {len(Xo):,} buurten scored; the model learns from "
        f"{fitted.n_train:,} of them ([warning] max_train_rows {cap:,}, stratified), the plain "
        "fit from all"
    )
    print(f"  {'fit alone':<62}{'wall s':>8}")
    print(f"  {'warning.fit, logit, calibrated, with its bootstrap refits':<62}{t_fit:8.2f}")
    print(f"  {'warning.fit, logit, calibrated, no bootstrap':<62}{t_fit0:8.2f}")
    print(f"  {'baseline: one plain scikit-learn LogisticRegression fit':<62}{t_base:8.2f}")
    print(f"  {'(d) scoring alone, all buurten of the origin':<62}")
    print(f"  {'    warning.predict (calibrated risk)':<62}{t_pred:8.3f}")
    print(f"  {'    warning.band (bootstrap 10–90 % band)':<62}{t_band:8.3f}")
    print(f"  {'    warning.explain (drivers)':<62}{t_expl:8.3f}")
    t_score = t_pred + t_band + t_expl
    print(f"  {'    together':<62}{t_score:8.3f}")
    print(f"  {'    baseline: predict_proba of the plain fit':<62}{t_base_pred:8.3f}")
    rank = np.corrcoef(np.argsort(np.argsort(risk)), np.argsort(np.argsort(base_risk)))[0, 1]
    print(f"  rank correlation of the risks, wijkradar vs plain fit: {rank:.3f}")

    for outcome, bt in bts.items():
        v = ew.verdict(bt) if len(bt) else None
        if v is None or v.empty:
            print(f"\n  backtest {outcome}: no rows")
            continue
        last = v.sort_values("origin").iloc[-1]
        print(
            f"\n  backtest {outcome}: {len(bt):,} rows over {bt['origin'].nunique()} origins "
            f"({', '.join(sorted(set(bt['split'])))} split); latest origin {int(last['origin'])}:"
            f" logit ROC-AUC {last['roc_auc']:.3f}, PR-AUC {last['pr_auc']:.3f} vs best "
            f"baseline {last['baseline']} {last['baseline_roc_auc']:.3f} / "
            f"{last['baseline_pr_auc']:.3f} — {'beats' if last['beats'] else 'does not beat'} it"
        )

    ok_pipe = pipeline_s < GOAL_PIPELINE_S and pipeline_mb < GOAL_PIPELINE_MB
    ok_score = t_score < GOAL_SCORING_S
    print(
        f"\n  goal: transitions + fit + backtest < {GOAL_PIPELINE_S:.0f} s and "
        f"< {GOAL_PIPELINE_MB:.0f} MB on 2 cores: {'meets' if ok_pipe else 'MISSES'} "
        f"({pipeline_s:.1f} s for every step of the table above, axis scores included; max "
        f"RSS {pipeline_mb:,.0f} MB, the opened panel and geometries alone {rss_open:,.0f} MB)"
    )
    print(
        f"  goal: scoring all regions for one origin < {GOAL_SCORING_S:.0f} s: "
        f"{'meets' if ok_score else 'MISSES'} ({t_score:.2f} s predict + band + explain; "
        f"ds.warning's scoring adds the driver records and names)"
    )
    print(
        f"  load average at the end {os.getloadavg()[0]:.1f} (1 min), "
        f"{os.getloadavg()[2]:.1f} (15 min)"
    )
    if profile and not (ok_pipe and ok_score):
        for key, secs in sorted(steps.items(), key=lambda kv: -kv[1])[:3]:
            print(f"\n  cProfile top 10 of {key} ({secs:.1f} s; rerun on a fresh Dataset):")
            fresh = wijkradar.open_dataset(path)
            with_grid(fresh)
            print(top10(_rerun(key, fresh, dw, horizon)))


def _rerun(key, ds, dw, horizon):
    """The call of step ``key`` on a fresh Dataset (its inputs computed first, unprofiled)."""
    if key != "scores":
        ds.axis_scores("absolute")
    if key.startswith("backtest") or key == "warning":
        dw.features(ds, level="buurt")
        dw.outcomes(ds, level="buurt", horizon=horizon)
    if key == "warning":
        dw.backtest(ds, level="buurt", horizon=horizon, outcome="weak")
    calls = {
        "scores": lambda: ds.axis_scores("absolute"),
        "transitions": lambda: ds.transitions(level="buurt", by="composition"),
        "features": lambda: dw.features(ds, level="buurt"),
        "outcomes": lambda: dw.outcomes(ds, level="buurt", horizon=horizon),
        "backtest_weak": lambda: dw.backtest(ds, level="buurt", horizon=horizon, outcome="weak"),
        "backtest_decline": lambda: dw.backtest(
            ds, level="buurt", horizon=horizon, outcome="decline"
        ),
        "warning": lambda: ds.warning(level="buurt", horizon=horizon, outcome="weak"),
    }
    return calls[key]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", action="store_true", help="cProfile the steps over the goal")
    ap.add_argument("--threads", type=int, help="cap OpenMP/BLAS threads in the child")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.profile, args.threads)
        return
    import synthetic

    from wijkradar.panel.build import build

    syn = HERE / ".synthetic" / "national_12y"
    synthetic.generate(syn)
    with tempfile.TemporaryDirectory() as tmp:
        build(syn, Path(tmp) / "ds")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(Path(tmp) / "ds")]
        cmd += ["--profile"] if args.profile else []
        cmd += ["--threads", str(args.threads)] if args.threads else []
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
