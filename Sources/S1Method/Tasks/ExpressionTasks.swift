// Domains over small expressions: nested arithmetic with precedence, and linear equations.
import S1Engine

/// A binary expression tree over + - * and single-digit operands.
indirect enum ArithmeticTree: Equatable, Sendable {
    case number(Int)
    case operation(Character, ArithmeticTree, ArithmeticTree)

    static func precedence(_ op: Character) -> Int { op == "*" ? 2 : 1 }

    /// Infix text with only the parentheses precedence needs.
    var text: String {
        switch self {
        case let .number(n): return "\(n)"
        case let .operation(op, left, right):
            return Self.wrapped(left, under: op, right: false) + String(op) + Self.wrapped(right, under: op, right: true)
        }
    }

    private static func wrapped(_ child: ArithmeticTree, under op: Character, right: Bool) -> String {
        guard case let .operation(childOp, _, _) = child else { return child.text }
        let p = precedence(childOp), parent = precedence(op)
        // a-(b+c) and a*(b+c) need parentheses; a+(b-c) and a*(b*c) do not change value without them.
        let needs = p < parent || (right && p == parent && op == "-")
        return needs ? "(\(child.text))" : child.text
    }

    static func random(operators: Int, rng: inout CounterRNG) -> ArithmeticTree {
        if operators == 0 { return .number(rng.int(in: 1...9)) }
        let leftCount = rng.nextIndex(below: operators)
        let op = Array("+-*")[rng.nextIndex(below: 3)]
        let left = random(operators: leftCount, rng: &rng)
        let right = random(operators: operators - 1 - leftCount, rng: &rng)
        return .operation(op, left, right)
    }

    /// Parses the infix text back (left-associative, * before + and -), for the solver.
    static func parse(_ text: String) -> ArithmeticTree {
        var chars = Array(text)[...]
        return parseSum(&chars)
    }

    private static func parseSum(_ s: inout ArraySlice<Character>) -> ArithmeticTree {
        var tree = parseProduct(&s)
        while let c = s.first, c == "+" || c == "-" {
            s.removeFirst()
            tree = .operation(c, tree, parseProduct(&s))
        }
        return tree
    }

    private static func parseProduct(_ s: inout ArraySlice<Character>) -> ArithmeticTree {
        var tree = parseAtom(&s)
        while s.first == "*" {
            s.removeFirst()
            tree = .operation("*", tree, parseAtom(&s))
        }
        return tree
    }

    private static func parseAtom(_ s: inout ArraySlice<Character>) -> ArithmeticTree {
        if s.first == "(" {
            s.removeFirst()
            let tree = parseSum(&s)
            if s.first == ")" { s.removeFirst() }
            return tree
        }
        var digits = ""
        while let c = s.first, c.isNumber { digits.append(c); s.removeFirst() }
        return .number(Int(digits) ?? 0)
    }

    /// Evaluates in post-order, writing one `x op y=z` step per operation; the fault shifts one step's value.
    func evaluate(steps: inout [String], fault: TraceFault?) -> Int {
        switch self {
        case let .number(n): return n
        case let .operation(op, left, right):
            let l = left.evaluate(steps: &steps, fault: fault), r = right.evaluate(steps: &steps, fault: fault)
            let exact = op == "+" ? l + r : op == "-" ? l - r : l * r
            let value = faulted(exact, step: steps.count, fault: fault, floor: Int.min / 2)
            steps.append("\(l)\(op)\(r)=\(value)")
            return value
        }
    }
}

/// Evaluating nested arithmetic with `difficulty + 1` operators, one operation per step in precedence order.
struct ExpressionTask: TaskGenerator {
    var domain: TaskDomain { .expression }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let tree = ArithmeticTree.random(operators: difficulty + 1, rng: &rng)
        var ignored: [String] = []
        let value = tree.evaluate(steps: &ignored, fault: nil)
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Compute \(tree.text).", answer: "\(value)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let tree = ArithmeticTree.parse(String(problem.question.dropFirst("Compute ".count).dropLast()))
        var steps: [String] = []
        let value = tree.evaluate(steps: &steps, fault: fault)
        return WorkedSolution(steps: steps, answer: "\(value)")
    }
}

/// Linear equations with an integer solution: `a*x+b=c` up to difficulty 2, `a*x+b=c*x+e` above, and from
/// difficulty 5 a substitution check of both sides.
struct LinearEquationTask: TaskGenerator {
    var domain: TaskDomain { .linearEquation }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let a = rng.int(in: 2...(3 + 2 * difficulty))
        let c = difficulty <= 2 ? 0 : rng.int(in: 1...(a - 1))
        let x = rng.int(in: -(3 * difficulty)...(3 * difficulty))
        let b = rng.int(in: -(10 * difficulty)...(10 * difficulty))
        let e = (a - c) * x + b
        let right = c == 0 ? "\(e)" : "\(c)*x" + signed(e)
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: "Solve \(a)*x\(signed(b))=\(right).", answer: "\(x)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let (a, b, c, e) = Self.coefficients(problem.question)
        var steps: [String] = []
        var k = a
        if c != 0 {
            k = faulted(a - c, step: steps.count, fault: fault, floor: 1)
            steps.append("\(a)-\(c)=\(k)")
        }
        let m = faulted(e - b, step: steps.count, fault: fault, floor: Int.min / 2)
        steps.append(b >= 0 ? "\(e)-\(b)=\(m)" : "\(e)+\(-b)=\(m)")
        let x = faulted(m / k, step: steps.count, fault: fault, floor: Int.min / 2)
        steps.append("\(m)/\(k)=\(x)")
        if problem.difficulty >= 5 {
            steps.append("\(a)*\(x)\(signed(b))=\(a * x + b)")
            if c != 0 { steps.append("\(c)*\(x)\(signed(e))=\(c * x + e)") }
        }
        return WorkedSolution(steps: steps, answer: "\(x)")
    }

    /// (a, b, c, e) of `a*x+b=c*x+e` (c = 0 for the one-sided form).
    static func coefficients(_ question: String) -> (Int, Int, Int, Int) {
        let body = String(question.dropFirst("Solve ".count).dropLast())
        let sides = body.split(separator: "=").map(String.init)
        func split(_ side: String) -> (Int, Int) {
            guard let star = side.range(of: "*x") else { return (0, Int(side) ?? 0) }
            let coefficient = Int(side[..<star.lowerBound]) ?? 0
            let constant = Int(side[star.upperBound...].replacingOccurrences(of: "+", with: "")) ?? 0
            return (coefficient, constant)
        }
        let (a, b) = split(sides[0]), (c, e) = split(sides[1])
        return (a, b, c, e)
    }
}

/// `+5` / `-5`, for writing a constant after a term.
func signed(_ n: Int) -> String { n < 0 ? "\(n)" : "+\(n)" }
