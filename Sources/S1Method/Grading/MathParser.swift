// A recursive-descent parser from LaTeX tokens to `MathExpression`, covering what final answers use: numbers,
// single-letter and Greek variables, + − · × ÷ /, implicit products, powers, \frac, \sqrt[n]{}, \binom, |·|, !,
// mixed numbers ("2\frac{1}{3}") and the common functions.

import Foundation

/// Why an answer could not be parsed as mathematics (the grader then compares normalised text).
struct MathParseError: Error, Equatable {
    var message: String
}

struct MathParser {
    private var tokens: [MathToken]
    private var position = 0
    /// Open `|…|` groups: inside one, a `|` closes instead of opening.
    private var absoluteDepth = 0
    /// Nesting of groups and signs: a model's garbage ("((((…" or "-----…") must fail, not exhaust the stack.
    private var nesting = 0
    static let maximumNesting = 64

    static let functionNames: Set<String> = [
        "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "ln", "log", "exp",
    ]
    static let greekLetters: Set<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
        "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
        "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
    ]
    /// Commands that are binary operators, never the start of a factor.
    static let operatorCommands: Set<String> = ["cdot", "times", "div", "ast"]

    init(tokens: [MathToken]) {
        self.tokens = tokens
    }

    /// Parses all tokens as one expression.
    static func parse(_ tokens: [MathToken]) throws -> MathExpression {
        guard !tokens.isEmpty else { throw MathParseError(message: "empty expression") }
        var parser = MathParser(tokens: tokens)
        let expression = try parser.parseSum()
        guard parser.position == parser.tokens.count else {
            throw MathParseError(message: "unexpected \(parser.tokens[parser.position]) at token \(parser.position)")
        }
        return expression
    }

    private var current: MathToken? { position < tokens.count ? tokens[position] : nil }

    private mutating func expect(_ symbol: Character) throws {
        guard current == .symbol(symbol) else {
            throw MathParseError(message: "expected '\(symbol)' at token \(position), found \(String(describing: current))")
        }
        position += 1
    }

    mutating func parseSum() throws -> MathExpression {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maximumNesting else { throw MathParseError(message: "nested too deeply") }
        var left = try parseProduct()
        while let token = current {
            if token == .symbol("+") {
                position += 1
                left = .add(left, try parseProduct())
            } else if token == .symbol("-") {
                position += 1
                left = .subtract(left, try parseProduct())
            } else {
                break
            }
        }
        return left
    }

    mutating func parseProduct() throws -> MathExpression {
        var left = try parseSigned()
        while let token = current {
            switch token {
            case .symbol("*"), .command("cdot"), .command("times"), .command("ast"):
                position += 1
                left = .multiply(left, try parseSigned())
            case .symbol("/"), .command("div"):
                position += 1
                left = .divide(left, try parseSigned())
            default:
                guard startsFactor(token) else { return left }
                left = .multiply(left, try parsePower())
            }
        }
        return left
    }

    mutating func parseSigned() throws -> MathExpression {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maximumNesting else { throw MathParseError(message: "nested too deeply") }
        if current == .symbol("-") {
            position += 1
            return .negate(try parseSigned())
        }
        if current == .symbol("+") {
            position += 1
            return try parseSigned()
        }
        return try parsePower()
    }

    private func startsFactor(_ token: MathToken) -> Bool {
        switch token {
        case .number, .letter: return true
        case .symbol(let c): return c == "(" || c == "[" || c == "{" || (c == "|" && absoluteDepth == 0)
        case .command(let name): return !Self.operatorCommands.contains(name) && name != "}" && name != "{"
        }
    }

    mutating func parsePower() throws -> MathExpression {
        let base = try parsePostfix()
        if current == .symbol("^") {
            position += 1
            return .power(base, try parseExponent())
        }
        return base
    }

    /// A superscript: a braced group, or one token (with an optional sign, which LaTeX would need braces for but
    /// models write anyway).
    private mutating func parseExponent() throws -> MathExpression {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maximumNesting else { throw MathParseError(message: "nested too deeply") }
        if current == .symbol("-") {
            position += 1
            return .negate(try parseExponent())
        }
        return try parseArgument()
    }

    mutating func parsePostfix() throws -> MathExpression {
        var value = try parsePrimary()
        while current == .symbol("!") {
            position += 1
            value = .factorial(value)
        }
        return value
    }

    /// A macro argument: `{expr}`, or a single token (`\frac12` reads its arguments one digit at a time).
    private mutating func parseArgument() throws -> MathExpression {
        guard let token = current else { throw MathParseError(message: "missing argument at end") }
        switch token {
        case .symbol("{"):
            position += 1
            let inner = try parseSum()
            try expect("}")
            return inner
        case .number(let digits) where digits.count > 1 && !digits.contains("."):
            tokens[position] = .number(String(digits.dropFirst()))
            return .number(Double(String(digits.first!))!)
        default:
            return try parsePostfix()
        }
    }

    private static func literal(_ digits: String) throws -> Double {
        let text = digits.hasPrefix(".") ? "0" + digits : digits
        guard let value = Double(text) else { throw MathParseError(message: "bad number \(digits)") }
        return value
    }

    /// An integer literal argument of `\frac` in a mixed number, or nil.
    private func integerArgument(at index: Int) -> (value: Double, next: Int)? {
        guard index < tokens.count else { return nil }
        if tokens[index] == .symbol("{"), index + 2 < tokens.count, case .number(let d) = tokens[index + 1],
           !d.contains("."), tokens[index + 2] == .symbol("}") {
            return (Double(d)!, index + 3)
        }
        if case .number(let d) = tokens[index], d.count == 1 { return (Double(d)!, index + 1) }
        return nil
    }

    mutating func parsePrimary() throws -> MathExpression {
        guard let token = current else { throw MathParseError(message: "expression ends early") }
        position += 1
        switch token {
        case .number(let digits):
            let value = try Self.literal(digits)
            // Mixed number "2\frac{1}{3}" = 2 + 1/3: an integer directly followed by a fraction of integer literals.
            if !digits.contains("."), current == .command("frac"),
               let numerator = integerArgument(at: position + 1),
               let denominator = integerArgument(at: numerator.next), numerator.value < denominator.value {
                position = denominator.next
                return .number(value + numerator.value / denominator.value)
            }
            return .number(value)
        case .letter(let c):
            if c == "e" { return .number(M_E) }
            return .variable(try subscripted(String(c)))
        case .symbol("("):
            let inner = try parseSum()
            try expect(")")
            return inner
        case .symbol("["):
            let inner = try parseSum()
            try expect("]")
            return inner
        case .symbol("{"):
            let inner = try parseSum()
            try expect("}")
            return inner
        case .symbol("|"):
            absoluteDepth += 1
            let inner = try parseSum()
            absoluteDepth -= 1
            try expect("|")
            return .absolute(inner)
        case .command(let name):
            return try parseCommand(name)
        default:
            throw MathParseError(message: "unexpected \(token)")
        }
    }

    /// `x_1`, `a_{n}`: the subscript becomes part of the variable's name.
    private mutating func subscripted(_ name: String) throws -> String {
        guard current == .symbol("_") else { return name }
        position += 1
        var text = ""
        if current == .symbol("{") {
            position += 1
            while let t = current, t != .symbol("}") {
                text += "\(t)"
                position += 1
            }
            try expect("}")
        } else if let t = current {
            text = "\(t)"
            position += 1
        }
        return name + "_" + text
    }

    private mutating func parseCommand(_ name: String) throws -> MathExpression {
        switch name {
        case "frac", "cfrac":
            let numerator = try parseArgument()
            return .divide(numerator, try parseArgument())
        case "binom", "dbinom", "tbinom":
            let n = try parseArgument()
            return .binomial(n, try parseArgument())
        case "sqrt":
            if current == .symbol("[") {
                position += 1
                let index = try parseSum()
                try expect("]")
                return .power(try parseArgument(), .divide(.number(1), index))
            }
            return .function("sqrt", try parseArgument())
        case "pi": return .number(Double.pi)
        case "infty", "infinity": return .number(.infinity)
        case "lvert", "vert":
            absoluteDepth += 1
            let inner = try parseSum()
            absoluteDepth -= 1
            guard current == .command("rvert") || current == .command("vert") else {
                throw MathParseError(message: "unclosed \\lvert")
            }
            position += 1
            return .absolute(inner)
        case "log" where current == .symbol("_"):
            position += 1
            let base = try parseArgument()
            return .logarithm(base: base, try functionArgument())
        case _ where Self.functionNames.contains(name):
            // `\sin^2 x` squares the value, not the argument.
            var exponent: MathExpression? = nil
            if current == .symbol("^") {
                position += 1
                exponent = try parseExponent()
            }
            let value = MathExpression.function(name, try functionArgument())
            return exponent.map { .power(value, $0) } ?? value
        case _ where Self.greekLetters.contains(name):
            return .variable(try subscripted(name))
        default:
            throw MathParseError(message: "unsupported command \\\(name)")
        }
    }

    /// `\sin(x)`, `\sin{x}`, or `\sin x` / `\ln 2` (one power-level factor).
    private mutating func functionArgument() throws -> MathExpression {
        if current == .symbol("(") {
            position += 1
            let inner = try parseSum()
            try expect(")")
            return inner
        }
        return try parsePower()
    }
}
