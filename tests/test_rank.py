"""Ranking N variants: Holm's correction on a golden table, tie groups and the Pareto front as case tables, and
the ranking of synthetic runs whose answers are chosen case by case."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from run_factory import CASES, synthetic_run

from harness.cli import main
from harness.reports.rank import RankError, pareto_front, rank, tie_groups
from harness.reports.rank_text import legend
from harness.reports.svg import Point, scatter_chart
from harness.runs.folder import RunFolder, append_samples
from harness.runs.view import load_run
from harness.stats import holm, mcnemar_exact
from harness.types import LatencySample

# Raw p-values and their Holm adjustment, worked by hand: sort, multiply the i-th smallest by (m - i + 1), carry the
# running maximum, cap at 1, and return in the order given.
HOLM: list[tuple[list[float], list[float]]] = [
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
    ([0.02, 0.02, 0.02], [0.06, 0.06, 0.06]),
    ([0.001, 0.9], [0.002, 0.9]),
    ([0.4, 0.6], [0.8, 0.8]),
    ([0.3, 0.2, 0.1], [0.4, 0.4, 0.3]),
    ([0.5], [0.5]),
    ([], []),
]


@pytest.mark.parametrize(("raw", "adjusted"), HOLM)
def test_holm_adjusts_by_rank_and_stays_monotone(raw: list[float], adjusted: list[float]) -> None:
    assert holm(raw) == pytest.approx(adjusted)


ORDER = ["A", "B", "C", "D"]
# Pairs the tests tell apart → the tie groups of the accuracy order A > B > C > D.
TIES: list[tuple[set[tuple[str, str]], list[list[str]]]] = [
    (set(), [["A", "B", "C", "D"]]),
    ({("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("C", "D")}, [["A"], ["B"], ["C"], ["D"]]),
    ({("A", "C"), ("A", "D"), ("B", "D")}, [["A", "B"], ["B", "C"], ["C", "D"]]),  # ties are not transitive
    ({("A", "B")}, [["A"], ["B", "C", "D"]]),
    ({("A", "D")}, [["A", "B", "C"], ["B", "C", "D"]]),
    ({("C", "D"), ("B", "D"), ("A", "D")}, [["A", "B", "C"], ["D"]]),
]


@pytest.mark.parametrize(("different", "groups"), TIES)
def test_tie_groups_are_maximal_runs_without_a_told_apart_pair(
    different: set[tuple[str, str]], groups: list[list[str]]
) -> None:
    assert tie_groups(ORDER, {frozenset(pair) for pair in different}) == groups


PARETO: list[tuple[dict[str, tuple[float, float | None]], set[str]]] = [
    ({"merged": (0.5, 1.0), "lora": (0.5, 3.0)}, {"merged"}),  # as accurate and dearer: dominated
    ({"merged": (0.5, 1.0), "lora": (0.6, 3.0)}, {"merged", "lora"}),  # more accurate at a price: both
    ({"a": (0.5, 1.0), "b": (0.4, 1.0), "c": (0.7, None)}, {"a"}),  # no cost measured: never on the front
    ({"a": (0.5, 1.0), "b": (0.5, 1.0)}, {"a", "b"}),  # equal points do not dominate each other
]


@pytest.mark.parametrize(("points", "front"), PARETO)
def test_pareto_front(points: dict[str, tuple[float, float | None]], front: set[str]) -> None:
    assert pareto_front(points) == front


def test_a_clear_winner_a_tie_and_a_control(tmp_path: Path) -> None:
    """Of 30 cases: two checkpoints right on 27 and 25 (told apart from nothing between them), a weak one on 9,
    and the control on 3. Holm over six pairs still separates the strong from the weak."""
    view = load_run(
        synthetic_run(
            tmp_path / "run",
            {"merged:late": 27, "merged:mid": 25, "merged:early": 9, "merged:broken": 3},
            controls=frozenset({"broken"}),
        )
    )
    ranking = rank(view)
    assert [r.variant for r in ranking.variants] == ["merged:late", "merged:mid", "merged:early", "merged:broken"]
    assert ranking.cases == CASES and len(ranking.pairs) == 6
    late_early = next(p for p in ranking.pairs if {p.a, p.b} == {"merged:late", "merged:early"})
    assert (late_early.only_a, late_early.only_b) == (18, 0)
    assert late_early.p_value == pytest.approx(mcnemar_exact(18, 0))
    # Discordant pairs 24, 22, 18, 16, 6 and 2 (late-mid): late vs early has the third smallest p of six, so x4.
    assert late_early.different and late_early.p_holm == pytest.approx(4 * late_early.p_value)
    late_mid = next(p for p in ranking.pairs if {p.a, p.b} == {"merged:late", "merged:mid"})
    assert not late_mid.different and late_mid.p_holm == pytest.approx(min(1.0, mcnemar_exact(2, 0)))
    assert ranking.groups == [["merged:late", "merged:mid"], ["merged:early", "merged:broken"]]
    assert [r.groups for r in ranking.variants] == ["a", "a", "b", "b"]
    assert ranking.variants[-1].control
    assert (ranking.ship, ranking.serve) == ("late", "merged")
    assert ranking.recommendation.startswith("ship late, served merged: full match 90%")
    assert "tied with merged:mid" in ranking.recommendation


def test_a_tie_between_forms_prefers_merged(tmp_path: Path) -> None:
    """Unmerged one case ahead of merged is a tie: the merged form is recommended, costing no latency."""
    view = load_run(synthetic_run(tmp_path / "run", {"lora:good": 21, "merged:good": 20, "merged:weak": 5}))
    ranking = rank(view)
    assert ranking.variants[0].variant == "lora:good"
    assert (ranking.ship, ranking.serve) == ("good", "merged")
    assert (
        "tied with lora:good" in ranking.recommendation and "served merged costs no latency" in ranking.recommendation
    )


def test_controls_and_bases_are_never_shipped(tmp_path: Path) -> None:
    view = load_run(synthetic_run(tmp_path / "run", {"merged:broken": 28, "base": 20}, controls=frozenset({"broken"})))
    ranking = rank(view)
    assert ranking.variants[0].variant == "merged:broken" and ranking.ship is None
    assert ranking.recommendation.startswith("no candidate adapter")


def test_parity_sampled_variants_join_only_when_named(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:good": 25, "merged:good": 25, "merged:weak": 5}, parity=6)
    assert [r.variant for r in rank(load_run(run)).variants] == ["merged:good", "merged:weak"]
    named = rank(load_run(run), ["*:good", "merged:weak"])
    assert named.cases == 6 and {r.variant for r in named.variants} == {"lora:good", "merged:good", "merged:weak"}
    with pytest.raises(RankError, match=r"--variants lora:\* matched lora:good; ranking needs two or more of"):
        rank(load_run(run), ["lora:*"])


def test_rank_command_writes_markdown_and_a_page_that_escapes_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "merged:x<script>alert(1)</script>"
    run = synthetic_run(tmp_path / "run", {hostile: 27, "merged:y": 9})
    page, markdown = tmp_path / "rank.html", tmp_path / "rank.md"
    assert main(["rank", str(run), "--html", str(page), "--markdown", str(markdown)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "recommendation: ship x<script>alert(1)</script>, served merged" in out
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "merged:x&lt;script&gt;" in html and "<svg" in html
    text = markdown.read_text(encoding="utf-8")
    assert "| 1 | merged:x<script>alert(1)</script> | a | 90 [74-97] | 1.00 | yes |" in text


STEPS = {"lora:good@10": 10, "lora:good@20": 20, "lora:good": 30, "merged:good": 30}


def _priced(run: Path, tpot: dict[str, float]) -> Path:
    """A latency study of four blocks in the run folder, each arm at a fixed time per output token."""
    samples = [
        LatencySample(concurrency=1, block=block, arm=arm, variant=arm, prompt=0, tpot_s=value)
        for block in range(4)
        for arm, value in tpot.items()
    ]
    append_samples(RunFolder(run).latency_log, samples)
    return run


def test_a_checkpoint_costs_what_its_adapters_unmerged_form_costs_and_ships_by_its_step(tmp_path: Path) -> None:
    """The step-20 checkpoint beats every other form of its adapter beyond chance: it is shipped, unmerged (the
    run has no merged model of it), and priced by the final unmerged form's latency (the checkpoint has its shape
    and its server)."""
    right = {"lora:good@10": 3, "lora:good@20": 28, "lora:good": 12, "merged:good": 12, "merged:broken": 2}
    run = synthetic_run(tmp_path / "run", right, controls=frozenset({"broken"}), steps=STEPS)
    ranking = rank(load_run(_priced(run, {"lora:good": 0.03, "merged:good": 0.01})))
    by_name = {r.variant: r for r in ranking.variants}
    assert by_name["lora:good@20"].cost == by_name["lora:good"].cost == pytest.approx(3.0)
    assert by_name["lora:good@10"].cost_interval == by_name["lora:good"].cost_interval
    assert (by_name["lora:good@20"].step, by_name["lora:good@20"].checkpoint) == (20, True)
    assert (ranking.ship, ranking.ship_step, ranking.serve) == ("good", 20, "unmerged")
    assert ranking.recommendation.startswith("ship good at step 20 (lora:good@20), served unmerged: full match 93%")
    assert "a checkpoint has no merged form in this run" in ranking.recommendation
    assert "a checkpoint, served as its adapter's unmerged form is, costs what that form costs" in legend(ranking)


def test_a_checkpoint_tied_with_the_final_merged_form_yields_to_it(tmp_path: Path) -> None:
    right = {"lora:good@10": 3, "lora:good@20": 25, "lora:good": 24, "merged:good": 24}
    run = synthetic_run(tmp_path / "run", right, steps=STEPS)
    ranking = rank(load_run(_priced(run, {"lora:good": 0.03, "merged:good": 0.01})))
    assert ranking.variants[0].variant == "lora:good@20"
    assert (ranking.ship, ranking.ship_step, ranking.serve) == ("good", None, "merged")
    assert (
        ranking.recommendation.startswith("ship good, served merged")
        and "tied with lora:good@20" in ranking.recommendation
    )


def test_points_at_one_cost_are_nudged_apart_and_their_labels_stacked() -> None:
    """Checkpoints share their adapter's unmerged cost: drawn at one x, their whiskers and names would overlap."""
    points = [Point(f"c{i}", f"c{i}", x=2.0, y=0.30 + 0.01 * i, y_low=0.2, y_high=0.4) for i in range(3)]
    svg = scatter_chart([*points, Point("m", "m", x=1.0, y=0.5, y_low=0.4, y_high=0.6)], {}, "t", "x", "y")
    assert len({cx for cx in re.findall(r'<circle cx="([\d.]+)"', svg)}) == 4
    labels = sorted(float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*paint-order="stroke">c\d<', svg))
    assert len(labels) == 3 and all(b - a >= 12 for a, b in pairwise(labels))
