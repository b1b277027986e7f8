"""PyTorch peer of `s1 bench engine-decode`: transformers' greedy `generate` (KV cache) on the same Qwen2 shape,
random init, the same batch, prompt length and number of new tokens. Prints one JSON line.
Usage: bench-engine-decode.py BATCH PROMPT NEW_TOKENS  (one torch thread, like the Swift engine)."""
import json, sys, time

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

batch, prompt, new_tokens = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(1)
torch.manual_seed(1)
config = Qwen2Config(hidden_size=128, intermediate_size=384, num_hidden_layers=4, num_attention_heads=4,
                     num_key_value_heads=2, vocab_size=272, tie_word_embeddings=True, max_position_embeddings=2048)
model = Qwen2ForCausalLM(config).eval()
ids = torch.randint(0, 256, (batch, prompt))
mask = torch.ones_like(ids)

def run():
    with torch.no_grad():
        return model.generate(ids, attention_mask=mask, do_sample=False, max_new_tokens=new_tokens,
                              min_new_tokens=new_tokens, pad_token_id=0, use_cache=True)

run()  # warm-up
start, cpu_start = time.perf_counter(), time.process_time()
out = run()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
generated = (out.shape[1] - prompt) * batch
print(json.dumps({"engine": "hf-generate", "batch": batch, "prompt": prompt, "new_tokens": new_tokens,
                  "tokens_per_second": generated / seconds, "tokens_per_cpu_second": generated / cpu}))
