#!/usr/bin/env python3
"""Golden fixtures for the CPU engine's parity tests (S1EngineTests), from PyTorch + HF transformers.

Run once (needs torch, transformers, safetensors from PyPI, e.g. in /work/venv-engine):
    python scripts/make_engine_fixtures.py Tests/S1EngineTests/Fixtures

Writes, for two tiny random Qwen2 checkpoints (tied and untied embeddings):
    <name>/config.json + weights      (untied: sharded, with model.safetensors.index.json)
    <name>/expected.safetensors       logits (B,T,V) fp32 and the gradient of every parameter ("grad.<name>")
    <name>/expected.json              input ids (B,T), loss mask (B,T), masked mean CE loss
and dtypes.safetensors: BF16/F16 tensors with their exact fp32 values, for the dtype conversion test.
The tests only read these files; they never run Python.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import Qwen2Config, Qwen2ForCausalLM

CONFIGS = {
    "qwen2-tied": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, vocab_size=300, rope_theta=10000.0, rms_norm_eps=1e-6,
                       tie_word_embeddings=True, max_position_embeddings=128),
    "qwen2-untied": dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=1, vocab_size=257, rope_theta=1000.0, rms_norm_eps=1e-5,
                         tie_word_embeddings=False, max_position_embeddings=128),
}
BATCH, LENGTH = 3, 11


def make_checkpoint(out_dir, name, seed):
    torch.manual_seed(seed)
    config = Qwen2Config(**CONFIGS[name], attn_implementation="eager", torch_dtype="float32")
    model = Qwen2ForCausalLM(config).float()
    # Perturb every parameter so that biases and norm gains are exercised (HF initialises them to 0 and 1).
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("norm.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif pname.endswith(".bias"):
                p.copy_(0.2 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    model.eval()
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    shard = "40KB" if name == "qwen2-untied" else "10MB"
    model.save_pretrained(folder, safe_serialization=True, max_shard_size=shard)

    generator = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(0, config.vocab_size, (BATCH, LENGTH), generator=generator)
    mask = torch.rand((BATCH, LENGTH), generator=generator) < 0.7
    mask[:, 0] = False  # the first token is never a target
    labels = ids.clone()
    labels[~mask] = -100

    logits = model(input_ids=ids).logits.detach()
    model.zero_grad()
    out = model(input_ids=ids, labels=labels)
    out.loss.backward()
    tensors = {"logits": logits.contiguous()}
    for pname, p in model.named_parameters():  # tied lm_head is the embedding Parameter: listed once
        tensors["grad." + pname] = p.grad.detach().contiguous()
    save_file(tensors, os.path.join(folder, "expected.safetensors"))
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "loss_mask": mask.tolist(), "loss": out.loss.item(),
                   "torch": torch.__version__}, f, sort_keys=True)


def make_dtypes(out_dir):
    generator = torch.Generator().manual_seed(7)
    values = torch.cat([torch.randn(61, generator=generator) * 3,
                        torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 1e-5, 3.1415926])])
    bf16, f16 = values.to(torch.bfloat16), values.to(torch.float16)
    save_file({"values.bf16": bf16.reshape(4, 17), "values.f16": f16.reshape(4, 17),
               "values.bf16.as_f32": bf16.float().reshape(4, 17), "values.f16.as_f32": f16.float().reshape(4, 17)},
              os.path.join(out_dir, "dtypes.safetensors"))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/S1EngineTests/Fixtures"
    make_checkpoint(out, "qwen2-tied", 1234)
    make_checkpoint(out, "qwen2-untied", 4321)
    make_dtypes(out)
