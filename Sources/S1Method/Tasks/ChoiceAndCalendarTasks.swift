// The multiple-choice domain (GPQA-like shuffled options A–D) and weekday arithmetic.
import S1Engine

/// Which of four shuffled options is largest, by cross-multiplying against the running best
/// (`AB 3*9=27 5*7=35 B`). From difficulty 5 each option is a sum of two fractions, first combined over the
/// product of the denominators (`A 1/3+1/4=7/12`); denominators grow with difficulty.
struct FractionChoiceTask: TaskGenerator {
    var domain: TaskDomain { .fractionChoice }
    static let letters = Array("ABCD")

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let terms = difficulty >= 5 ? 2 : 1
        let largest = terms == 2 ? 3 + difficulty : 3 + 3 * difficulty
        var options: [String] = [], values: [(Int, Int)] = []
        // Distinct values, so that exactly one option is largest.
        while options.count < 4 {
            let parts = (0..<terms).map { _ -> (Int, Int) in
                let q = rng.int(in: 2...largest)
                return (rng.int(in: 1...(q - 1)), q)
            }
            let value = Self.combined(parts)
            if !values.contains(where: { $0.0 * value.1 == value.0 * $0.1 }) {
                values.append(value)
                options.append(parts.map { "\($0.0)/\($0.1)" }.joined(separator: "+"))
            }
        }
        var order = Array(0..<4)
        rng.shuffle(&order)
        options = order.map { options[$0] }
        values = order.map { values[$0] }
        let best = values.indices.max { values[$0].0 * values[$1].1 < values[$1].0 * values[$0].1 }!
        let listed = options.indices.map { "\(Self.letters[$0]))\(options[$0])" }.joined(separator: " ")
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Largest: \(listed)",
                           answer: String(Self.letters[best]), options: options)
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let options = Self.options(problem.question)
        var steps: [String] = [], values: [(Int, Int)] = []
        for (i, parts) in options.enumerated() {
            guard parts.count > 1 else { values.append(parts[0]); continue }
            let exact = Self.combined(parts)
            let value = (faulted(exact.0, step: steps.count, fault: fault), exact.1)
            steps.append("\(Self.letters[i]) " + parts.map { "\($0.0)/\($0.1)" }.joined(separator: "+")
                         + "=\(value.0)/\(value.1)")
            values.append(value)
        }
        var best = 0
        for i in 1..<values.count {
            let (pb, qb) = values[best], (pi, qi) = values[i]
            let left = faulted(pb * qi, step: steps.count, fault: fault), right = pi * qb
            let winner = right > left ? i : best
            steps.append("\(Self.letters[best])\(Self.letters[i]) \(pb)*\(qi)=\(left) \(pi)*\(qb)=\(right) "
                         + String(Self.letters[winner]))
            best = winner
        }
        return WorkedSolution(steps: steps, answer: String(Self.letters[best]))
    }

    /// A sum of fractions over the product of the denominators (unreduced, as the trace writes it).
    static func combined(_ parts: [(Int, Int)]) -> (Int, Int) {
        parts.dropFirst().reduce(parts[0]) { ($0.0 * $1.1 + $1.0 * $0.1, $0.1 * $1.1) }
    }

    /// Each option's fractions, in letter order.
    static func options(_ question: String) -> [[(Int, Int)]] {
        question.dropFirst("Largest: ".count).split(separator: " ").map { option in
            option.dropFirst(2).split(separator: "+").map { fraction in
                let parts = fraction.split(separator: "/")
                return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 1)
            }
        }
    }
}

/// The weekday after `difficulty` jumps of 8–99 days, reducing each jump mod 7 (`45%7=3 Mon+3=Thu`).
struct WeekdayTask: TaskGenerator {
    var domain: TaskDomain { .weekday }
    static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let start = rng.nextIndex(below: 7)
        let jumps = (0..<difficulty).map { _ in rng.int(in: 8...99) }
        let end = (start + jumps.reduce(0, +)) % 7
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: "Weekday of " + ([Self.days[start]] + jumps.map(String.init)).joined(separator: "+") + "?",
                           answer: Self.days[end])
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let terms = problem.question.dropFirst("Weekday of ".count).dropLast().split(separator: "+")
        var day = Self.days.firstIndex(of: String(terms[0])) ?? 0, steps: [String] = []
        for (i, term) in terms.dropFirst().enumerated() {
            let jump = Int(term) ?? 0
            let reduced = faulted(jump % 7, step: i, fault: fault)
            let next = (day + reduced) % 7
            steps.append("\(jump)%7=\(reduced) \(Self.days[day])+\(reduced)=\(Self.days[next])")
            day = next
        }
        return WorkedSolution(steps: steps, answer: Self.days[day])
    }
}
