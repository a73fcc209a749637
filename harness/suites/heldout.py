"""Held-out in-distribution suites: cases made the way an adapter's training data is made, that it never saw.

Two sources. The training generator's held-out pool (`HELDOUT_POOL`: tools, small talk and questions that
training never offers), asked with a recipe's mix and renaming; and seeded rows of a dataset in the Agents-course
format, which a recipe leaves out of training with `[data] holdout` and `holdout_seed` (`heldout_rows` draws the
rows for both). Either way the suite says `distribution = "in"`, and a case is a request with the calls of its
target answer: every argument the answer passes, with that one value accepted (after the scorer's normalisation),
and no other argument, as in the training targets.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from pydantic import ValidationError

from harness.errors import HarnessError
from harness.fixtures.recipes import Recipe, RowFormat
from harness.parsing import parse_lenient
from harness.suites.files import display_path
from harness.suites.rules import check_suite
from harness.training_data.course_format import CourseFormatError, convert_row
from harness.training_data.course_rows import read_back
from harness.training_data.examples import DEFAULT_MIX, HELDOUT_POOL, TrainingExample, kind_counts
from harness.training_data.generator import generate
from harness.training_data.sources import TrainingDataError, heldout_rows, read_rows
from harness.types import ArgumentSpec, Case, CaseKind, ExpectedCall, Suite, Tool, ToolCall

OVERSAMPLING = 4
"""Requests generated per case wanted, so that every case can ask a request no other case asks (the held-out
pool's no-call requests are few and repeat)."""


CASE_KINDS = ("single", "multiple", "parallel", "no_call")
"""Generator kinds a case is made of. An "ask" request (a required value left out) wants a question back, which
no case kind scores yet, so a recipe's asks stay out of its held-out suite (and out of the committed one)."""


class HeldoutError(HarnessError):
    """A held-out suite that cannot be made as asked; the message says why."""


def _kind(calls: list[ToolCall], tools: list[Tool]) -> CaseKind:
    if not calls:
        return CaseKind.IRRELEVANCE
    if len(calls) == 1:
        return CaseKind.SIMPLE if len(tools) == 1 else CaseKind.MULTIPLE
    return CaseKind.PARALLEL if len({call.name for call in calls}) == 1 else CaseKind.PARALLEL_MULTIPLE


def case_from_example(example: TrainingExample, case_id: str) -> Case:
    """The example's conversation as a case expecting the calls of its answer (none: an irrelevance case). Tools
    are offered by name; `assemble` keys them when one name has several definitions."""
    calls = parse_lenient(example.answer).calls
    expected = [
        ExpectedCall(function=call.name, arguments={k: ArgumentSpec(accepted=[v]) for k, v in call.arguments.items()})
        for call in calls
    ]
    return Case(
        id=case_id,
        kind=_kind(calls, example.tools),
        messages=example.messages,
        tools=[tool.name for tool in example.tools],
        expected=expected,
    )


def assemble(name: str, description: str, source: str, cases: list[tuple[Case, list[Tool]]]) -> Suite:
    """An in-distribution suite of cases with the tools each offers. Renamed or per-row tools give one name several
    definitions: the first keeps the name as its key, later ones get `NAME#2`, `NAME#3`... in order of appearance."""
    definitions: dict[str, list[Tool]] = {}
    tools: list[Tool] = []
    keyed: list[Case] = []
    for case, offered in cases:
        keys = []
        for tool in offered:
            seen = definitions.setdefault(tool.name, [])
            new = tool not in seen
            if new:
                seen.append(tool)
            number = seen.index(tool) + 1
            key = tool.name if number == 1 else f"{tool.name}#{number}"
            if new:
                tools.append(tool if number == 1 else tool.model_copy(update={"id": key}))
            keys.append(key)
        keyed.append(case.model_copy(update={"tools": keys}))
    try:
        return Suite(name=name, description=description, source=source, distribution="in", tools=tools, cases=keyed)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise HeldoutError(f"suite {name!r}: {problems}") from None


def suite_mix(recipe: Recipe | None) -> Mapping[str, float]:
    """The kinds mix a held-out suite draws with: the recipe's (None: the generator's default), in `CASE_KINDS`."""
    mix = recipe.data.mix if recipe and recipe.data.mix else DEFAULT_MIX
    return {kind: weight for kind, weight in mix.items() if kind in CASE_KINDS}


def generated_suite(
    cases: int, seed: int, recipe: Recipe | None, name: str = "heldout", rows: RowFormat | None = None
) -> Suite:
    """`cases` first requests from the held-out pool, in the kinds and with the renaming of `recipe`'s generated
    data (None: the generator's defaults). Each case asks a request no other case asks, as one user
    turn: a batch `OVERSAMPLING` times larger is generated, and the first examples of each kind whose request is
    new are kept, in the batch's order; the small talk the generator sometimes puts first is dropped.

    With `rows = "course"` (None: the recipe's own, else `harness`) the batch is written as the Agents course's rows
    and read back by the reader of a dataset's rows, as such a recipe's training data is."""
    if recipe is not None and recipe.data.source != "generated":
        source = recipe.data.source
        raise HeldoutError(f"recipe {recipe.name}: its data source is {source!r}; use `suites from-dataset`")
    mix = suite_mix(recipe)
    if not any(mix.values()):
        raise HeldoutError(f"recipe {recipe.name if recipe else ''}: its mix has none of the kinds a case is made of")
    wanted = Counter(kind_counts(cases, mix))
    rename_rate = recipe.data.rename_rate if recipe else 0.0
    batch = generate(OVERSAMPLING * cases, seed, mix, rename_rate=rename_rate, pool=HELDOUT_POOL)
    rows = rows or (recipe.data.rows if recipe else "harness")
    if rows == "course":
        batch = read_back(batch, seed)
    seen: set[str] = set()
    chosen: list[tuple[Case, list[Tool]]] = []
    for example in batch:
        request = example.messages[-1]
        if wanted[example.kind] == 0 or request.content.strip().lower() in seen:
            continue
        seen.add(request.content.strip().lower())
        wanted[example.kind] -= 1
        single = example.model_copy(update={"messages": [request]})
        chosen.append((case_from_example(single, f"{name}-{len(chosen) + 1:03d}"), list(example.tools)))
    short = {kind: n for kind, n in wanted.items() if n}
    if short:
        raise HeldoutError(f"the held-out pool has too few distinct requests for {cases} cases (short: {short})")
    like = f"with the kinds mix and renaming of recipe {recipe.name}" if recipe else "with its default mix"
    written = ", written as the Agents course's dataset rows and read back" if rows == "course" else ""
    return assemble(
        name,
        f"Held-out in-distribution suite: first requests the training generator makes {like}, from tools, small"
        f" talk and questions that training never offers{written}.",
        f"harness training generator, held-out pool, {cases} cases, seed {seed}" + (", course rows" if written else ""),
        chosen,
    )


def default_name(source: str) -> str:
    """`heldout-` and the dataset's file or hub name, in the characters a suite name allows."""
    stem = re.split(r"[/:]", source.rstrip("/"))[-1].removesuffix(".jsonl").lower()
    return "heldout-" + (re.sub(r"[^a-z0-9_.\-]+", "-", stem).strip("-") or "dataset")


def dataset_suite(source: str, split: str, holdout: int, seed: int, name: str) -> tuple[Suite, list[str]]:
    """One case per held-out row (the rows `heldout_rows` draws, which a recipe with the same `holdout` and
    `holdout_seed` leaves out of training), and why any row made no case.

    A case is the row's conversation up to its first assistant answer (normally one user request), expecting that
    answer's calls. Whatever follows (tool responses, answers built on them, later requests) is dropped: a case
    scores one answer to a prompt, and later answers depend on tool results a suite cannot supply. A row whose
    first answer makes no valid case (no tools offered, or arguments its own schema rejects) is left out and
    listed, never patched; it stays out of training too. A row the course format cannot read is an error, as in
    training.
    """
    rows = read_rows(source, split)
    chosen: list[tuple[Case, list[Tool]]] = []
    skipped: list[str] = []
    for index in sorted(heldout_rows(len(rows), holdout, seed, source)):
        try:
            examples = convert_row(rows[index])
        except CourseFormatError as error:
            raise TrainingDataError(f"{source}: row {index}: {error}") from None
        if not examples:
            skipped.append(f"row {index}: no assistant answer after a request")
            continue
        if not examples[0].tools:
            skipped.append(f"row {index}: no tools offered")
            continue
        case = case_from_example(examples[0], f"row-{index}")
        findings = check_suite(Suite(name="row", tools=examples[0].tools, cases=[case]))
        if findings:
            skipped.append(f"row {index}: " + "; ".join(f"{display_path(f.path)}: {f.message}" for f in findings))
            continue
        chosen.append((case, examples[0].tools))
    if not chosen:
        raise HeldoutError(f"{source}: none of the {holdout} held-out rows makes a case: {'; '.join(skipped)}")
    description = f"Held-out in-distribution suite: {len(chosen)} of {holdout} rows held out of training."
    where = f"{source} (split {split})" if source.startswith("hub:") else source
    return assemble(name, description, f"{where}, --holdout {holdout} --seed {seed}", chosen), skipped
