"""Asking variants: the work a run folder still lacks, sent to the servers that answer it (managed vLLM, running
endpoints or the in-process reference), each answer written to the log as it comes. `generation.schedule` decides
what to ask when.

The run folder is the only state. Rerunning the same config into the same folder asks only for what has no
successful answer yet; a server that dies mid-run is restarted (a bounded number of times) and the requests it
dropped are asked again; requests that still fail are recorded with their reason. Ctrl-C stops the servers and
leaves a log that the next run resumes from.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness.errors import ConfigError
from harness.generation.episodes import EpisodeItem, EpisodeRunner, pending_episodes
from harness.generation.prepare import Prepared
from harness.generation.settings import GenerationSettings
from harness.progress import StageProgress
from harness.runs.folder import RunFolder
from harness.serving.backends.base import Backend, BackendUnavailable
from harness.serving.backends.openai_chat import OpenAIChatBackend, TokenDecoder, tokenizer_decoder
from harness.serving.plan import (
    InProcessReference,
    ManagedServer,
    RunningEndpoints,
    ServerPlan,
)
from harness.serving.pool import ServerPool
from harness.types import Case, EpisodeEnd, EpisodeStatus, EpisodeStep, Generation, Suite, Tool


@dataclass(frozen=True)
class WorkItem:
    """One request still to make: a case for a variant."""

    variant: str
    suite: Suite
    case: Case
    tools: tuple[Tool, ...]


Item = WorkItem | EpisodeItem
"""Something to ask a variant: one case (one request), or one episode (a conversation of requests)."""


def pending_work(prepared: Prepared, folder: RunFolder) -> dict[str, list[Item]]:
    """Per variant, the cases it is asked (every case, or its unmerged sample) without a successful answer in the
    log (failed requests are asked again), then the episodes it is asked without a finished attempt."""
    answered = {key for key, (_, g) in folder.read_generations().items() if g.error is None}
    work: dict[str, list[Item]] = {}
    for variant in prepared.variants:
        items = work.setdefault(variant.name, [])
        for suite, _ in prepared.suites:
            tools = {tool.key: tool for tool in suite.tools}
            for case in suite.cases:
                if variant.asks(suite.name, case.id) and (variant.name, suite.name, case.id) not in answered:
                    items.append(WorkItem(variant.name, suite, case, tuple(tools[k] for k in case.tools)))
    episodes = pending_episodes(prepared.variants, [suite for suite, _ in prepared.suites], folder)
    for variant, items in episodes.items():
        work[variant] += items
    return work


async def answer_all(
    items: Sequence[Item],
    backends: Sequence[dict[str, Backend]],
    settings: GenerationSettings,
    record: Callable[[Generation], None],
    concurrency: int,
    episodes: EpisodeRunner | None = None,
) -> list[tuple[Item, str]]:
    """Ask every item, sharding over endpoints (one mapping of variant → backend per endpoint), `concurrency`
    requests (or episodes) in flight per endpoint. Returns the items whose endpoint could not be reached, with the
    reason; an episode cut that way is left unfinished in the log and comes back as its next attempt."""
    queue: asyncio.Queue[Item] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    unreached: list[tuple[Item, str]] = []

    async def worker(endpoint: dict[str, Backend]) -> None:
        while not queue.empty():
            item = queue.get_nowait()
            backend = endpoint[item.variant]
            try:
                if isinstance(item, EpisodeItem):
                    assert episodes is not None, "episodes to ask need the run's EpisodeRunner"
                    await episodes.run(item, backend, settings)
                    continue
                answer = await backend.generate(item.case.messages, item.tools, settings)
            except BackendUnavailable as error:
                unreached.append((_next_attempt(item), str(error)))
                continue
            record(Generation(**answer.model_dump(), suite=item.suite.name, case_id=item.case.id, variant=item.variant))

    await asyncio.gather(*(worker(endpoint) for endpoint in backends for _ in range(concurrency)))
    return unreached


def _next_attempt(item: Item) -> Item:
    """What to ask again after an unreachable endpoint: a case as it is, an episode as its next attempt."""
    return dataclasses.replace(item, attempt=item.attempt + 1) if isinstance(item, EpisodeItem) else item


def _external_key(name: str, endpoints: RunningEndpoints) -> str | None:
    if endpoints.api_key_env is None:
        return None
    key = os.environ.get(endpoints.api_key_env)
    if not key:
        raise ConfigError(f"external endpoint {name!r}: environment variable {endpoints.api_key_env} is not set")
    return key


async def ask_endpoints(
    urls: list[str],
    models: dict[str, str],
    items: list[Item],
    settings: GenerationSettings,
    decoder: TokenDecoder | None,
    record: Callable[[Generation], None],
    api_key: str | None = None,
    episodes: EpisodeRunner | None = None,
) -> list[tuple[Item, str]]:
    """Ask every item of `models` (variant → model name) at OpenAI-compatible endpoints, sharded over `urls`."""
    backends: list[dict[str, Backend]] = [
        {
            variant: OpenAIChatBackend(
                url,
                model,
                api_key=api_key,
                decoder=decoder,
                concurrency=settings.concurrency,
                timeout_s=settings.request_timeout_s,
            )
            for variant, model in models.items()
        }
        for url in urls
    ]
    return await _answer_and_close(items, backends, settings, record, settings.concurrency, episodes)


async def _answer_and_close(
    items: list[Item],
    backends: list[dict[str, Backend]],
    settings: GenerationSettings,
    record: Callable[[Generation], None],
    concurrency: int,
    episodes: EpisodeRunner | None,
) -> list[tuple[Item, str]]:
    try:
        return await answer_all(items, backends, settings, record, concurrency, episodes)
    finally:
        for endpoint in backends:
            for backend in endpoint.values():
                await backend.aclose()


class RunProgress:
    """Records each answer, and each step and end of an episode, to the log before counting it on the stage's
    display (an episode counts once, when it ends)."""

    def __init__(self, folder: RunFolder, shown: StageProgress) -> None:
        self.folder = folder
        self.shown = shown
        self.errors = 0
        self.episodes: EpisodeRunner | None = None
        """The runner the run's episodes share, when it has episodes to ask."""

    def record(self, generation: Generation) -> None:
        self.folder.append_generation(generation)
        self.errors += generation.error is not None
        self.shown.advance(status=generation.variant + (f", {self.errors} errors" if self.errors else ""))

    def record_episode(self, record: EpisodeStep | EpisodeEnd) -> None:
        self.folder.append_episode_record(record)
        if isinstance(record, EpisodeEnd):
            self.shown.advance(status=f"{record.variant}, episode {record.status}")


def _record_unreached(unreached: list[tuple[Item, str]], why: str, progress: RunProgress) -> None:
    """Items whose endpoint never answered: a case as a failed request, an episode as an attempt that ended in one
    (scored as failed, asked again by the next run)."""
    for item, reason in unreached:
        if isinstance(item, EpisodeItem):
            progress.record_episode(item.ended(EpisodeStatus.REQUEST_ERROR, 1, f"{why}: {reason}"))
        else:
            progress.record(
                Generation(suite=item.suite.name, case_id=item.case.id, variant=item.variant, error=f"{why}: {reason}")
            )


def serve_and_answer(
    plan: ServerPlan,
    prepared: Prepared,
    items: list[Item],
    progress: RunProgress,
    pool: ServerPool,
) -> None:
    """Run one backend's share of the work."""
    match plan.serving:
        case InProcessReference() as reference:
            _answer_in_process(plan, reference, prepared, items, progress)
        case RunningEndpoints() as endpoints:
            decoder = tokenizer_decoder(endpoints.tokenizer) if endpoints.tokenizer else None
            key = _external_key(plan.name, endpoints)
            settings = prepared.generation
            unreached = asyncio.run(
                ask_endpoints(
                    endpoints.urls, plan.models, items, settings, decoder, progress.record, key, progress.episodes
                )
            )
            _record_unreached(unreached, "endpoint unreachable", progress)
        case ManagedServer() as managed:
            _answer_managed(plan, managed, prepared, items, progress, pool)


def _answer_in_process(
    plan: ServerPlan, reference: InProcessReference, prepared: Prepared, items: list[Item], progress: RunProgress
) -> None:
    """The transformers reference, loaded once for the plan's variants, one request at a time."""
    from harness.serving.backends.reference import ReferenceBackend

    backend = ReferenceBackend(reference.model, reference.adapter, prompt=prepared.prompt)
    backends: list[dict[str, Backend]] = [dict.fromkeys(plan.models, backend)]
    asyncio.run(
        _answer_and_close(
            items, backends, prepared.generation, progress.record, concurrency=1, episodes=progress.episodes
        )
    )


def _answer_managed(
    plan: ServerPlan,
    managed: ManagedServer,
    prepared: Prepared,
    items: list[Item],
    progress: RunProgress,
    pool: ServerPool,
) -> None:
    """Ask a managed server, restarting it when it dies (a bounded number of times)."""
    settings, limit = prepared.generation, prepared.config.server.max_restarts
    decoder = tokenizer_decoder(managed.tokenizer)
    restarts = 0
    while items:
        server = pool.started(plan)
        unreached = asyncio.run(
            ask_endpoints(
                [server.base_url], plan.models, items, settings, decoder, progress.record, None, progress.episodes
            )
        )
        items = [item for item, _ in unreached]
        if not items:
            break
        died = not server.alive
        server.stop()
        if restarts == limit:
            why = str(server.failure(f"server {plan.name} died {restarts + 1} times")) if died else "unreachable"
            _record_unreached(unreached, why, progress)
            break
        restarts += 1
        progress.shown.note(
            f"server {plan.name} {'died' if died else 'stopped answering'}; restart {restarts} of "
            f"{limit}, {len(items)} requests to ask again"
        )
