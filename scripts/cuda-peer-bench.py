#!/usr/bin/env python3
"""PyTorch peer for the s1 CUDA backend's benchmarks (issue 7), run on the lent GPU machine by device-check.sh.

Measures, on a randomly initialised Qwen2.5-0.5B-shaped Qwen2 model in bf16:
  - one SFT step (batch 1 x 2048 tokens, AdamW): tokens/s, median step time and MFU;
  - greedy decode with transformers' `generate` at batch 1 and 64: tokens/s, ms per step and the fraction of HBM
    bandwidth that the bytes read per step (weights + KV cache) represent;
each with attention_implementation "eager" (the like-for-like peer: our attention materialises the score matrix,
as eager does) and "sdpa" (PyTorch's fused attention). Prints one JSON object and writes it to --json after every
measurement, so a run cut short by its timeout still leaves what it measured.

Usage:
  python3 scripts/cuda-peer-bench.py --device cuda --json peer.json     # on the GPU machine
  python3 scripts/cuda-peer-bench.py --device cpu --tiny --json t.json  # a smoke test of this script on a CPU
"""
import argparse
import json
import platform
import statistics
import sys
import time

# Peaks from NVIDIA's datasheets (dense bf16 tensor-core math, HBM), the denominators of MFU and bandwidth
# fraction: H100 SXM 989 TFLOP/s and 3.35 TB/s; H200 SXM the same compute and 4.8 TB/s. main() picks by device name
# (as `s1 bench` does); the H100's are the default.
BF16_DENSE_FLOPS = 989e12
HBM_BYTES_PER_S = 3.35e12
HBM_NAME = "H100 SXM HBM3 bandwidth (3.35 TB/s)"

# Qwen2.5-0.5B's published config.json, the shape both engines benchmark.
QWEN25_05B = dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                  intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True, rope_theta=1e6,
                  rms_norm_eps=1e-6, max_position_embeddings=32768)
TINY = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            intermediate_size=128, vocab_size=1024, tie_word_embeddings=True, rope_theta=1e6,
            rms_norm_eps=1e-6, max_position_embeddings=512)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", required=True, help="write the JSON result here (rewritten after every measurement)")
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    p.add_argument("--tiny", action="store_true", help="2-layer tiny config and short runs: a smoke test")
    p.add_argument("--attn", default="eager,sdpa", help="comma-separated attention implementations to measure")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


class Result:
    """The JSON object, rewritten whole after every measurement."""

    def __init__(self, path, data):
        self.path, self.data = path, data

    def save(self):
        with open(self.path + ".tmp", "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
            f.write("\n")
        import os
        os.replace(self.path + ".tmp", self.path)


def synchronize(device):
    import torch
    if device == "cuda":
        torch.cuda.synchronize()


def timed(device, fn):
    synchronize(device)
    start = time.perf_counter()
    out = fn()
    synchronize(device)
    return time.perf_counter() - start, out


def set_attention(model, impl):
    # transformers >= 4.56 switches a built model in place; older ones read the private config field.
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(impl)
    else:
        model.config._attn_implementation = impl
    return model.config._attn_implementation


def measure_training(model, device, shape, cfg, params):
    """Warm-up steps then timed steps of forward + backward + AdamW, all parameters and states in bf16."""
    import torch
    opts = dict(lr=1e-5, betas=(0.9, 0.95), weight_decay=1e-4)
    fused = device == "cuda"
    optimizer = torch.optim.AdamW(model.parameters(), fused=fused, **opts)
    gen = torch.Generator(device="cpu").manual_seed(1)
    tokens = torch.randint(0, cfg["vocab_size"], (shape["train_batch"], shape["train_seq"]), generator=gen).to(device)
    model.train()

    def step():
        out = model(input_ids=tokens, labels=tokens)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return out.loss.detach()

    for _ in range(shape["train_warmup"]):
        step()
    times, losses = [], []
    for _ in range(shape["train_steps"]):
        seconds, loss = timed(device, step)
        times.append(seconds)
        losses.append(loss)  # read after timing: .item() inside the loop would add a host sync to no step's cost
    del optimizer
    model.zero_grad(set_to_none=True)

    b, t = shape["train_batch"], shape["train_seq"]
    layers, hidden = cfg["num_hidden_layers"], cfg["hidden_size"]
    median = statistics.median(times)
    flops = 6 * params * b * t + 12 * layers * hidden * t * t * b
    return {
        "batch": b, "sequence": t, "warmup_steps": shape["train_warmup"], "timed_steps": len(times),
        "step_ms_median": median * 1e3, "step_ms_all": [x * 1e3 for x in times],
        "tokens_per_s": b * t / median,
        "flops_per_step": flops,
        "mfu": flops / median / BF16_DENSE_FLOPS,
        "loss_first_timed": float(losses[0]), "loss_last_timed": float(losses[-1]),
        "optimizer": f"torch.optim.AdamW(lr=1e-5, betas=(0.9, 0.95), weight_decay=1e-4, fused={fused})",
        "precision": "pure bf16: parameters, gradients and AdamW states in bf16 (no fp32 master weights)",
    }


def measure_decode(model, device, shape, cfg, params, batch):
    """Greedy `generate` of exactly new_tokens tokens after a random prompt; prefill is timed apart and removed."""
    import torch
    gen = torch.Generator(device="cpu").manual_seed(2 + batch)
    prompt_len, new = shape["prompt"], shape["new_tokens"]
    prompt = torch.randint(0, cfg["vocab_size"], (batch, prompt_len), generator=gen).to(device)
    mask = torch.ones_like(prompt)
    model.eval()

    def generate(n):
        with torch.inference_mode():
            return model.generate(input_ids=prompt, attention_mask=mask, do_sample=False, use_cache=True,
                                  max_new_tokens=n, min_new_tokens=n, pad_token_id=0,
                                  eos_token_id=cfg["vocab_size"] - 1)

    generate(min(8, new))  # warm-up: kernels, allocator, cache setup
    full, prefill = [], []
    for _ in range(shape["decode_repeats"]):
        seconds, out = timed(device, lambda: generate(new))
        if out.shape != (batch, prompt_len + new):
            raise RuntimeError(f"generate returned shape {tuple(out.shape)}, expected {(batch, prompt_len + new)}")
        full.append(seconds)
        prefill.append(timed(device, lambda: generate(1))[0])
    total, first = statistics.median(full), statistics.median(prefill)
    step = (total - first) / (new - 1)  # the new-1 decode steps after the token that prefill produces

    layers, kv_heads = cfg["num_hidden_layers"], cfg["num_key_value_heads"]
    head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
    avg_len = prompt_len + new / 2
    weight_bytes = 2 * params  # bf16; with tied embeddings the one matrix read per step is the lm_head
    kv_bytes = 2 * layers * kv_heads * head_dim * avg_len * batch * 2  # K and V, per layer, bf16
    return {
        "batch": batch, "prompt_tokens": prompt_len, "new_tokens": new, "repeats": len(full),
        "seconds_median": total, "seconds_all": full, "prefill_seconds_median": first,
        "tokens_per_s": new * batch / total,
        "ms_per_step": step * 1e3, "ms_per_step_incl_prefill": total / new * 1e3,
        "bytes_per_step": weight_bytes + kv_bytes, "weight_bytes": weight_bytes, "kv_bytes_avg": kv_bytes,
        "hbm_fraction": (weight_bytes + kv_bytes) / step / HBM_BYTES_PER_S,
    }


def main():
    args = parse_args()
    result = Result(args.json, {"script": "scripts/cuda-peer-bench.py", "device_requested": args.device,
                                "tiny": args.tiny, "status": "starting"})
    import torch
    if args.device == "cuda" and not torch.cuda.is_available():
        result.data.update(status="failed", error="torch.cuda.is_available() is False: no usable CUDA device")
        result.save()
        print(json.dumps(result.data, sort_keys=True))
        print("cuda-peer-bench: no CUDA device visible to PyTorch", file=sys.stderr)
        return 2
    import transformers
    from transformers import Qwen2Config, Qwen2ForCausalLM
    global HBM_BYTES_PER_S, HBM_NAME
    if args.device == "cuda" and "H200" in torch.cuda.get_device_name():
        HBM_BYTES_PER_S, HBM_NAME = 4.8e12, "H200 SXM HBM3e bandwidth (4.8 TB/s)"

    cfg = TINY if args.tiny else QWEN25_05B
    shape = (dict(train_batch=1, train_seq=64, train_warmup=1, train_steps=2, prompt=8, new_tokens=8,
                  decode_batches=[1, 4], decode_repeats=1) if args.tiny else
             dict(train_batch=1, train_seq=2048, train_warmup=3, train_steps=10, prompt=32, new_tokens=128,
                  decode_batches=[1, 64], decode_repeats=2))
    torch.manual_seed(args.seed)
    config = Qwen2Config(**cfg)
    with torch.device(args.device):  # initialise on the device: the 0.5B model's CPU init alone takes seconds
        model = Qwen2ForCausalLM(config)
    model.to(torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())  # parameters() counts the tied embedding once

    result.data.update({
        "status": "running",
        "device": torch.cuda.get_device_name() if args.device == "cuda" else platform.processor() or "cpu",
        "torch": torch.__version__, "transformers": transformers.__version__,
        "python": platform.python_version(),
        "model": {"config": cfg, "n_params": params, "init": f"random, torch.manual_seed({args.seed})",
                  "dtype": "bfloat16"},
        "constants": {"peak_flops": BF16_DENSE_FLOPS,
                      "peak_flops_name": "H100 / H200 SXM dense bf16 tensor-core peak (989 TFLOP/s)",
                      "hbm_bytes_per_s": HBM_BYTES_PER_S, "hbm_name": HBM_NAME},
        "formulas": {
            "mfu": "(6*n_params*tokens + 12*layers*hidden*seq^2*batch) / step_seconds / peak_flops",
            "hbm_fraction": "(2*n_params + 2[K,V]*layers*kv_heads*head_dim*avg_len*batch*2[bytes]) "
                            "/ decode_step_seconds / hbm_bytes_per_s, avg_len = prompt + new_tokens/2",
            "decode_step": "(median generate(new_tokens) - median generate(1)) / (new_tokens - 1)",
            "decode_tokens_per_s": "new_tokens*batch / median generate(new_tokens) seconds (prefill included)",
        },
        "shape": shape, "attention": {},
    })
    result.save()

    for impl in [a.strip() for a in args.attn.split(",") if a.strip()]:
        entry = result.data["attention"].setdefault(impl, {})
        try:
            entry["effective"] = set_attention(model, impl)
            entry["train"] = measure_training(model, args.device, shape, cfg, params)
            result.save()
            print(f"[{impl}] train: {entry['train']['step_ms_median']:.1f} ms/step, "
                  f"{entry['train']['tokens_per_s']:.0f} tok/s, MFU {entry['train']['mfu']:.3f}", file=sys.stderr)
            for batch in shape["decode_batches"]:
                d = measure_decode(model, args.device, shape, cfg, params, batch)
                entry[f"decode_b{batch}"] = d
                result.save()
                print(f"[{impl}] decode b{batch}: {d['tokens_per_s']:.0f} tok/s, {d['ms_per_step']:.2f} ms/step, "
                      f"HBM {d['hbm_fraction']:.3f}", file=sys.stderr)
        except Exception as error:  # record it and go on to the next implementation
            entry["error"] = f"{type(error).__name__}: {error}"
            result.save()
            print(f"[{impl}] failed: {entry['error']}", file=sys.stderr)
        if args.device == "cuda":
            torch.cuda.empty_cache()

    failed = [k for k, v in result.data["attention"].items() if "error" in v]
    result.data["status"] = "failed" if failed else "ok"
    if args.device == "cuda":
        result.data["max_memory_allocated_bytes"] = torch.cuda.max_memory_allocated()
    result.save()
    print(json.dumps(result.data, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
