"""The validation report's early-warning and transitions sections (``docs/validation.md``).

For every level and outcome the data can carry, the backtest harness of
:mod:`wijkradar.analysis.warning` with each model beside the named naive baselines and the
verdict in words; where it cannot run, the reason. Then the Leefbaarometer transition matrix
(Markov, giddy) of the levels that have the class in several editions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from wijkradar.analysis.warning import OUTCOMES, verdict
from wijkradar.errors import WijkradarError
from wijkradar.outputs.dynamics_text import transition_rows
from wijkradar.vocab import LEVELS
from wijkradar.wording import Words

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset


@dataclass(frozen=True)
class WarningCheck:
    """One backtest (level × outcome), or why there is none."""

    level: str
    outcome: str
    horizon: int
    table: pd.DataFrame
    verdict: pd.DataFrame
    error: WijkradarError | None = None


@dataclass(frozen=True)
class TransitionCheck:
    """The Leefbaarometer class chain of one level."""

    level: str
    result: object


def collect_warning(ds: Dataset) -> list[WarningCheck]:
    """The backtest of every level with data, both outcomes, the configured horizon."""
    from wijkradar.dataset.warning import backtest

    horizon = ds.rules["warning"]["horizon"]
    out = []
    for level in LEVELS:
        if not ds.years(level):
            continue
        for outcome in OUTCOMES:
            try:
                t = backtest(ds, level=level, horizon=horizon, outcome=outcome)
                out.append(WarningCheck(level, outcome, horizon, t, verdict(t) if len(t) else t))
            except WijkradarError as exc:
                empty = pd.DataFrame()
                out.append(WarningCheck(level, outcome, horizon, empty, empty, exc))
    return out


def collect_transitions(ds: Dataset) -> list[TransitionCheck]:
    """The ``lbm_class`` transitions of every level with the class in two editions or more."""
    out = []
    for level in LEVELS:
        try:
            out.append(TransitionCheck(level, ds.transitions(level=level, by="lbm_class")))
        except WijkradarError:
            continue
    return out


def _n(w: Words, x: float, d: int = 2) -> str:
    return "—" if x is None or x != x else w.number(float(x), d)


def _row(w: Words, r, catalogue) -> list[str]:
    cells = [r.roc_auc, r.pr_auc, r.lift_10, r.recall_10, r.lift_20, r.recall_20]
    rule = w.baseline(r.rule, catalogue)
    rule = f"**{rule}**" if r.kind == "model" else rule
    return [rule, str(int(r.n)), str(int(r.events)), *[_n(w, c) for c in cells], _n(w, r.brier)]


def _split_words(w: Words, split: str) -> str:
    if split == "time":
        return w._("tijdsplitsing: getraind op wat bij het vertrekjaar bekend was")
    return w._(
        "geen tijdsplitsing mogelijk (één paar edities met kenmerken): ruimtelijk geblokt, "
        "getraind op andere gemeenten (of wijken)"
    )


def _check_lines(w: Words, c: WarningCheck, catalogue) -> list[str]:
    title = w._("{level}, uitkomst {outcome}, horizon {h}", level=c.level, outcome=c.outcome,
                h=c.horizon)  # fmt: skip
    lines = [f"### {title}", ""]
    if c.error is not None:
        return lines + [w._("Geen backtest: {reason}", reason=c.error.render(w)), ""]
    header = [w._("regel"), "n", w._("gebeurtenissen"), "ROC-AUC", "PR-AUC", "lift 10%",
              "recall 10%", "lift 20%", "recall 20%", "Brier"]  # fmt: skip
    for (split, origin, target), part in c.table.groupby(["split", "origin", "target"]):
        lines.append(
            f"{origin} → {int(target)}, {_split_words(w, split)}; "
            + w._("basiskans {p}%.", p=w.number(100 * part["base_rate"].iloc[0], 1))
        )
        lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(_row(w, r, catalogue)) + " |" for r in part.itertuples()]
        lines.append("")
    for v in c.verdict.itertuples():
        lines.append(_verdict(w, v, catalogue))
        lines.append("")
    return lines


def _verdict(w: Words, v, catalogue) -> str:
    base = w.baseline(v.baseline, catalogue)
    if v.beats:
        text = w._(
            "**Oordeel:** het model (ROC-AUC {m}, PR-AUC {mp}) is beter dan de beste eenvoudige "
            "maatstaf, {base} ({b}, {bp}).",
            m=_n(w, v.roc_auc), mp=_n(w, v.pr_auc), base=base, b=_n(w, v.baseline_roc_auc),
            bp=_n(w, v.baseline_pr_auc),
        )  # fmt: skip
    else:
        text = w._(
            "**Oordeel:** het model (ROC-AUC {m}, PR-AUC {mp}) is **niet** beter dan de beste "
            "eenvoudige maatstaf, {base} ({b}, {bp}). Gebruik dan die maatstaf, niet het model.",
            m=_n(w, v.roc_auc), mp=_n(w, v.pr_auc), base=base, b=_n(w, v.baseline_roc_auc),
            bp=_n(w, v.baseline_pr_auc),
        )  # fmt: skip
    if v.roc_auc == v.roc_auc and v.roc_auc < 0.5:
        text += " " + w._("Het model doet het slechter dan toeval.")
    return text


def warning_section(
    w: Words, checks: list[WarningCheck], catalogue, decline_points: float
) -> list[str]:
    """The backtest section: method in three sentences, then one table per check."""
    lines = [
        "## " + w._("4. Vroegsignalering: de backtest"),
        "",
        w._(
            "`wijkradar warning` geeft per gebied de kans dat het een editie later zwak is "
            "(Leefbaarometer-klasse 4 of lager, anders een problemenscore in de zwakste vijfde) "
            "of achteruitgaat (een lagere klasse, of een problemenscore die minstens "
            "{points} punten stijgt). Het model (logistische regressie, gradient boosting als "
            "uitdager; gekalibreerd op ruimtelijke blokken) gebruikt niveaus en veranderingen "
            "van beide assen, hun onderdelen, de woningvoorraad, bevolkingsgroei en de buren — "
            "geen migratieachtergrond en niet de Leefbaarometer-totaalscore of -klasse.",
            points=w.figure(decline_points),
        ),
        "",
        w._(
            "Elk model staat naast eenvoudige maatstaven die een gebruiker anders zou nemen: "
            "blijft zoals het is (de huidige klasse of score), het huidige niveau van één "
            "dimensie, en de trend zet door. Lift en recall gelden voor de 10% en 20% "
            "gebieden met de hoogste kans."
        ),
        "",
    ]
    for c in checks:
        lines += _check_lines(w, c, catalogue)
    return lines


def transitions_section(w: Words, checks: list[TransitionCheck]) -> list[str]:
    """The Leefbaarometer class chains: probabilities, long run, mobility, Spatial Markov."""
    if not checks:
        return []
    lines = ["## " + w._("5. Dynamiek: overgangen tussen Leefbaarometer-klassen"), ""]
    for c in checks:
        r = c.result
        lines.append(
            "### "
            + w._("{level}, edities {years}", level=c.level, years=", ".join(map(str, r.editions)))
        )
        lines.append("")
        header, rows = transition_rows(r, w)
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
        mob = ", ".join(f"{k} {_n(w, v, 3)}" for k, v in r.mobility.items())
        lines.append(
            w._(
                "{n} overgangen van {g} gebieden; {cut} paren weggelaten bij een breuk in de "
                "reeks. Mobiliteit (giddy): {mob}.",
                n=r.n_pairs,
                g=r.n_regions,
                cut=r.cut_pairs,
                mob=mob,
            )  # fmt: skip
        )
        if r.spatial is not None:
            s = r.spatial
            lines.append("")
            lines.append(
                w._(
                    "Spatial Markov ({n} gebieden met buren en een klasse in elke editie): "
                    "χ² = {chi2} bij {dof} vrijheidsgraden, p = {p} — {verdict}",
                    n=s.n_regions,
                    chi2=_n(w, s.chi2, 1),
                    dof=int(s.dof),
                    p=_n(w, s.p_value, 3),
                    verdict=w._("de buren maken verschil.")
                    if s.p_value < 0.05
                    else w._("geen aantoonbaar effect van de buren."),
                )  # fmt: skip
            )
        lines.append("")
    return lines
