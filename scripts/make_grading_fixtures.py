#!/usr/bin/env python3
"""Records math-verify's verdicts on a hand-written corpus of (prediction, gold) answer pairs.

The Swift `math` grader is checked against these verdicts (Tests/S1MethodTests/GradingMathAgreementTests.swift).
Every pair is written by us for this purpose (no benchmark text). Both sides are wrapped in `\\boxed{...}` before
parsing because the Swift grader receives the content of the last `\\boxed{}` after extraction, and boxed content is
math-verify's primary extraction target.

Usage: /work/venv-eval/bin/pip install math-verify
       /work/venv-eval/bin/python scripts/make_grading_fixtures.py
Writes Tests/S1MethodTests/Fixtures/grading_math_pairs.jsonl (one {"category","pred","gold","math_verify"} per line,
first line a header with the library versions).
"""
import itertools
import json
import os
from importlib.metadata import version

from math_verify import parse, verify

# Groups of answers that mean the same thing. Pairs inside a group are expected-equal, pairs across groups of the
# same category expected-different; math-verify's verdict, not our expectation, is what gets recorded.
GROUPS = {
    "integer": [
        ["42", "042", "42.0", "42.", " 42 ", "+42"],
        ["-7", "-07", "-7.00", "- 7"],
        ["1000", "1{,}000", "10^3", "1000.0"],
        ["0", "-0", "0.0"],
    ],
    "fraction": [
        ["\\frac{1}{2}", "0.5", "\\dfrac{1}{2}", "\\tfrac{1}{2}", "1/2", "\\frac12", "\\frac{2}{4}", ".5"],
        ["\\frac{3}{4}", "0.75", "\\dfrac{3}{4}", "3/4", "\\frac{6}{8}"],
        ["-\\frac{3}{4}", "\\frac{-3}{4}", "-0.75", "-3/4", "\\frac{3}{-4}"],
        ["\\frac{1}{3}", "\\dfrac{1}{3}", "1/3", "\\frac{2}{6}"],
        ["\\frac{7}{3}", "2\\frac{1}{3}", "\\frac{14}{6}"],
        ["\\frac{5}{2}", "2.5", "2\\frac{1}{2}", "\\dfrac52"],
    ],
    "decimal": [
        ["0.125", "\\frac{1}{8}", "1.25\\times10^{-1}", "0.1250"],
        ["3.14", "3.140"],
        ["1500", "1.5\\times 10^3", "1.5 \\times 10^{3}", "1.5\\cdot10^{3}", "15\\times10^2"],
        ["0.0004", "4\\times10^{-4}", "\\frac{1}{2500}"],
        ["2.7182818", "2.71828180"],
    ],
    "sqrt": [
        ["\\sqrt{2}", "\\sqrt2", "2^{1/2}", "\\frac{2}{\\sqrt{2}}"],
        ["\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", "\\dfrac{\\sqrt2}{2}", "\\frac{\\sqrt{8}}{4}"],
        ["2\\sqrt{3}", "\\sqrt{12}", "2 \\sqrt{3}", "2\\cdot\\sqrt{3}"],
        ["\\sqrt[3]{8}", "2.0"],
        ["3+\\sqrt{5}", "\\sqrt{5}+3"],
        ["\\frac{1+\\sqrt{5}}{2}", "\\frac{\\sqrt{5}+1}{2}", "\\frac{1}{2}+\\frac{\\sqrt{5}}{2}"],
        ["5\\sqrt{2}", "\\sqrt{50}"],
    ],
    "pi": [
        ["2\\pi", "2 \\pi", "\\pi \\cdot 2", "\\frac{4\\pi}{2}"],
        ["\\frac{\\pi}{2}", "\\dfrac{\\pi}{2}", "\\frac{1}{2}\\pi", "0.5\\pi"],
        ["\\frac{3\\pi}{4}", "\\frac{3}{4}\\pi", "0.75\\pi"],
        ["4\\pi", "4 \\pi"],
        ["\\pi^2", "\\pi\\cdot\\pi"],
    ],
    "decoration": [
        ["30", "30^\\circ", "30^{\\circ}", "30 ^\\circ"],
        ["50", "50\\%", "50 \\%"],
        ["12", "\\$12", "12\\text{ cm}", "12 \\text{ inches}", "\\text{12}", "12\\,\\text{m}"],
        ["7.5", "\\$7.50", "7.50"],
        ["100", "100\\text{ dollars}", "\\$100"],
    ],
    "spacing": [
        ["\\frac{1}{2}", "\\frac {1} {2}", "\\left(\\frac{1}{2}\\right)", "\\!\\frac{1}{2}"],
        ["3x", "3 x", "3\\,x", "3\\cdot x"],
        ["x+1", "x + 1", "1+x", "\\left(x+1\\right)"],
    ],
    "tuple": [
        ["(1,2)", "(1, 2)", "\\left(1,2\\right)", "(1.0, 2)", "\\left( 1, 2 \\right)"],
        ["(2,1)", "(2, 1)"],
        ["(1,2,3)", "(1, 2, 3)"],
        ["(\\frac{1}{2}, -3)", "(0.5,-3)", "\\left(\\dfrac12,-3\\right)"],
        ["(0,0)", "(0, 0)"],
        ["(3,-1)", "\\left(3, -1\\right)"],
    ],
    "interval": [
        ["[1,2)", "[1, 2)", "\\left[1,2\\right)"],
        ["(1,2]", "(1, 2]"],
        ["[1,2]", "[1, 2]", "\\left[1,2\\right]"],
        ["(0,\\infty)", "(0, \\infty)", "\\left(0,\\infty\\right)"],
        ["(-\\infty,3]", "(-\\infty, 3]"],
        ["(-\\infty,3)", "(-\\infty, 3)"],
        ["[-1,1]", "[-1, 1]"],
        ["(-\\infty,0)\\cup(1,\\infty)", "(-\\infty, 0) \\cup (1, \\infty)"],
    ],
    "set": [
        ["\\{1,2,3\\}", "\\{3,2,1\\}", "\\{1, 2, 3\\}", "\\{2,1,3\\}"],
        ["\\{1,2\\}", "\\{2, 1\\}"],
        ["1,2,3", "3,2,1", "1, 2, 3"],
        ["\\{-1,4\\}", "\\{4,-1\\}", "-1,4", "4, -1"],
        ["\\{0\\}", "0"],
    ],
    "polynomial": [
        ["x^2+2x+1", "(x+1)^2", "x^2 + 2x + 1", "1+2x+x^2", "(1+x)^2"],
        ["x^2-1", "(x-1)(x+1)", "(x+1)(x-1)", "-1+x^2"],
        ["2x+3", "3+2x", "2 x + 3", "x+x+3"],
        ["x^3", "x\\cdot x^2", "x \\cdot x \\cdot x"],
        ["3x^2-5x+2", "(3x-2)(x-1)", "2-5x+3x^2"],
        ["\\frac{x}{2}", "\\frac{1}{2}x", "0.5x", "x/2"],
        ["a^2-b^2", "(a-b)(a+b)", "(a+b)(a-b)"],
        ["2a+b", "b+2a", "a+b+a"],
        ["4x^2", "(2x)^2", "2x\\cdot 2x"],
    ],
    "equation": [
        ["5", "x=5", "x = 5"],
        ["-2", "y=-2"],
        ["2x+1", "y=2x+1", "y = 1 + 2x"],
        ["12", "n=12", "k = 12"],
    ],
    "text": [
        ["\\text{Yes}", "Yes", "\\text{yes}"],
        ["\\text{No}", "No"],
    ],
    "function": [
        ["\\sin(x)", "\\sin x"],
        ["\\ln 2", "\\ln(2)", "\\log(2)"],
        ["e^2", "e^{2}", "\\exp(2)"],
        ["\\cos(0)", "1"],
    ],
}

# Single pairs that groups cannot express (near misses, tolerance, formatting traps).
EXTRA = [
    ("numeric", "0.333", "\\frac{1}{3}"),
    ("numeric", "0.3333333", "\\frac{1}{3}"),
    ("numeric", "0.6667", "\\frac{2}{3}"),
    ("numeric", "3.1416", "\\pi"),
    ("numeric", "3.14159265", "\\pi"),
    ("numeric", "1.414", "\\sqrt{2}"),
    ("numeric", "1.41421356", "\\sqrt{2}"),
    ("numeric", "2.000001", "2"),
    ("numeric", "100.5", "100"),
    ("numeric", "1e3", "1000"),
    ("numeric", "12,345", "12345"),
    ("numeric", "1,234,567", "1234567"),
    ("numeric", "999", "1000"),
    ("numeric", "-1", "1"),
    ("numeric", "\\frac{1}{2}", "\\frac{1}{3}"),
    ("numeric", "\\sqrt{3}", "\\sqrt{2}"),
    ("numeric", "\\infty", "\\infty"),
    ("numeric", "-\\infty", "\\infty"),
    ("numeric", "0.5", "50\\%"),
    ("numeric", "\\frac{1}{4}", "25\\%"),
    ("numeric", "42.", "42"),
    ("numeric", "6.02\\times10^{23}", "6.02\\times10^{23}"),
    ("numeric", "6.02\\times10^{23}", "6.03\\times10^{23}"),
    ("numeric", "10^{-3}", "0.001"),
    ("numeric", "2^{10}", "1024"),
    ("numeric", "3!", "6"),
    ("numeric", "\\binom{5}{2}", "10"),
    ("numeric", "\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"),
    ("numeric", "\\sqrt{\\frac{1}{4}}", "\\frac{1}{2}"),
    ("numeric", "|-3|", "3"),
    ("tuple", "(1,2)", "(1,2,3)"),
    ("tuple", "(1,2)", "[1,2]"),
    ("tuple", "(1,2)", "\\{1,2\\}"),
    ("interval", "[1,2)", "(1,2]"),
    ("interval", "[1,2)", "[1,2]"),
    ("interval", "(0,\\infty)", "[0,\\infty)"),
    ("interval", "(-\\infty,3]", "(-\\infty,3)"),
    ("interval", "x>0", "(0,\\infty)"),
    ("interval", "x \\geq 2", "[2,\\infty)"),
    ("set", "\\{1,2\\}", "\\{1,2,3\\}"),
    ("set", "\\{1,2\\}", "\\{1,3\\}"),
    ("set", "\\{1,1,2\\}", "\\{1,2\\}"),
    ("polynomial", "x^2+2x+1", "x^2+2x+2"),
    ("polynomial", "x^2", "x^3"),
    ("polynomial", "2x+3", "3x+2"),
    ("polynomial", "(x+1)^2", "x^2+1"),
    ("polynomial", "x^2-1", "(x-1)^2"),
    ("polynomial", "a+b", "a-b"),
    ("polynomial", "x", "y"),
    ("polynomial", "\\frac{x+1}{2}", "\\frac{x}{2}+\\frac{1}{2}"),
    ("polynomial", "\\frac{1}{x}", "x^{-1}"),
    ("polynomial", "\\frac{x^2-1}{x-1}", "x+1"),
    ("equation", "x=5", "y=5"),
    ("equation", "x=5", "x=6"),
    ("equation", "y=2x+1", "y=2x-1"),
    ("decoration", "5\\text{ cm}", "6"),
    ("decoration", "90^\\circ", "\\frac{\\pi}{2}"),
    ("decoration", "\\$5.00", "5"),
    ("decoration", "10\\%", "10"),
    ("decoration", "\\text{(A)}", "A"),
    ("spacing", "\\frac{1}{2}.", "\\frac{1}{2}"),
    ("spacing", "x+1.", "x+1"),
    ("text", "\\text{Yes}", "\\text{No}"),
    ("text", "\\text{even}", "\\text{odd}"),
    ("mixed", "1\\frac{1}{2}", "1.5"),
    ("mixed", "3\\frac{3}{4}", "3.75"),
    ("mixed", "1\\frac{1}{2}", "\\frac{1}{2}"),
]

# Forms common in competition answers: matrices/vectors, symbolic fractions, equations of curves, lists of tuples,
# letter choices in \text{}, subscripted bases, repeating decimals.
EXTRA += [
    ("matrix", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
    ("matrix", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}"),
    ("matrix", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}"),
    ("matrix", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}"),
    ("matrix", "\\begin{pmatrix} \\frac{1}{2} \\\\ -1 \\end{pmatrix}", "\\begin{pmatrix} 0.5 \\\\ -1 \\end{pmatrix}"),
    ("base", "1011_2", "1011_2"),
    ("base", "1011_2", "11"),
    ("symbolic", "\\frac{2a}{4}", "\\frac{a}{2}"),
    ("symbolic", "\\frac{1}{\\sqrt{x}}", "x^{-1/2}"),
    ("symbolic", "2^{x+1}", "2\\cdot 2^x"),
    ("symbolic", "a\\sqrt{b}", "\\sqrt{b}a"),
    ("symbolic", "2\\pi r", "2r\\pi"),
    ("symbolic", "\\frac{\\sqrt{2}}{2}a", "\\frac{a}{\\sqrt{2}}"),
    ("symbolic", "\\frac{a+b}{c}", "\\frac{a}{c}+\\frac{b}{c}"),
    ("symbolic", "\\frac{a+b}{c}", "\\frac{a}{c}+b"),
    ("equation", "y = -\\frac{1}{2}x + 3", "y=3-\\frac{x}{2}"),
    ("equation", "x^2+y^2=1", "y^2+x^2=1"),
    ("equation", "x^2+y^2=1", "x^2+y^2=2"),
    ("equation", "y=x^2", "y = x \\cdot x"),
    ("numeric", "\\frac{9}{\\sqrt{3}}", "3\\sqrt{3}"),
    ("numeric", "\\frac{3}{2}", "1.5"),
    ("numeric", "1.5", "\\frac{3}{2}"),
    ("numeric", "10^{10}", "10000000000"),
    ("numeric", "2.5\\times10^{-3}", "0.0025"),
    ("numeric", "3.0 \\times 10^8", "300000000"),
    ("numeric", "3.0 \\times 10^8", "30000000"),
    ("numeric", "5.0\\%", "5\\%"),
    ("numeric", "\\frac{1}{2}\\sqrt{3}", "\\frac{\\sqrt{3}}{2}"),
    ("numeric", "\\dfrac{5\\sqrt{2}}{2}", "\\frac{5}{\\sqrt{2}}"),
    ("numeric", "\\sqrt{3}/3", "\\frac{\\sqrt3}{3}"),
    ("numeric", "1/\\sqrt{3}", "\\frac{\\sqrt3}{3}"),
    ("numeric", "-\\frac{1}{2}", "\\frac{1}{2}"),
    ("numeric", "\\frac{10}{4}", "\\frac52"),
    ("numeric", "0.\\overline{3}", "\\frac{1}{3}"),
    ("numeric", "\\sqrt{2}+\\sqrt{3}", "\\sqrt{3}+\\sqrt{2}"),
    ("numeric", "\\sqrt{2}\\cdot\\sqrt{3}", "\\sqrt{6}"),
    ("numeric", "\\frac{\\pi}{6}", "30"),
    ("numeric", "2^{-1}", "\\frac12"),
    ("numeric", "(-2)^3", "-8"),
    ("numeric", "-2^2", "-4"),
    ("numeric", "-2^2", "4"),
    ("text", "\\text{(C)}", "C"),
    ("text", "\\textbf{(B)}", "B"),
    ("text", "(B)", "(C)"),
    ("text", "\\text{Monday}", "Monday"),
    ("text", "\\text{north}", "\\text{North}"),
    ("text", "\\text{Monday}", "\\text{Tuesday}"),
    ("set", "\\{1, 2\\} ", "\\{1,2\\}"),
    ("tuple", "(1,2),(3,4)", "(3,4),(1,2)"),
    ("tuple", "(1,2),(3,4)", "(1,2),(3,5)"),
    ("tuple", "(1, 2, 3)", "(1, 2, 4)"),
    ("polynomial", "x^2+x", "x(x+1)"),
    ("polynomial", "\\frac{x^2+2x+1}{x+1}", "x+1"),
    ("polynomial", "(x-2)^2(x+1)", "x^3-3x^2+4"),
    ("polynomial", "6x^2-x-2", "(2x+1)(3x-2)"),
    ("polynomial", "6x^2-x-2", "(2x-1)(3x+2)"),
    ("polynomial", "x^4-1", "(x^2+1)(x+1)(x-1)"),
    ("polynomial", "x^4-1", "(x^2+1)(x-1)^2"),
    ("polynomial", "-x+1", "1-x"),
    ("polynomial", "-(x-1)", "1-x"),
    ("polynomial", "\\frac{1}{2}x^2", "\\frac{x^2}{2}"),
    ("decoration", "\\$18.90", "18.90"),
    ("decoration", "18.9", "\\$18.90"),
    ("decoration", "45^\\circ", "45"),
    ("decoration", "60^{\\circ}", "\\frac{\\pi}{3}"),
    ("decoration", "3\\text{ units}^2", "3"),
    ("decoration", "5\\text{ m}^2", "5"),
    ("spacing", "2 , 3", "2,3"),
    ("spacing", "\\frac{1}{2}\\,\\text{cm}", "0.5"),
    ("spacing", "\\left\\{1,2\\right\\}", "\\{1,2\\}"),
    ("spacing", "\\left[0,1\\right)", "[0,1)"),
]


def pairs():
    out = []
    for category, groups in GROUPS.items():
        for group in groups:
            for a, b in itertools.combinations(group, 2):
                out.append((category, a, b))
        # Negatives: the first member of each group against the first of the next group.
        for g1, g2 in zip(groups, groups[1:] + groups[:1]):
            if g1 is not g2:
                out.append((category, g1[0], g2[0]))
                out.append((category, g1[-1], g2[-1]))
    out.extend(EXTRA)
    seen = set()
    unique = []
    for p in out:
        if p[1:] not in seen:
            seen.add(p[1:])
            unique.append(p)
    return unique


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "S1MethodTests", "Fixtures", "grading_math_pairs.jsonl")
    lines = [json.dumps({"generator": "scripts/make_grading_fixtures.py", "math_verify": version("math-verify"),
                         "sympy": version("sympy"), "latex2sympy2_extended": version("latex2sympy2_extended"),
                         "wrapping": "\\boxed{...}", "call": "verify(parse(gold), parse(pred))"}, sort_keys=True)]
    agree_expected = 0
    all_pairs = pairs()
    for category, pred, gold in all_pairs:
        g = parse("\\boxed{" + gold + "}")
        p = parse("\\boxed{" + pred + "}")
        verdict = bool(verify(g, p))
        lines.append(json.dumps({"category": category, "pred": pred, "gold": gold, "math_verify": verdict},
                                sort_keys=True, ensure_ascii=False))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(all_pairs)} pairs to {path}")


if __name__ == "__main__":
    main()
