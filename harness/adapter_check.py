"""Check a PEFT LoRA adapter folder against what vLLM can serve, before any engine starts.

An engine takes half a minute to start and refuses a bad adapter only when a request first names it, so the harness
reads the adapter's files and applies the installed vLLM's (0.32) own rules, from `vllm/lora/peft_helper.py`
(`PEFTHelper.from_dict`: r, lora_alpha, target_modules required; `__post_init__`: positive ranks;
`_validate_features`: modules_to_save only "classifier"/"score", no DoRA, lora_bias, PiSSA-like inits, aLoRA,
layer_replication, BD-LoRA, QALoRA; `validate_legal`: max(r, rank_pattern) <= max_lora_rank, bias "none"),
`vllm/config/lora.py` (`MaxLoRARanks`: the only values `--max-lora-rank` takes), `vllm/lora/lora_model.py`
(`LoRAModel.from_local_checkpoint`: adapter_model.safetensors, .bin or .pt, whose tensor names, not target_modules,
say which modules get LoRA; `from_lora_tensors`: lora_embedding_A exactly as wide as the base vocabulary) and
`vllm/lora/utils.py` (`parse_fine_tuned_lora_name`: only lora_A/B weights, lora_embedding_A/B and classifier heads
load; `is_base_embedding_weights`: whole embed_tokens/lm_head matrices saved beside the LoRA are skipped, so new
token rows are lost; `get_supported_lora_modules`: linear layers plus the `embedding_modules` a model class declares,
which Llama and Qwen3 do for embed_tokens/lm_head and Gemma, Gemma-2 and Qwen2 do not).
Adapters that train embeddings (the Agents-course recipe adds tokens and targets embed_tokens and lm_head) are
"serve it merged only": merging bakes the new rows into the base, which vLLM then serves as a plain model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.types import Frozen

VLLM_MAX_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
"""`vllm.config.lora.MaxLoRARanks`; a test compares it with the installed source."""
WEIGHT_FILES = ("adapter_model.safetensors", "adapter_model.bin", "adapter_model.pt")
"""The files `LoRAModel.from_local_checkpoint` looks for, in its order."""
EMBEDDING_MODULES = frozenset({"embed_tokens", "lm_head"})
"""The names vLLM models list in `embedding_modules`, when they list any."""
CLASSIFIER_MODULES = frozenset({"classifier", "score"})
"""The only modules_to_save `PEFTHelper._validate_features` accepts (classification models)."""
KNOWN_LINEAR_MODULES = frozenset(
    "q_proj k_proj v_proj o_proj qkv_proj gate_proj up_proj down_proj gate_up_proj out_proj in_proj dense "  # noqa: SIM905
    "query_key_value dense_h_to_4h dense_4h_to_h fc1 fc2 c_attn c_proj c_fc w1 w2 w3 wqkv wo query key value".split()
)
"""Linear projections of common architectures, used only when no base folder is given to read the real ones from."""
SUPPORTED_INITS = ("gaussian", "eva", "orthogonal", "mica", "lora_ga")
"""String values of init_lora_weights that `PEFTHelper._init_is_supported` accepts (booleans are always fine)."""
_BASE_EMBEDDING_SUFFIXES = (".embed_tokens.base_layer.weight", ".lm_head.base_layer.weight")
_MERGE = "serve it merged only"
_LOST = "; it skips whole embedding matrices saved beside the LoRA (is_base_embedding_weights): new rows are lost"


class AdapterReadError(HarnessError):
    """The adapter folder itself cannot be read, so there is nothing to check."""


class AdapterProblem(Frozen):
    """One reason vLLM would refuse (or silently mis-serve) the adapter."""

    code: str
    """Stable identifier of the rule, e.g. `dora` or `embedding-lora`."""
    message: str
    """One line saying what is wrong and why it matters."""
    serve_merged_only: bool = False
    """True when PEFT can merge the adapter into the base and vLLM can then serve the merged model."""


class AdapterReport(Frozen):
    """What was read from an adapter folder and every problem found in it."""

    path: str
    """The adapter folder."""
    r: int | None = None
    """LoRA rank."""
    lora_alpha: float | None = None
    """LoRA alpha; the scaling vLLM applies is alpha / r (alpha / sqrt(r) with rsLoRA)."""
    target_modules: tuple[str, ...] | str | None = None
    """As configured: a list of names or a regular expression."""
    base_model_name_or_path: str | None = None
    """The base the adapter says it was trained on."""
    weights_file: str | None = None
    """Name of the weights file found, if any."""
    lora_modules: tuple[str, ...] = ()
    """Last name components of the modules that have LoRA tensors; vLLM trusts these, not target_modules."""
    embedding_lora: bool = False
    """The weights hold LoRA tensors on embed_tokens (lora_embedding_A/B)."""
    lm_head_lora: bool = False
    """The weights hold LoRA tensors on lm_head."""
    full_embedding_weights: bool = False
    """The weights hold whole embed_tokens/lm_head matrices (PEFT saves them when it trains embeddings)."""
    vocab_size: int | None = None
    """Rows of the adapter's embedding tensors, when it has any."""
    base_vocab_size: int | None = None
    """The base's vocabulary, when the base is a readable local folder."""
    use_dora: bool = False
    """Weight-decomposed LoRA, which vLLM does not implement."""
    modules_to_save: tuple[str, ...] = ()
    """Modules trained in full and saved whole."""
    bias: str = "none"
    """PEFT's bias setting."""
    smallest_max_lora_rank: int | None = None
    """The smallest `--max-lora-rank` vLLM accepts that fits this adapter."""
    problems: tuple[AdapterProblem, ...] = ()
    """Everything that stops vLLM from serving the adapter unmerged."""

    @property
    def ok(self) -> bool:
        """True when vLLM can serve the adapter as it is."""
        return not self.problems


def _problem(code: str, message: str, *, merged: bool = False) -> AdapterProblem:
    """A problem; those that merging cures all end with the same advice, so readers (and tests) can rely on it."""
    return AdapterProblem(code=code, message=f"{message}; {_MERGE}" if merged else message, serve_merged_only=merged)


def _names(value: Any) -> tuple[str, ...]:
    """A config field of module names: PEFT writes a list, a single string or null; anything else counts as none."""
    return (value,) if isinstance(value, str) else tuple(map(str, value)) if isinstance(value, list) else ()


def _ranks(config: dict[str, Any]) -> list[Any]:
    """r and every rank_pattern value: vLLM sizes its buffers by the largest."""
    pattern = config["rank_pattern"] if isinstance(config.get("rank_pattern"), dict) else {}
    return [rank for rank in [config.get("r"), *pattern.values()] if rank is not None]


class _Unreadable(Exception):
    """A file exists (or should) but cannot be used; the message names it."""


def _read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object from a file, turning every failure into one line that names the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _Unreadable(f"{path.name} is missing") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _Unreadable(f"{path.name} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise _Unreadable(f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict):
        raise _Unreadable(f"{path.name} holds {type(data).__name__}, not a JSON object")
    return data


def tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Names and shapes of the tensors in a weights file, without loading safetensors data."""
    try:
        if path.suffix == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="numpy") as handle:
                return {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}  # noqa: SIM118
        import torch  # .bin/.pt are pickles: only torch can list them (mmap keeps the data on disk)

        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return {name: tuple(tensor.shape) for name, tensor in state.items()}
    except Exception as error:  # any library's "corrupt file" error means the same thing here
        raise _Unreadable(f"{path.name} cannot be read as weights: {str(error).splitlines()[0]}") from None


def _split_tensor_name(name: str) -> tuple[str, str] | None:
    """(module, kind) the way `parse_fine_tuned_lora_name` reads a tensor name; None where vLLM raises."""
    if name.endswith(_BASE_EMBEDDING_SUFFIXES):
        return name.removeprefix("base_model.model.").rsplit(".", 2)[0], "base_layer"
    parts = name.removeprefix("base_model.model.").split(".")
    if len(parts) >= 2 and parts[-1] == "weight" and parts[-2] in ("lora_A", "lora_B"):
        return ".".join(parts[:-2]), parts[-2]
    if len(parts) >= 2 and parts[-1] in ("weight", "bias") and parts[-2] in CLASSIFIER_MODULES:
        return parts[-2], "classifier"
    if parts[-1] in ("lora_embedding_A", "lora_embedding_B"):
        return ".".join(parts[:-1]), parts[-1]
    return None


def _tokenizer_size(folder: Path) -> int | None:
    """How many token ids the tokenizer files in `folder` define (base vocabulary plus added tokens), if any."""
    ids: list[int] = []
    if (folder / "tokenizer.json").is_file():
        data = _read_json(folder / "tokenizer.json")
        vocab = data["model"].get("vocab") if isinstance(data.get("model"), dict) else None
        if isinstance(vocab, dict):
            ids += [v for v in vocab.values() if isinstance(v, int)]
        elif isinstance(vocab, list):
            ids.append(len(vocab) - 1)
        added = data.get("added_tokens") if isinstance(data.get("added_tokens"), list) else []
        ids += [t["id"] for t in added if isinstance(t, dict) and isinstance(t.get("id"), int)]
    if (folder / "added_tokens.json").is_file():
        ids += [v for v in _read_json(folder / "added_tokens.json").values() if isinstance(v, int)]
    if (folder / "tokenizer_config.json").is_file():
        decoder = _read_json(folder / "tokenizer_config.json").get("added_tokens_decoder")
        ids += [int(key) for key in decoder if str(key).isdigit()] if isinstance(decoder, dict) else []
    return max(ids) + 1 if ids else None


class _Base:
    """What a local base-model folder tells: vocabulary, tokenizer size and the shapes of its weights."""

    def __init__(self, folder: Path) -> None:
        config = _read_json(folder / "config.json")
        text = config["text_config"] if isinstance(config.get("text_config"), dict) else config
        vocab = text.get("vocab_size") or config.get("vocab_size")
        self.vocab_size = vocab if isinstance(vocab, int) else None
        self.tokenizer_size = _tokenizer_size(folder)
        self.matrices: dict[str, tuple[int, ...]] = {}  # the 2-D weights, by module name
        for file in sorted(folder.glob("*.safetensors")):
            shapes = tensor_shapes(file).items()
            self.matrices |= {n.removesuffix(".weight"): s for n, s in shapes if n.endswith(".weight") and len(s) == 2}
        # each is a linear layer (vLLM: "all linear layers support LoRA") unless it maps the vocabulary
        self.linear = {name.rsplit(".", 1)[-1] for name, shape in self.matrices.items() if self.vocab_size not in shape}


def _config_problems(config: dict[str, Any], max_rank: int) -> list[AdapterProblem]:
    """The checks of `PEFTHelper.from_dict`, `__post_init__`, `_validate_features` and `validate_legal`."""
    found: list[AdapterProblem] = []
    if config.get("peft_type") != "LORA":
        found.append(_problem("not-lora", f"peft_type is {config.get('peft_type')!r}: vLLM serves LORA only"))
    if missing := [key for key in ("r", "lora_alpha", "target_modules") if key not in config]:
        found.append(_problem("config-fields", f"adapter_config.json lacks {', '.join(missing)}, which vLLM requires"))
    ranks = _ranks(config)
    if any(not isinstance(rank, int) or isinstance(rank, bool) or rank <= 0 for rank in ranks):
        found.append(_problem("rank-invalid", f"ranks must be positive integers, got {ranks}"))
    elif ranks and (rank := max(ranks)) > max_rank:
        fits = next((value for value in VLLM_MAX_LORA_RANKS if value >= rank), None)
        fix = f"serve with --max-lora-rank {fits}" if fits else f"vLLM's largest is {VLLM_MAX_LORA_RANKS[-1]}"
        found.append(
            _problem("rank-too-high", f"rank {rank} is above max_lora_rank {max_rank}; {fix}", merged=not fits)
        )
    if extra := [m for m in _names(config.get("modules_to_save")) if m not in CLASSIFIER_MODULES]:
        message = f"modules_to_save {extra}: vLLM loads whole modules only as classifier heads ('classifier', 'score')"
        found.append(_problem("modules-to-save", message, merged=True))
    init = config.get("init_lora_weights", True)
    features = {
        "dora": (config.get("use_dora"), "use_dora is set: vLLM does not implement DoRA"),
        "lora-bias": (config.get("lora_bias"), "lora_bias is set: vLLM does not support LoRA bias"),
        "alora": (config.get("alora_invocation_tokens"), "vLLM does not support Activated LoRA (aLoRA)"),
        "layer-replication": (config.get("layer_replication"), "vLLM does not support layer_replication"),
        "bdlora": (config.get("use_bdlora"), "vLLM does not support block-diagonal LoRA (use_bdlora)"),
        "qalora": (config.get("use_qalora"), "vLLM does not support QALoRA (use_qalora)"),
        "init": (
            isinstance(init, str) and init.lower() not in SUPPORTED_INITS,
            f"init_lora_weights={init!r} changes the base weights when PEFT loads the adapter; vLLM does not",
        ),
        "trainable-tokens": (config.get("trainable_token_indices"), "vLLM cannot load trainable_token_indices rows"),
    }
    found += [_problem(code, why, merged=True) for code, (present, why) in features.items() if present]
    if (bias := config.get("bias", "none")) != "none":
        found.append(_problem("bias", f"bias is {bias!r}: vLLM loads no trained biases (it needs 'none')", merged=True))
    return found


def _same_base(recorded: str, given: str) -> bool:
    """Whether two base names mean the same model: equal, the same folder, or a hub id and a local copy named alike."""
    if recorded == given or Path(recorded).expanduser().resolve() == Path(given).expanduser().resolve():
        return True
    return Path(recorded.rstrip("/")).name.lower() == Path(given.rstrip("/")).name.lower()


def check_adapter(path: Path, *, max_rank: int = 64, base_model: str | None = None) -> AdapterReport:
    """Every reason vLLM could not serve the adapter in `path` with `--max-lora-rank max_rank` on `base_model`.

    A hub id as `base_model` is compared by name only; a local folder also gives vocabulary, tokenizer and weight
    shapes. Raises AdapterReadError only when `path` is no readable folder: other faults are problems in the report.
    """
    if max_rank not in VLLM_MAX_LORA_RANKS:
        raise ValueError(f"max_rank must be one of vLLM's max_lora_rank values {VLLM_MAX_LORA_RANKS}, got {max_rank}")
    path = Path(path)
    try:
        if not path.is_dir():
            raise AdapterReadError(f"{path}: not a folder" if path.exists() else f"{path}: no such folder")
        names = {child.name for child in path.iterdir()}
    except OSError as error:
        raise AdapterReadError(f"{path}: cannot be read ({error.strerror})") from None

    problems: list[AdapterProblem] = []
    facts: dict[str, Any] = {"path": str(path)}
    config: dict[str, Any] = {}
    try:
        config = _read_json(path / "adapter_config.json")
    except _Unreadable as error:
        problems.append(_problem("config-unreadable", str(error)))
    if config:
        problems += _config_problems(config, max_rank)
        targets = config.get("target_modules")
        rank = max((r for r in _ranks(config) if isinstance(r, int)), default=1)
        recorded = config.get("base_model_name_or_path")
        facts.update(
            r=config.get("r") if isinstance(config.get("r"), int) else None,
            lora_alpha=config.get("lora_alpha") if isinstance(config.get("lora_alpha"), int | float) else None,
            target_modules=targets if isinstance(targets, str) else _names(targets) or None,
            base_model_name_or_path=recorded if isinstance(recorded, str) else None,
            use_dora=bool(config.get("use_dora")),
            modules_to_save=_names(config.get("modules_to_save")),
            bias=str(config.get("bias", "none")),
            smallest_max_lora_rank=next((v for v in VLLM_MAX_LORA_RANKS if v >= rank), None),
        )

    base: _Base | None = None
    if base_model is not None:
        recorded = facts.get("base_model_name_or_path")
        if recorded and not _same_base(recorded, base_model):
            message = f"adapter was trained on {recorded!r} but the base given is {base_model!r}"
            problems.append(_problem("base-mismatch", message))
        if Path(base_model).expanduser().is_dir():
            try:
                base = _Base(Path(base_model).expanduser())
            except _Unreadable as error:
                problems.append(_problem("base-unreadable", f"base folder {base_model}: {error}"))

    shapes: dict[str, tuple[int, ...]] = {}
    weights = next((name for name in WEIGHT_FILES if name in names), None)
    facts["weights_file"] = weights
    if weights is None:
        problems.append(_problem("weights-missing", f"no adapter weights: expected one of {', '.join(WEIGHT_FILES)}"))
    else:
        try:
            shapes = tensor_shapes(path / weights)
        except _Unreadable as error:
            problems.append(_problem("weights-unreadable", str(error)))
    problems += _weight_problems(shapes, config, base, facts)
    problems += _vocabulary_problems(path, base, facts)
    return AdapterReport(**facts, problems=tuple(problems))


def _weight_problems(
    shapes: dict[str, tuple[int, ...]], config: dict[str, Any], base: _Base | None, facts: dict[str, Any]
) -> list[AdapterProblem]:
    """Check tensor names the way `from_local_checkpoint` does; without weights, fall back to target_modules."""
    found: list[AdapterProblem] = []
    modules: dict[str, dict[str, tuple[int, ...]]] = {}
    unloadable: list[str] = []
    # tensors another problem already explains: DoRA magnitudes, trainable tokens, whole saved modules, biases
    saved = _names(config.get("modules_to_save"))
    explained = ["lora_magnitude_vector", "token_adapter", *(f"{module}.weight" for module in saved)]
    if config.get("bias", "none") != "none":
        explained.append(".bias")
    for name, shape in shapes.items():
        split = _split_tensor_name(name)
        if split is not None:
            modules.setdefault(split[0], {})[split[1]] = shape
        elif not any(part in name for part in explained):
            unloadable.append(name)
    if unloadable:
        message = f"{len(unloadable)} tensors vLLM cannot parse as LoRA weights (parse_fine_tuned_lora_name), e.g. {unloadable[0]}"
        found.append(_problem("unknown-tensors", message, merged=True))

    lora = {m: k for m, k in modules.items() if k.keys() & {"lora_A", "lora_B", "lora_embedding_A", "lora_embedding_B"}}
    leaves = {m.rsplit(".", 1)[-1] for m in lora}
    if not shapes and isinstance(config.get("target_modules"), list):
        leaves = set(_names(config["target_modules"]))
    embeddings = {m.rsplit(".", 1)[-1] for m, k in lora.items() if "lora_embedding_A" in k or "lora_embedding_B" in k}
    whole = {m: k["base_layer"] for m, k in modules.items() if "base_layer" in k}
    facts.update(
        lora_modules=tuple(sorted(leaves)),
        embedding_lora=bool(embeddings) or "embed_tokens" in leaves,
        lm_head_lora="lm_head" in leaves,
        full_embedding_weights=bool(whole),
    )
    rows = [k["lora_embedding_A"][1] for k in lora.values() if "lora_embedding_A" in k]
    rows += [k["lora_B"][0] for m, k in lora.items() if m.endswith("lm_head") and "lora_B" in k]
    rows += [shape[0] for shape in whole.values()]
    facts["vocab_size"] = max(rows, default=None)
    trained = sorted((embeddings | leaves) & EMBEDDING_MODULES | embeddings)
    if trained or whole:
        message = f"LoRA on {' and '.join(trained) or 'embeddings'}: vLLM loads embedding LoRA only for models declaring embedding_modules (Llama, Qwen3; not Gemma, Gemma-2, Qwen2) and only at the base's own vocabulary size{_LOST if whole else ''}"
        found.append(_problem("embedding-lora", message, merged=True))
    allowed = base.linear if base and base.linear else KNOWN_LINEAR_MODULES
    odd = sorted(leaves - EMBEDDING_MODULES - CLASSIFIER_MODULES - embeddings - allowed - {"experts"})
    if odd:
        against = "the base's linear layers" if base and base.linear else "known linear projections (no base folder)"
        message = f"LoRA on {', '.join(odd)}, not among {against}: vLLM puts LoRA on linear layers only"
        found.append(_problem("unsupported-modules", message, merged=True))
    wrong: list[str] = []
    for module, kinds in sorted(lora.items()):
        weight = base.matrices.get(module) if base and module.rsplit(".", 1)[-1] not in EMBEDDING_MODULES else None
        if weight and {"lora_A", "lora_B"} <= kinds.keys() and (kinds["lora_B"][0], kinds["lora_A"][1]) != weight:
            wrong.append(f"{module} (LoRA {kinds['lora_B'][0]}x{kinds['lora_A'][1]}, base {weight[0]}x{weight[1]})")
    if wrong:
        message = f"{len(wrong)} LoRA modules do not fit the base's weights, e.g. {wrong[0]}: the adapter belongs to another model"
        found.append(_problem("shape-mismatch", message))
    return found


def _vocabulary_problems(path: Path, base: _Base | None, facts: dict[str, Any]) -> list[AdapterProblem]:
    """Added tokens: the adapter's tokenizer or embeddings are larger than the base's vocabulary."""
    try:
        tokenizer = _tokenizer_size(path)
    except _Unreadable as error:
        return [_problem("tokenizer-unreadable", str(error))]
    facts["base_vocab_size"] = base.vocab_size if base else None
    if base is None or base.vocab_size is None:
        return []
    evidence: list[str] = []
    if facts.get("vocab_size") is not None and facts["vocab_size"] != base.vocab_size:
        rows = f"its embedding tensors have {facts['vocab_size']} rows, the base's vocabulary {base.vocab_size}"
        evidence.append(f"{rows} (vLLM needs them equal, from_lora_tensors)")
    base_tokens = base.tokenizer_size or base.vocab_size
    if tokenizer is not None and tokenizer > base_tokens:
        evidence.append(f"its tokenizer has {tokenizer} tokens against the base's {base_tokens}")
    if not evidence:
        return []
    message = f"adapter adds tokens: {'; '.join(evidence)}: the base needs the adapter's tokenizer and new embeddings"
    return [_problem("added-tokens", message, merged=True)]
