// Domains whose every step is one keyed lookup plus a tiny table: the shape a sub-million-parameter model can
// execute reliably. A direct answer needs the whole chain of lookups in one forward pass, which a few layers
// cannot do beyond a hop or two; a trace needs one lookup per line. So thinking, not size, is what solves the hard
// instances: the effect budget forcing measures.
import S1Engine

/// Follow letter-to-letter links from a start until a letter with no outgoing link (`q>m`, `m>a`, …).
/// `difficulty + 1` hops; three distractor links point anywhere but are never reached from the start.
struct LinksTask: TaskGenerator {
    var domain: TaskDomain { .links }
    static let prefix = "Walk from "
    static let distractors = 3

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        var letters = Array("abcdefghijklmnopqrstuvwxyz")
        rng.shuffle(&letters)
        let hops = difficulty + 1
        let chain = Array(letters[0...hops])
        var links = (0..<hops).map { "\(chain[$0])>\(chain[$0 + 1])" }
        for i in 0..<Self.distractors {
            // A distractor may point into the chain (so targets alone do not give the path away).
            let source = letters[hops + 1 + i]
            var target = letters[rng.nextIndex(below: letters.count)]
            if target == source { target = chain[0] }
            links.append("\(source)>\(target)")
        }
        rng.shuffle(&links)
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: Self.prefix + "\(chain[0]): " + links.joined(separator: " ") + ".",
                           answer: String(chain[hops]))
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        guard let (start, table) = Self.parse(problem.question) else { return WorkedSolution(steps: [], answer: "") }
        var at = start, visited: Set<Character> = [start], steps: [String] = []
        // Bounded by the number of links: a fault can lead into a cycle, which the solver then stops at.
        while let next = table[at], steps.count <= table.count {
            var taken = next
            if let fault, fault.step == steps.count, fault.delta != 0 {
                taken = Self.shifted(next, by: fault.delta)
            }
            steps.append("\(at)>\(taken)")
            at = taken
            guard visited.insert(at).inserted else { break }
        }
        return WorkedSolution(steps: steps, answer: String(at))
    }

    /// The letter `delta` places away in the alphabet, wrapping.
    static func shifted(_ letter: Character, by delta: Int) -> Character {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        let index = alphabet.firstIndex(of: letter) ?? 0
        return alphabet[((index + delta) % 26 + 26) % 26]
    }

    /// The start letter and the link table of a question; nil when the text is not this domain's.
    static func parse(_ question: String) -> (Character, [Character: Character])? {
        guard question.hasPrefix(prefix), question.hasSuffix(".") else { return nil }
        let body = question.dropFirst(prefix.count).dropLast()
        let halves = body.split(separator: ":", maxSplits: 1)
        guard halves.count == 2, halves[0].count == 1, let start = halves[0].first else { return nil }
        var table: [Character: Character] = [:]
        for link in halves[1].split(separator: " ") {
            let parts = Array(link)
            guard parts.count == 3, parts[1] == ">", table[parts[0]] == nil else { return nil }
            table[parts[0]] = parts[2]
        }
        return (start, table)
    }
}

/// The last digit of a sum of labelled digits (`a=7 b=5 c=2`), one running total per label: `b 7+5=2`.
/// `difficulty + 2` terms; labels make each term a keyed lookup even when digits repeat.
struct TallyTask: TaskGenerator {
    var domain: TaskDomain { .tally }
    static let prefix = "Add mod 10: "
    static let labels = Array("abcdefghijklmnopqrstuvwxyz")

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let digits = (0..<(difficulty + 2)).map { _ in rng.nextIndex(below: 10) }
        let terms = digits.enumerated().map { "\(Self.labels[$0.offset])=\($0.element)" }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: Self.prefix + terms.joined(separator: " ") + ".",
                           answer: "\(digits.reduce(0, +) % 10)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let digits = Self.parse(problem.question) ?? []
        var total = 0, steps: [String] = []
        for (i, digit) in digits.enumerated() {
            var next = (total + digit) % 10
            if let fault, fault.step == i, fault.delta % 10 != 0 { next = ((next + fault.delta) % 10 + 10) % 10 }
            steps.append(i == 0 ? "\(Self.labels[0])=\(next)" : "\(Self.labels[i]) \(total)+\(digit)=\(next)")
            total = next
        }
        return WorkedSolution(steps: steps, answer: "\(total)")
    }

    /// The digits in label order; nil when the text is not this domain's or labels are out of order.
    static func parse(_ question: String) -> [Int]? {
        guard question.hasPrefix(prefix), question.hasSuffix(".") else { return nil }
        var digits: [Int] = []
        for (i, term) in question.dropFirst(prefix.count).dropLast().split(separator: " ").enumerated() {
            let parts = Array(term)
            guard i < labels.count, parts.count == 3, parts[0] == labels[i], parts[1] == "=",
                  let digit = parts[2].wholeNumberValue else { return nil }
            digits.append(digit)
        }
        return digits.isEmpty ? nil : digits
    }
}
