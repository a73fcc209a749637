"""Ranking N variants: Holm's correction on a golden table, tie groups and the Pareto front as case tables, and
the ranking of synthetic runs whose answers are chosen case by case, or whose episodes end turn by turn."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from rich.console import Console
from run_factory import CASES, Progress, add_episodes, episode_run, synthetic_run

from harness.cli import main
from harness.reports.rank import RankError, RankUnit, pareto_front, rank, tie_groups
from harness.reports.rank_page import render_ranking_html
from harness.reports.rank_text import legend, print_ranking, ranking_markdown
from harness.reports.svg_points import Point, scatter_chart
from harness.runs.folder import RunFolder, append_samples
from harness.runs.view import load_run
from harness.stats import holm, mcnemar_exact
from harness.types import GateResult, LatencySample, ParseMode, RuleResult, Status

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
    assert ranking.shared == CASES and len(ranking.pairs) == 6
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


def test_unmerged_sampled_variants_join_only_when_named(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:good": 25, "merged:good": 25, "merged:weak": 5}, unmerged_sample=6)
    assert [r.variant for r in rank(load_run(run)).variants] == ["merged:good", "merged:weak"]
    named = rank(load_run(run), ["*:good", "merged:weak"])
    assert named.shared == 6 and {r.variant for r in named.variants} == {"lora:good", "merged:good", "merged:weak"}
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


def _gate(run: Path, failed: dict[str, str], passed: tuple[str, ...] = ()) -> GateResult:
    """A gate verdict on the run that fails each variant of `failed` on its rule and passes those in `passed`."""
    results = [
        RuleResult(rule=rule, variant=variant, suite=None, status=Status.FAILED, detail="below the line")
        for variant, rule in failed.items()
    ] + [RuleResult(rule="min_full_match", variant=v, suite=None, status=Status.PASSED, detail="") for v in passed]
    return GateResult(run_id=run.name, mode=ParseMode.STRICT, results=results)


def test_an_adapter_the_gate_failed_is_ranked_and_never_recommended(tmp_path: Path) -> None:
    """The most accurate adapter failed the gate (judged merged; its unmerged form shares the verdict): the
    recommendation skips both forms, names the next adapter and says what the gate failed above it."""
    run = synthetic_run(tmp_path / "run", {"lora:top": 27, "merged:top": 27, "merged:next": 20, "merged:weak": 4})
    gate = _gate(run, {"merged:top": "must_beat", "merged:weak": "min_relevance"}, passed=("merged:next",))
    ranking = rank(load_run(run), gate=gate)
    by_name = {r.variant: r for r in ranking.variants}
    assert by_name["merged:top"].gate_failed == by_name["lora:top"].gate_failed == ["must_beat"]
    assert by_name["merged:next"].gate_failed == []
    assert [r.variant for r in ranking.variants][:2] == ["lora:top", "merged:top"]
    assert (ranking.ship, ranking.serve) == ("next", "merged")
    assert ranking.recommendation.endswith("; ranked above it, the gate failed top (must_beat)")
    assert rank(load_run(run)).ship == "top"  # without a verdict, the ranking alone decides


def test_when_the_gate_failed_every_ranked_adapter_nothing_is_shipped(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"merged:a": 25, "merged:b": 20, "base": 5})
    ranking = rank(load_run(run), gate=_gate(run, {"merged:a": "must_beat", "merged:b": "min_relevance"}))
    assert (ranking.ship, ranking.serve) == (None, None)
    assert ranking.recommendation == (
        "ship nothing: the gate failed every ranked adapter: a (must_beat); b (min_relevance)"
    )


def test_rank_command_reads_the_runs_gate_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`harness rank` takes the verdict the last gate wrote into the run folder, as the reports do."""
    run = synthetic_run(tmp_path / "run", {"merged:top": 27, "merged:next": 20})
    RunFolder(run).write_gate(_gate(run, {"merged:top": "min_full_match"}, passed=("merged:next",)))
    assert main(["rank", str(run)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "recommendation: ship next, served merged" in out
    assert "the gate failed top (min_full_match)" in out


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


# Episodes of three turns (run_factory.add_episodes: turns passed before the first failure, 3 = passed whole). good
# gets further than alpha on 11 of 12 and than beta on 10 (they tie on e08), and passes two whole; alpha and beta
# pass one each and differ on e08 alone, where beta gets further: equal shares, beta ahead on mean progress.
THREE: Progress = {
    "merged:good": [3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    "merged:alpha": [3, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    "merged:beta": [3, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0],
}
TIED_FORMS: Progress = {
    "lora:good": [3, 3, 3, 3, 2, 2, 2, 2, 2, 2],
    "merged:good": [3, 3, 3, 2, 2, 2, 2, 2, 2, 2],
    "merged:weak": [0] * 10,
}
UNFINISHED: Progress = {"merged:a": [3, 3, 1, 1, None, None], "merged:b": [3, 1, 1, 1, 3, 3]}
# progress → order, tie-group letters, shared episodes, mean progress (%), and the recommendation.
EPISODE_RANKINGS: list[tuple[Progress, list[str], list[str], int, list[int], str]] = [
    (
        THREE,
        ["merged:good", "merged:beta", "merged:alpha"],
        ["a", "b", "b"],
        12,
        [72, 19, 14],
        "ship good, served merged: episodes passed 17% [5%, 45%] on 12 shared episodes",
    ),
    (
        TIED_FORMS,
        ["lora:good", "merged:good", "merged:weak"],
        ["a", "a", "b"],
        10,
        [80, 77, 0],
        "ship good, served merged: episodes passed 30% [11%, 60%] on 10 shared episodes; tied with lora:good"
        " (Holm-corrected sign test p ≥ 0.05), and served merged costs no latency",
    ),
    (  # only the four episodes both finished count: a passes two of them, b one
        UNFINISHED,
        ["merged:a", "merged:b"],
        ["a", "a"],
        4,
        [67, 50],
        "ship a, served merged: episodes passed 50% [15%, 85%] on 4 shared episodes; tied with merged:b"
        " (Holm-corrected sign test p ≥ 0.05): more episodes would be needed to tell them apart",
    ),
]


@pytest.mark.parametrize(
    ("progress", "order", "letters", "shared", "mean", "recommendation"),
    EPISODE_RANKINGS,
    ids=["one ahead, two tied", "forms tied", "unfinished left out"],
)
def test_episodes_rank_by_share_passed_then_progress(
    tmp_path: Path,
    progress: Progress,
    order: list[str],
    letters: list[str],
    shared: int,
    mean: list[int],
    recommendation: str,
) -> None:
    ranking = rank(load_run(episode_run(tmp_path / "run", progress)), unit=RankUnit.EPISODES)
    assert (ranking.unit, ranking.mode, ranking.shared) == (RankUnit.EPISODES, None, shared)
    assert [r.variant for r in ranking.variants] == order
    assert [r.groups for r in ranking.variants] == letters
    assert [round(100 * (r.progress or 0)) for r in ranking.variants] == mean
    assert all(r.accuracy.trials == shared for r in ranking.variants)
    assert ranking.recommendation == recommendation


# THREE's pairs: (A, B) → episodes A got further on, B got further on, exact sign test p, Holm-adjusted p. The
# smallest p of three is multiplied by 3, the next by 2 (4/1024 stays above 3/1024), the last by 1.
THREE_PAIRS = [
    ("merged:good", "merged:beta", 10, 0, 2 / 1024, 4 / 1024),
    ("merged:good", "merged:alpha", 11, 0, 1 / 1024, 3 / 1024),
    ("merged:beta", "merged:alpha", 1, 0, 1.0, 1.0),
]


def test_episode_pairs_are_sign_tests_on_progress_holm_corrected(tmp_path: Path) -> None:
    ranking = rank(load_run(episode_run(tmp_path / "run", THREE)), unit=RankUnit.EPISODES)
    found = [(p.a, p.b, p.only_a, p.only_b, p.p_value, p.p_holm) for p in ranking.pairs]
    assert found == [pytest.approx(row) for row in THREE_PAIRS]
    assert [p.different for p in ranking.pairs] == [True, True, False]
    assert ranking.groups == [["merged:good"], ["merged:beta", "merged:alpha"]]
    assert [r.pareto for r in ranking.variants] == [True, False, False]  # all merged: one cost, good passes most


# Unit → what each output of one run ranked on it says, and what none of its outputs may say.
UNIT_WORDS: list[tuple[RankUnit, dict[str, list[str]], list[str]]] = [
    (
        RankUnit.CASES,
        {
            "text": ["full match 90% [74%, 97%] on 30 shared cases", "pairwise exact McNemar tests, Holm-corrected"],
            "markdown": ["| # | variant | tie group | full match [95% CI] | cost (TPOT / merged) | Pareto |", "only A"],
            "html": ["strict full match on the 30 shared cases", "<th>only A</th>"],
        },
        ["episodes passed", "progress", "sign test", "A further"],
    ),
    (
        RankUnit.EPISODES,
        {
            "text": ["episodes passed 17% [5%, 45%] on 12 shared episodes", "pairwise exact sign tests on progress"],
            "markdown": [
                "| # | variant | tie group | episodes passed [95% CI] | progress | cost (TPOT / merged) | Pareto |",
                "| 1 | merged:good | a | 17 [5-45] | 72 | 1.00 | yes |",
                "| A | B | A further | B further | p | p (Holm) | told apart |",
                "Episodes passed whole on the 12 episodes every ranked variant finished",
            ],
            "html": ["episodes passed on the 12 shared episodes", "<th>A further</th>"],
        },
        ["full match", "McNemar", "strict", "only A"],
    ),
]


@pytest.mark.parametrize(("unit", "expected", "absent"), UNIT_WORDS, ids=[u.value for u, _, _ in UNIT_WORDS])
def test_text_markdown_and_page_name_the_unit(
    tmp_path: Path, unit: RankUnit, expected: dict[str, list[str]], absent: list[str]
) -> None:
    """One run with cases and episodes, ranked on each: every output words the figures of the unit it ranked."""
    run = synthetic_run(tmp_path / "run", {"merged:good": 27, "merged:alpha": 9, "merged:beta": 9})
    ranking = rank(load_run(add_episodes(run, THREE)), unit=unit)
    console = Console(width=200, record=True)
    print_ranking(ranking, console)
    outputs = {
        "text": " ".join(console.export_text().split()),
        "markdown": ranking_markdown(ranking, "run"),
        "html": render_ranking_html(ranking, "run"),
    }
    for output, words in expected.items():
        assert all(word in outputs[output] for word in words), output
    for output, text in outputs.items():
        assert not [word for word in absent if word in text], output


@pytest.mark.parametrize("unit", list(RankUnit), ids=[u.value for u in RankUnit])
def test_the_text_fits_80_columns_with_long_variant_names(tmp_path: Path, unit: RankUnit) -> None:
    """Names as a bench writes them fold within their column; the pair table's p columns are never cut off, as
    "p (Holm)" was at 80 columns once the episode headers ("A further") widened the table."""
    names = {"merged:fc-good": 27, "merged:fc-undertrained": 9, "lora:fc-undertrained@160": 12}
    run = synthetic_run(tmp_path / "run", names)
    ranking = rank(load_run(add_episodes(run, dict(zip(names, THREE.values(), strict=True)))), unit=unit)
    console = Console(width=80, record=True)
    print_ranking(ranking, console)
    text = console.export_text()
    lines = text[text.index("ranking of") : text.index("told apart after")].splitlines()  # the two tables
    assert max(len(line) for line in lines) <= 80
    assert any(line.rstrip().endswith("p (Holm)") for line in lines), "\n".join(lines)


def test_rank_command_ranks_episodes_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--on episodes` end to end on a run of episodes only; without it, the error says to use it."""
    run = episode_run(tmp_path / "run", THREE)
    page, markdown = tmp_path / "rank.html", tmp_path / "rank.md"
    assert main(["rank", str(run), "--on", "episodes", "--html", str(page), "--markdown", str(markdown)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "recommendation: ship good, served merged: episodes passed 17% [5%, 45%] on 12 shared episodes" in out
    assert "told apart after Holm's correction: merged:good vs merged:beta (p = 0.0039)" in out
    text = markdown.read_text(encoding="utf-8")
    assert "| 2 | merged:beta | b | 8 [1-35] | 19 | 1.00 |  |" in text
    assert "| merged:good | merged:alpha | 11 | 0 | 0.000977 | 0.00293 | yes |" in text
    assert "episodes passed on the 12 shared episodes" in page.read_text(encoding="utf-8")
    assert main(["rank", str(run)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert (
        f"{run}: merged:good, merged:alpha, merged:beta share no answered case (its variants finished episodes:" in err
    )
    assert "rank them with --on episodes)" in err


# What cannot be ranked: the run, the unit asked, and what the error says after the run folder.
RANK_ERRORS: list[tuple[str, Progress | None, RankUnit, str]] = [
    ("episodes of a run of cases", None, RankUnit.EPISODES, "the run has no scored episode; rank its cases without"),
    (
        "a variant finished none",
        {"merged:a": [1, 2], "merged:b": []},
        RankUnit.EPISODES,
        "merged:a, merged:b share no finished episode (episodes finished: merged:a 2, merged:b 0); ranking on"
        " episodes needs two or more variants that finished the same ones",
    ),
    (
        "none in common",
        {"merged:a": [1, 2, None, None], "merged:b": [None, None, 1, 2]},
        RankUnit.EPISODES,
        "merged:a, merged:b share no finished episode (episodes finished: merged:a 2, merged:b 2)",
    ),
    (
        "one of three finished none",
        {"merged:a": [1, 2], "merged:b": [2, 1], "merged:c": []},
        RankUnit.EPISODES,
        "merged:a, merged:b, merged:c share no finished episode (episodes finished: merged:a 2, merged:b 2,"
        " merged:c 0); ranking on episodes needs two or more variants that finished the same ones: name them with"
        " --variants",
    ),
    (
        "cases of a run of episodes",
        {"merged:a": [1, 2], "merged:b": [2, 1]},
        RankUnit.CASES,
        "merged:a, merged:b share no answered case (its variants finished episodes: rank them with --on episodes)",
    ),
]


@pytest.mark.parametrize(
    ("progress", "unit", "message"), [row[1:] for row in RANK_ERRORS], ids=[r[0] for r in RANK_ERRORS]
)
def test_what_cannot_be_ranked_names_the_run_folder(
    tmp_path: Path, progress: Progress | None, unit: RankUnit, message: str
) -> None:
    folder = tmp_path / "run"
    run = synthetic_run(folder, {"merged:a": 20, "merged:b": 10}) if progress is None else episode_run(folder, progress)
    with pytest.raises(RankError) as raised:
        rank(load_run(run), unit=unit)
    assert str(raised.value).startswith(f"{folder}: {message}")


def test_the_variants_named_rank_on_the_episodes_they_share(tmp_path: Path) -> None:
    """The way out the error names: the variants that finished episodes, named, rank on those both finished."""
    run = episode_run(tmp_path / "run", {"merged:a": [1, 3, None], "merged:b": [2, 1, 3], "merged:c": []})
    ranking = rank(load_run(run), ["merged:a", "merged:b"], unit=RankUnit.EPISODES)
    assert ranking.shared == 2 and [r.variant for r in ranking.variants] == ["merged:a", "merged:b"]
    assert [(p.only_a, p.only_b) for p in ranking.pairs] == [(1, 1)]
