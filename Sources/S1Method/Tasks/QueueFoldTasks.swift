// Domains whose trace a sub-million-parameter model can execute after a few hundred steps: every line is the
// state so far, a space, and the items still to read, always `queueWidth` characters (padded with '.'). So each
// character of a line depends only on characters a fixed distance back in the line before (the state at one
// offset, the next item at another, the shifted queue at a third): attention at fixed relative positions plus a
// small table, which such a model learns quickly. (Keyed lookups, such as following links, need an induction
// circuit that takes it thousands of steps.) A direct answer must fold every item in one forward pass, which a few
// layers cannot do beyond two or three items; so thinking, not size, solves the hard instances.
import S1Engine

/// A fold over a queue of single-character items, written one line per item.
protocol QueueFoldTask: TaskGenerator {
    /// The question text before the queue field.
    var questionPrefix: String { get }
    /// The state before the first item, as the question gives it (empty when the question names none).
    func initialState(_ question: String) -> String?
    /// The state after reading `item`.
    func fold(_ state: String, _ item: Character) -> String
    /// The state `delta` steps away from `state` in the domain's cycle of values (the teacher's fault).
    func shifted(_ state: String, by delta: Int) -> String
    /// The answer a final state gives.
    func answer(_ state: String) -> String
}

/// The queue field's width: the most items a question holds.
let queueWidth = 10
let queuePad: Character = "."

extension QueueFoldTask {
    /// The question for `items` (at most `queueWidth`), the queue padded with '.' to a fixed width.
    func question(stateText: String, items: [Character]) -> String {
        questionPrefix + stateText + String(items) + String(repeating: queuePad, count: queueWidth - items.count)
    }

    /// The queue field of a question: its last `queueWidth` characters, items up to the first '.'.
    func items(_ question: String) -> [Character] {
        Array(question.suffix(queueWidth).prefix { $0 != queuePad })
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let queue = items(problem.question)
        guard var state = initialState(problem.question) else { return WorkedSolution(steps: [], answer: "") }
        var steps: [String] = []
        for (i, item) in queue.enumerated() {
            state = fold(state, item)
            if let fault, fault.step == i, fault.delta != 0 { state = shifted(state, by: fault.delta) }
            let rest = Array(queue[(i + 1)...])
            steps.append(state + " " + String(rest) + String(repeating: queuePad, count: queueWidth - rest.count))
        }
        return WorkedSolution(steps: steps, answer: answer(state))
    }

    func answer(_ state: String) -> String { state }
}

/// The compass direction after quarter turns: `Facing N, turn: LRRL......` → lines `W RRL.......`, `N RL........`, ….
/// `difficulty + 2` turns. The per-line rule is a table of eight entries; the direct answer is the turns' sum mod 4,
/// which, like parity, a few layers cannot compute over many items at once.
struct TurnsTask: QueueFoldTask {
    var domain: TaskDomain { .turns }
    var questionPrefix: String { "Facing " }
    static let directions = ["N", "E", "S", "W"]

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let start = rng.nextIndex(below: 4)
        let turns = (0..<(difficulty + 2)).map { _ in rng.nextIndex(below: 2) == 0 ? Character("L") : Character("R") }
        let end = turns.reduce(start) { ($0 + ($1 == "R" ? 1 : 3)) % 4 }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: question(stateText: Self.directions[start] + ", turn: ", items: turns),
                           answer: Self.directions[end])
    }

    func initialState(_ question: String) -> String? {
        let start = String(question.dropFirst(questionPrefix.count).prefix(1))
        return Self.directions.contains(start) ? start : nil
    }
    func fold(_ state: String, _ item: Character) -> String { shifted(state, by: item == "R" ? 1 : -1) }
    func shifted(_ state: String, by delta: Int) -> String {
        Self.directions[(((Self.directions.firstIndex(of: state) ?? 0) + delta) % 4 + 4) % 4]
    }
}

/// A position on 0–9 after unit moves: `Start 4, moves: +-++......` → lines `5 -++.......`, `4 ++........`, ….
/// `difficulty + 2` moves, drawn so the walk never leaves 0–9.
struct WalkTask: QueueFoldTask {
    var domain: TaskDomain { .walk }
    var questionPrefix: String { "Start " }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        var position = rng.nextIndex(below: 10)
        let start = position
        var moves: [Character] = []
        for _ in 0..<(difficulty + 2) {
            let up = position == 0 || (position < 9 && rng.nextIndex(below: 2) == 0)
            moves.append(up ? "+" : "-")
            position += up ? 1 : -1
        }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: question(stateText: "\(start), moves: ", items: moves), answer: "\(position)")
    }

    func initialState(_ question: String) -> String? {
        question.dropFirst(questionPrefix.count).first.flatMap(\.wholeNumberValue).map(String.init)
    }
    func fold(_ state: String, _ item: Character) -> String { "\((Int(state) ?? 0) + (item == "+" ? 1 : -1))" }
    func shifted(_ state: String, by delta: Int) -> String {
        let value = Int(state) ?? 0
        let moved = value + delta
        // Stay a single digit, and never equal the true value (a fault must change the step).
        return "\((0...9).contains(moved) ? moved : value - delta)"
    }
}

/// How many times a letter occurs: `Count b in: abbcab....` → `b:0 bbcab.....`, `b:1 bcab......`, ….
/// `difficulty + 1` letters from a–d (so the count stays one digit).
struct CountTask: QueueFoldTask {
    var domain: TaskDomain { .count }
    var questionPrefix: String { "Count " }
    static let letters = Array("abcd")

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let target = Self.letters[rng.nextIndex(below: Self.letters.count)]
        let word = (0..<(difficulty + 1)).map { _ in Self.letters[rng.nextIndex(below: Self.letters.count)] }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: question(stateText: "\(target) in: ", items: word),
                           answer: "\(word.filter { $0 == target }.count)")
    }

    func initialState(_ question: String) -> String? {
        question.dropFirst(questionPrefix.count).first.map { "\($0):0" }
    }
    func fold(_ state: String, _ item: Character) -> String {
        state.first == item ? shifted(state, by: 1) : state
    }
    func shifted(_ state: String, by delta: Int) -> String {
        guard let target = state.first, let count = Int(state.dropFirst(2)) else { return state }
        return "\(target):\(max(0, count + delta) == count ? count + abs(delta) : max(0, count + delta))"
    }
    func answer(_ state: String) -> String { String(state.dropFirst(2)) }
}
