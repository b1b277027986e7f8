// The multiple-choice domain (GPQA-like shuffled options A–D) and weekday arithmetic.
import S1Engine

/// Which of four shuffled fractions is largest, by cross-multiplying against the running best
/// (`AB 3*9=27 5*7=35 B`); denominators grow with difficulty.
struct FractionChoiceTask: TaskGenerator {
    var domain: TaskDomain { .fractionChoice }
    static let letters = Array("ABCD")

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        var fractions: [(Int, Int)] = []
        // Distinct values, so that exactly one option is largest.
        while fractions.count < 4 {
            let q = rng.int(in: 2...(3 + 3 * difficulty)), p = rng.int(in: 1...(q - 1))
            if !fractions.contains(where: { $0.0 * q == p * $0.1 }) { fractions.append((p, q)) }
        }
        rng.shuffle(&fractions)
        let options = fractions.map { "\($0.0)/\($0.1)" }
        let best = fractions.indices.max { fractions[$0].0 * fractions[$1].1 < fractions[$1].0 * fractions[$0].1 }!
        let listed = options.indices.map { "\(Self.letters[$0]))\(options[$0])" }.joined(separator: " ")
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Largest: \(listed)",
                           answer: String(Self.letters[best]), options: options)
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let fractions = Self.options(problem.question)
        var best = 0, steps: [String] = []
        for i in 1..<fractions.count {
            let (pb, qb) = fractions[best], (pi, qi) = fractions[i]
            let left = faulted(pb * qi, step: i - 1, fault: fault), right = pi * qb
            let winner = right > left ? i : best
            steps.append("\(Self.letters[best])\(Self.letters[i]) \(pb)*\(qi)=\(left) \(pi)*\(qb)=\(right) "
                         + String(Self.letters[winner]))
            best = winner
        }
        return WorkedSolution(steps: steps, answer: String(Self.letters[best]))
    }

    static func options(_ question: String) -> [(Int, Int)] {
        question.dropFirst("Largest: ".count).split(separator: " ").map { option in
            let parts = option.dropFirst(2).split(separator: "/")
            return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 1)
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
