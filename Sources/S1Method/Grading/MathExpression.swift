// The expression tree the `math` grader evaluates. Equivalence is decided numerically (constants) or by evaluation
// at seeded random points (expressions with variables), which is what makes `(x+1)^2` equal `x^2+2x+1` without a
// computer-algebra system.

import Foundation

/// A parsed arithmetic expression.
public indirect enum MathExpression: Equatable, Sendable {
    case number(Double)
    case variable(String)
    case add(MathExpression, MathExpression)
    case subtract(MathExpression, MathExpression)
    case multiply(MathExpression, MathExpression)
    case divide(MathExpression, MathExpression)
    case power(MathExpression, MathExpression)
    case negate(MathExpression)
    case factorial(MathExpression)
    case absolute(MathExpression)
    /// `\binom{n}{k}`.
    case binomial(MathExpression, MathExpression)
    /// A named function of one argument: sin, cos, tan, ln, log (base 10), exp, sqrt, ….
    case function(String, MathExpression)
    /// `\log_{b} x`.
    case logarithm(base: MathExpression, MathExpression)

    /// The names of the free variables.
    public var variables: Set<String> {
        switch self {
        case .number: return []
        case .variable(let name): return [name]
        case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b),
             .power(let a, let b), .binomial(let a, let b), .logarithm(let a, let b):
            return a.variables.union(b.variables)
        case .negate(let a), .factorial(let a), .absolute(let a), .function(_, let a):
            return a.variables
        }
    }

    /// The value with `values` bound to the variables; NaN where undefined or a variable is unbound.
    public func evaluate(_ values: [String: Double] = [:]) -> Double {
        switch self {
        case .number(let x): return x
        case .variable(let name): return values[name] ?? .nan
        case .add(let a, let b): return a.evaluate(values) + b.evaluate(values)
        case .subtract(let a, let b): return a.evaluate(values) - b.evaluate(values)
        case .multiply(let a, let b): return a.evaluate(values) * b.evaluate(values)
        case .divide(let a, let b): return a.evaluate(values) / b.evaluate(values)
        case .power(let a, let b): return Self.power(a.evaluate(values), b.evaluate(values))
        case .negate(let a): return -a.evaluate(values)
        case .factorial(let a):
            let n = a.evaluate(values)
            return n < 0 ? .nan : Foundation.tgamma(n + 1)
        case .absolute(let a): return Swift.abs(a.evaluate(values))
        case .binomial(let n, let k):
            let (nv, kv) = (n.evaluate(values), k.evaluate(values))
            return Foundation.tgamma(nv + 1) / (Foundation.tgamma(kv + 1) * Foundation.tgamma(nv - kv + 1))
        case .logarithm(let base, let x): return Foundation.log(x.evaluate(values)) / Foundation.log(base.evaluate(values))
        case .function(let name, let a):
            let x = a.evaluate(values)
            switch name {
            case "sin": return Foundation.sin(x)
            case "cos": return Foundation.cos(x)
            case "tan": return Foundation.tan(x)
            case "sec": return 1 / Foundation.cos(x)
            case "csc": return 1 / Foundation.sin(x)
            case "cot": return 1 / Foundation.tan(x)
            case "arcsin": return Foundation.asin(x)
            case "arccos": return Foundation.acos(x)
            case "arctan": return Foundation.atan(x)
            case "sinh": return Foundation.sinh(x)
            case "cosh": return Foundation.cosh(x)
            case "tanh": return Foundation.tanh(x)
            case "ln": return Foundation.log(x)
            case "log": return Foundation.log10(x)
            case "exp": return Foundation.exp(x)
            case "sqrt": return x.squareRoot()
            default: return .nan
            }
        }
    }

    /// Real powers, including odd roots of negatives (`(-8)^{1/3} = -2`), which `pow` leaves undefined.
    static func power(_ base: Double, _ exponent: Double) -> Double {
        if base < 0, exponent != exponent.rounded() {
            let inverse = 1 / exponent
            if inverse == inverse.rounded(), Int(inverse) % 2 != 0 {
                return -Foundation.pow(-base, exponent)
            }
        }
        return Foundation.pow(base, exponent)
    }
}
