// Domains solved by repeated division: Euclid's GCD and base conversion.
import S1Engine

/// GCD of two numbers with `difficulty / 2 + 2` digits by Euclid's algorithm, one `a%b=r` step per division.
struct GCDTask: TaskGenerator {
    var domain: TaskDomain { .gcd }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let digits = difficulty / 2 + 2
        // A shared factor makes the answer interesting (not almost always 1).
        let factor = rng.int(in: 2...(digits * 6))
        let low = power10(digits - 1) / factor + 1, high = (power10(digits) - 1) / factor
        var a = factor * rng.int(in: low...high), b = factor * rng.int(in: low...high)
        if a == b { b = factor * (b / factor == low ? high : low) }
        if a < b { swap(&a, &b) }
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Find gcd(\(a),\(b)).",
                           answer: "\(Self.gcd(a, b))")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let (first, second) = Self.parse(problem.question)
        var a = first, b = second, steps: [String] = [], i = 0
        while b > 0 {
            var r = faulted(a % b, step: i, fault: fault)
            if r >= b { r = r % b }  // a shifted remainder is still a remainder, so Euclid terminates
            steps.append("\(a)%\(b)=\(r)")
            (a, b) = (b, r)
            i += 1
        }
        return WorkedSolution(steps: steps, answer: "\(a)")
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    static func parse(_ question: String) -> (Int, Int) {
        let inner = question.dropFirst("Find gcd(".count).dropLast(2)
        let parts = inner.split(separator: ",")
        return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 0)
    }
}

/// A decimal number with `difficulty / 2 + 2` digits written in base 2–9, by repeated division (`45/3=15 r0`).
struct BaseConversionTask: TaskGenerator {
    var domain: TaskDomain { .baseConversion }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let n = rng.number(digits: difficulty / 2 + 2), base = rng.int(in: 2...9)
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Write \(n) in base \(base).",
                           answer: String(n, radix: base))
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let words = problem.question.dropLast().split(separator: " ")
        var n = Int(words[1]) ?? 0
        let base = Int(words[4]) ?? 2
        var steps: [String] = [], digits: [Int] = [], i = 0
        repeat {
            let q = faulted(n / base, step: i, fault: fault)
            steps.append("\(n)/\(base)=\(q) r\(n % base)")
            digits.append(n % base)
            // A quotient shifted upwards must still shrink, or the division would never end.
            n = q < n ? q : n / base
            i += 1
        } while n > 0
        return WorkedSolution(steps: steps, answer: digits.reversed().map(String.init).joined())
    }
}

/// Sorting `difficulty + 2` two-digit numbers by repeatedly taking the minimum (`min(53,12,87)=12`).
struct SortingTask: TaskGenerator {
    var domain: TaskDomain { .sorting }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let values = (0..<(difficulty + 2)).map { _ in rng.int(in: 10...99) }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: "Sort " + values.map(String.init).joined(separator: " ") + ".",
                           answer: values.sorted().map(String.init).joined(separator: " "))
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        var rest = problem.question.dropFirst("Sort ".count).dropLast().split(separator: " ").map { Int($0) ?? 0 }
        var steps: [String] = [], picked: [Int] = [], i = 0
        while !rest.isEmpty {
            let ascending = rest.sorted()
            var pick = ascending[0]
            // The faulty step takes a later element in sorted order instead of the minimum.
            if let fault, fault.step == i, ascending.count > 1 {
                pick = ascending[min(abs(fault.delta), ascending.count - 1)]
            }
            steps.append("min(" + rest.map(String.init).joined(separator: ",") + ")=\(pick)")
            rest.remove(at: rest.firstIndex(of: pick)!)
            picked.append(pick)
            i += 1
        }
        return WorkedSolution(steps: steps, answer: picked.map(String.init).joined(separator: " "))
    }
}

/// Counting one letter in a random word of `2·difficulty + 3` letters from a–f, one running count per letter.
struct LetterCountTask: TaskGenerator {
    var domain: TaskDomain { .letterCount }
    static let alphabet = Array("abcdef")

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let word = String((0..<(2 * difficulty + 3)).map { _ in Self.alphabet[rng.nextIndex(below: Self.alphabet.count)] })
        let letter = Self.alphabet[rng.nextIndex(below: Self.alphabet.count)]
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Count \(letter) in \(word).",
                           answer: "\(word.filter { $0 == letter }.count)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let words = problem.question.dropLast().split(separator: " ")
        let letter = words[1].first!, word = words[3]
        var count = 0, steps: [String] = []
        for (i, c) in word.enumerated() {
            count = faulted(count + (c == letter ? 1 : 0), step: i, fault: fault)
            steps.append("\(c):\(count)")
        }
        return WorkedSolution(steps: steps, answer: "\(count)")
    }
}
