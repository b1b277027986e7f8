#!/usr/bin/env python3
"""PyTorch eager reference for the engine benchmark: tokens/s of one SFT training step (forward, masked CE,
backward, AdamW) of the s1-mini Qwen2 shape, the same shape, batch and length as EngineBenchmarkTests.
Needs torch + transformers from PyPI (benchmark only). Prints one JSON line.
Usage: bench-engine.py [threads] [batch] [length] [steps]"""
import json
import sys
import time

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

threads, batch, length, steps = (int(a) for a in (sys.argv[1:] + ["1", "16", "128", "10"][len(sys.argv) - 1:]))
torch.set_num_threads(threads)
torch.manual_seed(0)
config = Qwen2Config(hidden_size=128, intermediate_size=384, num_hidden_layers=4, num_attention_heads=4,
                     num_key_value_heads=2, vocab_size=272, tie_word_embeddings=True, attn_implementation="sdpa")
model = Qwen2ForCausalLM(config).float().train()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=1e-4)
ids = torch.randint(0, 256, (steps + 1, batch, length))


def step(x):
    optimizer.zero_grad(set_to_none=True)
    loss = model(input_ids=x, labels=x).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


step(ids[0])  # warm-up
start, cpu_start = time.perf_counter(), time.process_time()
for i in range(steps):
    step(ids[i + 1])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
print(json.dumps({"engine": "pytorch-eager", "threads": threads, "batch": batch, "length": length, "steps": steps,
                  "tokens_per_second": steps * batch * length / seconds,
                  "tokens_per_cpu_second": steps * batch * length / cpu, "torch": torch.__version__,
                  "parameters": sum(p.numel() for p in model.parameters())}))
