// LaTeX answer equivalence in the spirit of math-verify (rule-based, offline): normalise, parse into a shape
// (expression, equation, tuple/interval, union, set, words), then compare element-wise, numbers numerically
// and expressions with variables by evaluation at seeded random points.

import S1Engine

/// The `math` grader.
public struct MathGrader: AnswerGrader {
    public var kind: GraderKind { .math }
    /// Root of the evaluation points for expressions with variables (CounterRNG), so verdicts are reproducible.
    public var seed: UInt64
    /// Points at which expressions with variables are compared.
    public var evaluationPoints: Int

    public init(seed: UInt64 = 0x5EED_6A7E, evaluationPoints: Int = 8) {
        self.seed = seed
        self.evaluationPoints = evaluationPoints
    }

    public func isEquivalent(answer: String, gold: String, options: [String] = []) -> Bool {
        let a = MathNormalization.normalize(answer)
        let g = MathNormalization.normalize(gold)
        guard let pa = try? MathAnswer.parse(a.text), let pg = try? MathAnswer.parse(g.text) else {
            // Not mathematics we parse: equal normalised text is the only evidence.
            return !a.text.isEmpty && ExactGrader.normalized(a.text) == ExactGrader.normalized(g.text)
        }
        if equivalent(pa, pg) { return true }
        // "50\%" matches both 50 and 0.5 (math-verify accepts either reading).
        if a.isPercent != g.isPercent {
            let scaled = a.isPercent ? scaledByHundredth(pa) : scaledByHundredth(pg)
            return a.isPercent ? equivalent(scaled, pg) : equivalent(pa, scaled)
        }
        return false
    }

    private func scaledByHundredth(_ answer: MathAnswer) -> MathAnswer {
        if case .expression(let e) = answer { return .expression(.divide(e, .number(100))) }
        return answer
    }

    /// Structural equivalence of two parsed answers.
    func equivalent(_ a: MathAnswer, _ b: MathAnswer) -> Bool {
        switch (a, b) {
        case let (.expression(x), .expression(y)):
            return equivalent(x, y)
        case let (.text(x), .text(y)):
            return x == y
        case let (.equation(l1, r1), .equation(l2, r2)):
            return equivalent(l1, l2) && equivalent(r1, r2)
        case let (.equation(lhs, rhs), .expression(y)), let (.expression(y), .equation(lhs, rhs)):
            // "x = 5" answers "5" when the left side is a lone variable.
            guard case .variable = lhs else { return false }
            return equivalent(rhs, y)
        case let (.bracketed(o1, xs, c1), .bracketed(o2, ys, c2)):
            return o1 == o2 && c1 == c2 && xs.count == ys.count && zip(xs, ys).allSatisfy { equivalent($0, $1) }
        case let (.union(xs), .union(ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { equivalent($0, $1) }
        case let (.set(xs), .set(ys)):
            return sameSet(xs, ys)
        case let (.set(xs), .bracketed("(", ys, ")")), let (.bracketed("(", ys, ")"), .set(xs)):
            // math-verify lets a tuple match the set of its elements.
            return sameSet(xs, ys)
        case let (.matrix(xs), .matrix(ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { r1, r2 in
                r1.count == r2.count && zip(r1, r2).allSatisfy { equivalent($0, $1) }
            }
        case let (.collection(xs), .collection(ys)):
            return xs.allSatisfy { x in ys.contains { equivalent(x, $0) } } && ys.allSatisfy { y in xs.contains { equivalent($0, y) } }
        case let (.set(xs), .expression(y)), let (.expression(y), .set(xs)):
            return !xs.isEmpty && xs.allSatisfy { equivalent($0, y) }
        default:
            return false
        }
    }

    private func sameSet(_ xs: [MathExpression], _ ys: [MathExpression]) -> Bool {
        xs.allSatisfy { x in ys.contains { equivalent(x, $0) } } && ys.allSatisfy { y in xs.contains { equivalent($0, y) } }
    }

    /// Numeric equality for constants; agreement at seeded random points for expressions with variables.
    public func equivalent(_ a: MathExpression, _ b: MathExpression) -> Bool {
        let names = a.variables.union(b.variables).sorted()
        if names.isEmpty {
            return Self.numbersMatch(a.evaluate(), b.evaluate())
        }
        var compared = 0
        for point in 0..<evaluationPoints {
            var rng = CounterRNG(key: CounterRNG.derive(seed, UInt64(point)))
            var values: [String: Double] = [:]
            // Points in [0.5, 2.5): away from 0 and 1, where distinct polynomials often coincide.
            for name in names { values[name] = 0.5 + 2 * rng.nextUnit() }
            let (x, y) = (a.evaluate(values), b.evaluate(values))
            if !x.isFinite || !y.isFinite {
                if x.isNaN && y.isNaN { continue }
                if x != y { return false }
                continue
            }
            guard Self.closeAtPoint(x, y) else { return false }
            compared += 1
        }
        return compared >= (evaluationPoints + 1) / 2
    }

    /// math-verify's default: equal after rounding to 6 decimals, or within a relative 1e-9 for large values.
    public static func numbersMatch(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return false }
        if a.isInfinite || b.isInfinite { return a == b }
        if a == b { return true }
        if Swift.abs(a - b) <= 1e-9 * max(Swift.abs(a), Swift.abs(b)) { return true }
        return (a * 1e6).rounded() == (b * 1e6).rounded()
    }

    /// Evaluation points carry rounding error from different evaluation orders, so a relative tolerance.
    static func closeAtPoint(_ a: Double, _ b: Double) -> Bool {
        Swift.abs(a - b) <= 1e-9 * max(1, Swift.abs(a), Swift.abs(b))
    }
}
