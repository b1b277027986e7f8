#!/usr/bin/env python3
"""Golden fixtures for the Swift BPE tokenizer (Tests/S1EngineTests/Fixtures/tokenizer-bpe/).

Trains a small byte-level BPE with Qwen2's pre-tokenizer (NFC normaliser, the Qwen2 split regex, ByteLevel
without its own regex) and Qwen2's chat special tokens, using the `tokenizers` package from PyPI, then records the
encodings and decodings of a varied test corpus. The Swift tests read only the written files.

    python3 -m venv /work/venv-gen && /work/venv-gen/bin/pip install tokenizers
    /work/venv-gen/bin/python scripts/make_tokenizer_fixtures.py

Deterministic: the training corpus is generated here from fixed text and integer arithmetic (no randomness).
"""
import json
import os

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

# Qwen2's split pattern, as in Qwen/Qwen2.5-*/tokenizer.json `pre_tokenizer.pretokenizers[0].pattern.Regex`.
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
VOCAB_SIZE = 1000

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "S1EngineTests", "Fixtures", "tokenizer-bpe")

TRAINING_TEXT = [
    "The quick brown fox jumps over the lazy dog. It's what they'll say; we've seen it, I'm sure you'd agree.",
    "Let $x$ be a real number such that $x^2 + 3x - 4 = 0$. Then $x = 1$ or $x = -4$, so the answer is \\boxed{1}.",
    "\\begin{align} \\int_0^1 x^2\\,dx &= \\frac{1}{3} \\\\ \\sum_{k=1}^{n} k &= \\frac{n(n+1)}{2} \\end{align}",
    "def add(a, b):\n    return a + b\n\nfor i in range(10):\n    print(i, add(i, i * 2))\n",
    "func greet(_ name: String) -> String {\n\treturn \"Hello, \\(name)!\"\n}\n",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 12+34?<|im_end|>\n",
    "<|im_start|>assistant\n<|im_start|>think\n12+34: 2+4=6, 1+3=4. Wait, check: 46.\n<|im_start|>answer\nFinal Answer: 46<|im_end|>",
    "Ünïcödé: café, naïve, Straße, Ελληνικά, русский, 中文字符, 日本語のテキスト, 한국어, emoji 😀🎉👍🏽.",
    "Whitespace   runs\t\tand\ttabs\n\n\nand   trailing   \n  lines  ",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 123 4567 89012 3.14159 2.71828 1e-5 -17 +23 1,000,000.",
]


def training_corpus():
    lines = []
    for repeat in range(20):
        lines.extend(TRAINING_TEXT)
    # Arithmetic traces like the synthetic tasks' teacher (digits, carries, '=' and ';').
    for a in range(37, 937, 29):
        for b in range(11, 311, 53):
            lines.append(f"{a}+{b}={a + b}; {a}*{b}={a * b}; carry c{(a % 10 + b % 10) // 10};")
    return lines


TEST_CORPUS = [
    "",
    "a",
    " ",
    "Hello world",
    "Hello, world! How's it going? I'LL be THERE'S you'D",
    "The quick brown fox jumps over the lazy dog.",
    "   leading spaces and trailing spaces   ",
    "tabs\tand\ttabs\t\t\tmore",
    "line one\nline two\r\nline three\n\n\n  indented\n",
    "  \n  \n\t\n",
    "12345678901234567890",
    "3.14159 + 2.71828 = 5.85987",
    "x = -17, y = +23, z = 1e-5, w = 1,000,000",
    "$\\frac{a}{b} + \\sqrt{x^2 + y^2} = \\int_0^\\infty e^{-t}\\,dt$",
    "\\boxed{\\dfrac{14}{3}}",
    "def f(x):\n    return x ** 2  # square\n",
    "if (a && b || !c) { return a[i] >= b[j]; }",
    "café naïve Straße",
    "cafe\u0301 (decomposed e with combining acute)",
    "Ελληνικά русский 中文字符 日本語 한국어",
    "emoji 😀🎉👍🏽 and flags 🇫🇷",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "text<|im_end|>more<|endoftext|><|im_start|>think",
    "<|im_start|><|im_start|><|im_end|>",
    "almost special <|im_sta rt|> and <|im_end| and |im_end|>",
    "<|im_start|>think\n1+1=2. Wait, yes.\n<|im_start|>answer\nFinal Answer: 2<|im_end|>",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "mixed123abc456DEF!!!???...",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE",
    "quotes \"double\" and 'single' and `back`",
    "unicode spaces\u00a0nbsp\u2003em\u3000ideographic",
    "\u00a0 \u00a0",
    "a\u0300\u0301\u0302 combining",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
    "Wait",
    "\n",
    "\r\n\r\n",
]


def main():
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(training_corpus(), trainer)

    os.makedirs(OUT, exist_ok=True)
    tokenizer.save(os.path.join(OUT, "tokenizer.json"), pretty=False)

    cases = []
    for text in TEST_CORPUS:
        encoding = tokenizer.encode(text, add_special_tokens=False)
        ids = encoding.ids
        cases.append({
            "text": text,
            "ids": ids,
            "tokens": encoding.tokens,
            "decoded": tokenizer.decode(ids, skip_special_tokens=False),
        })
    # Decoding arbitrary id runs (cut multi-byte characters must become U+FFFD, as from_utf8_lossy does).
    decode_cases = []
    emoji_ids = tokenizer.encode("😀中", add_special_tokens=False).ids
    for cut in range(len(emoji_ids) + 1):
        decode_cases.append({"ids": emoji_ids[:cut], "decoded": tokenizer.decode(emoji_ids[:cut], skip_special_tokens=False)})
    for ids in ([1, 2, 3], [255, 256, 257], [120, 0, 121], [999, 998, 3, 4, 5]):
        decode_cases.append({"ids": ids, "decoded": tokenizer.decode(ids, skip_special_tokens=False)})

    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"vocab_size": tokenizer.get_vocab_size(with_added_tokens=True), "encode": cases, "decode": decode_cases},
                  f, ensure_ascii=True, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
