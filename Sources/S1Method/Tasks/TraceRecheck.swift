// An independent re-check of teacher traces. It shares no code with the solvers: it re-reads the question,
// checks every step line's claim with its own arithmetic, and compares the final line with an answer it
// computes directly from the question. So a solver bug and a checker bug would have to coincide to pass.

/// The verdict of re-checking one trace.
public struct TraceCheck: Equatable, Sendable {
    /// The first step (0-based, after applying `Wait` corrections) whose claim is false or does not follow from
    /// the one before; nil when every step holds.
    public var invalidStep: Int?
    /// The answer on the trace's final `=` line (nil when the trace has none).
    public var reached: String?
    /// The answer computed directly from the question (nil when the question could not be read).
    public var expected: String?

    /// Every step holds and the final line equals the directly computed answer.
    public var isValid: Bool { invalidStep == nil && reached != nil && reached == expected }
}

public enum TraceRecheck {
    /// Re-checks `trace` for a question of `domain`.
    public static func check(domain: TaskDomain, question: String, trace: String) -> TraceCheck {
        var steps: [String] = []
        var reached: String? = nil
        for line in trace.split(separator: "\n") {
            let line = String(line)
            if line.hasPrefix("Wait "), !steps.isEmpty {
                steps[steps.count - 1] = String(line.dropFirst(5))
            } else if line.hasPrefix("=") {
                reached = String(line.dropFirst())
            } else {
                steps.append(line)
            }
        }
        var checker = StepChecker(question: question)
        let (invalid, expected) = checker.run(domain: domain, steps: steps, reached: reached)
        return TraceCheck(invalidStep: invalid, reached: reached, expected: expected)
    }
}

/// Domain-by-domain step rules. Each returns the first invalid step and the directly computed answer.
private struct StepChecker {
    let question: String

    init(question: String) { self.question = question }

    mutating func run(domain: TaskDomain, steps: [String], reached: String?) -> (Int?, String?) {
        // Queue fields are digit strings, not numbers: checked before the numeric bounds below.
        if [.turns, .walk, .count].contains(domain) { return checkQueue(domain: domain, steps: steps, reached: reached) }
        let numbers = integers(in: question)
        // Bounds keep every product below 2^63 and every loop short, whatever text is passed in.
        guard numbers.allSatisfy({ $0 < 1_000_000_000 }) else { return (0, nil) }
        switch domain {
        case .addition, .multiplication:
            guard numbers.count == 2 else { return (0, nil) }
            let (a, b) = (numbers[0], numbers[1])
            let add = domain == .addition
            var carry = 0, digitsOut = "", x = a, y = b
            for (i, step) in steps.enumerated() {
                // "d1+d2+c=s cK" or "d*b+c=v cK"
                let expectLeft = add ? "\(x % 10)+\(y % 10)+\(carry)" : "\(x % 10)*\(b)+\(carry)"
                let value = add ? x % 10 + y % 10 + carry : (x % 10) * b + carry
                guard step == "\(expectLeft)=\(value) c\(value / 10)" else { return (i, nil) }
                digitsOut = String(value % 10) + digitsOut
                carry = value / 10
                x /= 10
                if add { y /= 10 }
            }
            guard x == 0, add ? y == 0 : true else { return (steps.count, nil) }
            let built = carry > 0 ? String(carry) + digitsOut : digitsOut
            guard let builtValue = Int(built), reached.flatMap({ Int($0) }) == builtValue else { return (steps.count, nil) }
            return (nil, String(add ? a + b : a * b))
        case .modpow:
            guard numbers.count == 3 else { return (0, nil) }
            let (base, exponent, modulus) = (numbers[0], numbers[1], numbers[2])
            guard modulus >= 1, base < 1_000_000, modulus < 1_000_000, exponent <= 100_000 else { return (0, nil) }
            var r = base % modulus
            for (i, step) in steps.enumerated() {
                let p = r * base
                guard step == "\(r)*\(base)=\(p) r\(p % modulus)" else { return (i, nil) }
                r = p % modulus
            }
            guard steps.count == exponent - 1 else { return (steps.count, nil) }
            var direct = 1
            for _ in 0..<exponent { direct = direct * base % modulus }
            return (nil, String(direct))
        case .gcd:
            guard numbers.count == 2 else { return (0, nil) }
            var a = numbers[0], b = numbers[1]
            for (i, step) in steps.enumerated() {
                guard b > 0, step == "\(a)%\(b)=\(a % b)" else { return (i, nil) }
                (a, b) = (b, a % b)
            }
            guard b == 0, reached == String(a) else { return (steps.count, nil) }
            var x = numbers[0], y = numbers[1]
            while y != 0 { (x, y) = (y, x % y) }
            return (nil, String(x))
        case .baseConversion:
            guard numbers.count == 2 else { return (0, nil) }
            var n = numbers[0]
            let base = numbers[1]
            guard (2...36).contains(base) else { return (0, nil) }
            var digits: [Int] = []
            for (i, step) in steps.enumerated() {
                guard n > 0 || i == 0, step == "\(n)/\(base)=\(n / base) r\(n % base)" else { return (i, nil) }
                digits.insert(n % base, at: 0)
                n /= base
            }
            guard n == 0, reached == digits.map(String.init).joined() else { return (steps.count, nil) }
            return (nil, String(numbers[0], radix: base))
        case .sorting:
            guard question.hasPrefix("Sort "), !numbers.isEmpty else { return (0, nil) }
            var rest = numbers, out: [Int] = []
            for (i, step) in steps.enumerated() {
                guard let m = rest.min(), step == "min(" + rest.map(String.init).joined(separator: ",") + ")=\(m)"
                else { return (i, nil) }
                rest.remove(at: rest.firstIndex(of: m)!)
                out.append(m)
            }
            guard rest.isEmpty, reached == out.map(String.init).joined(separator: " ") else { return (steps.count, nil) }
            return (nil, numbers.sorted().map(String.init).joined(separator: " "))
        case .letterCount:
            let words = question.dropLast().split(separator: " ")
            guard words.count == 4, let letter = words[1].first else { return (0, nil) }
            let word = Array(words[3])
            var count = 0
            for (i, step) in steps.enumerated() {
                guard i < word.count else { return (i, nil) }
                if word[i] == letter { count += 1 }
                guard step == "\(word[i]):\(count)" else { return (i, nil) }
            }
            guard steps.count == word.count, reached == String(count) else { return (steps.count, nil) }
            return (nil, String(word.reduce(0) { $0 + ($1 == letter ? 1 : 0) }))
        case .expression:
            for (i, step) in steps.enumerated() where !Self.holds(step) { return (i, nil) }
            guard let last = steps.last, let value = last.split(separator: "=").last, reached == String(value)
            else { return (steps.count, nil) }
            let body = String(question.dropFirst("Compute ".count).dropLast())
            return (nil, Evaluator.evaluate(body, x: 0).map(String.init))
        case .linearEquation:
            for (i, step) in steps.enumerated() where !Self.holds(step) { return (i, nil) }
            let body = String(question.dropFirst("Solve ".count).dropLast())
            let sides = body.split(separator: "=").map(String.init)
            guard sides.count == 2, let l0 = Evaluator.evaluate(sides[0], x: 0), let r0 = Evaluator.evaluate(sides[1], x: 0),
                  let l1 = Evaluator.evaluate(sides[0], x: 1), let r1 = Evaluator.evaluate(sides[1], x: 1),
                  (l1 - r1) - (l0 - r0) != 0 else { return (0, nil) }
            let slope = (l1 - r1) - (l0 - r0), offset = l0 - r0
            guard offset % slope == 0 else { return (0, nil) }
            // The division step's result is the trace's solution.
            guard let division = steps.first(where: { $0.contains("/") }),
                  reached == division.split(separator: "=").last.map(String.init) else { return (steps.count, nil) }
            return (nil, String(-offset / slope))
        case .fractionChoice:
            let letters = Array("ABCD")
            let options = question.split(separator: " ").dropFirst().map { option -> [(Int, Int)] in
                option.dropFirst(2).split(separator: "+").map { fraction in
                    let parts = integers(in: String(fraction))
                    return parts.count == 2 ? (parts[0], parts[1]) : (0, 1)
                }
            }
            guard options.count == 4 else { return (0, nil) }
            var index = 0, values: [(Int, Int)] = []
            for (j, parts) in options.enumerated() {
                guard !parts.isEmpty else { return (0, nil) }
                guard parts.count == 2 else { values.append(parts[0]); continue }
                let (a, b) = parts[0], (c, d) = parts[1]
                let value = (a * d + c * b, b * d)
                guard index < steps.count, steps[index] == "\(letters[j]) \(a)/\(b)+\(c)/\(d)=\(value.0)/\(value.1)"
                else { return (index, nil) }
                values.append(value)
                index += 1
            }
            var best = 0
            for j in 1..<4 {
                let (pb, qb) = values[best], (pj, qj) = values[j]
                let winner = pj * qb > pb * qj ? j : best
                guard index < steps.count,
                      steps[index] == "\(letters[best])\(letters[j]) \(pb)*\(qj)=\(pb * qj) \(pj)*\(qb)=\(pj * qb) \(letters[winner])"
                else { return (index, nil) }
                best = winner
                index += 1
            }
            guard steps.count == index, reached == String(letters[best]) else { return (steps.count, nil) }
            // Directly: the largest option value as a Double (the options' values are distinct small fractions).
            let direct = options.map { $0.reduce(0.0) { $0 + Double($1.0) / Double($1.1) } }
            let top = direct.indices.max { direct[$0] < direct[$1] }!
            return (nil, String(letters[top]))
        case .weekday:
            let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            let terms = question.dropFirst("Weekday of ".count).dropLast().split(separator: "+").map(String.init)
            guard let start = terms.first.flatMap({ days.firstIndex(of: $0) }) else { return (0, nil) }
            var day = start, total = 0
            for (i, step) in steps.enumerated() {
                guard i + 1 < terms.count, let jump = Int(terms[i + 1]) else { return (i, nil) }
                let next = (day + jump % 7) % 7
                guard step == "\(jump)%7=\(jump % 7) \(days[day])+\(jump % 7)=\(days[next])" else { return (i, nil) }
                day = next
                total += jump
            }
            guard steps.count == terms.count - 1, reached == days[day] else { return (steps.count, nil) }
            return (nil, days[(start + total) % 7])
        case .turns, .walk, .count:
            return checkQueue(domain: domain, steps: steps, reached: reached)
        }
    }

    /// Queue traces: each line is `STATE QUEUE`, the queue the previous line's minus its first item (padded with
    /// '.' to ten characters) and the state the previous one with that item applied; the answer follows the last.
    private func checkQueue(domain: TaskDomain, steps: [String], reached: String?) -> (Int?, String?) {
        let compass = ["N", "E", "S", "W"]
        let field = Array(question.suffix(10))
        guard field.count == 10 else { return (0, nil) }
        let items = Array(field.prefix { $0 != "." })
        guard !items.isEmpty, field.dropFirst(items.count).allSatisfy({ $0 == "." }) else { return (0, nil) }
        let head = String(question.dropLast(10))
        // The state as text: a compass point, a position, or a letter with its count so far.
        var state: String
        let apply: (String, Character) -> String?
        switch domain {
        case .turns:
            let start = String(head.dropFirst(7).prefix(1))
            guard head == "Facing \(start), turn: ", compass.contains(start), items.allSatisfy({ $0 == "L" || $0 == "R" })
            else { return (0, nil) }
            state = start
            apply = { s, c in compass.firstIndex(of: s).map { compass[($0 + (c == "R" ? 1 : 3)) % 4] } }
        case .walk:
            let start = String(head.dropFirst(6).prefix(1))
            guard head == "Start \(start), moves: ", Int(start) != nil, items.allSatisfy({ $0 == "+" || $0 == "-" })
            else { return (0, nil) }
            state = start
            apply = { s, c in Int(s).map { String($0 + (c == "+" ? 1 : -1)) } }
        default:
            let words = head.split(separator: " ")
            guard words.count == 3, words[0] == "Count", words[1].count == 1, let target = words[1].first,
                  words[2] == "in:" else { return (0, nil) }
            state = "\(target):0"
            apply = { s, c in
                guard s.count >= 3, let n = Int(s.dropFirst(2)) else { return nil }
                return "\(target):\(n + (c == target ? 1 : 0))"
            }
        }
        for (i, step) in steps.enumerated() {
            guard i < items.count, let next = apply(state, items[i]) else { return (i, nil) }
            let rest = String(items[(i + 1)...]) + String(repeating: ".", count: 10 - (items.count - i - 1))
            guard step == next + " " + rest else { return (i, nil) }
            state = next
        }
        let answer = domain == .count ? String(state.dropFirst(2)) : state
        guard steps.count == items.count, reached == answer else { return (steps.count, nil) }
        // Directly from the question: net turns mod 4, net moves, occurrences.
        switch domain {
        case .turns:
            let right = items.filter { $0 == "R" }.count, left = items.count - right
            let start = compass.firstIndex(of: String(head.dropFirst(7).prefix(1)))!
            return (nil, compass[((start + right - left) % 4 + 4) % 4])
        case .walk:
            let up = items.filter { $0 == "+" }.count
            return (nil, String(Int(String(head.dropFirst(6).prefix(1)))! + up - (items.count - up)))
        default:
            let target = head.split(separator: " ")[1].first!
            return (nil, String(items.filter { $0 == target }.count))
        }
    }

    /// Non-negative integers in order of appearance.
    private func integers(in text: String) -> [Int] {
        text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// Whether an `expr=value` step is a true equation.
    static func holds(_ step: String) -> Bool {
        let sides = step.split(separator: "=", omittingEmptySubsequences: false)
        guard sides.count == 2, let left = Evaluator.evaluate(String(sides[0]), x: 0),
              let right = Evaluator.evaluate(String(sides[1]), x: 0) else { return false }
        return left == right
    }
}

/// Integer expressions with + - * /(exact) %, unary minus, parentheses and the variable x.
private struct Evaluator {
    var chars: [Character]
    var at = 0
    let x: Int

    static func evaluate(_ text: String, x: Int) -> Int? {
        var e = Evaluator(chars: Array(text.filter { $0 != " " }), x: x)
        guard let v = e.sum(), e.at == e.chars.count else { return nil }
        return v
    }

    mutating func sum() -> Int? {
        guard var v = product() else { return nil }
        while at < chars.count, chars[at] == "+" || chars[at] == "-" {
            let op = chars[at]; at += 1
            guard let r = product() else { return nil }
            let (result, overflow) = op == "+" ? v.addingReportingOverflow(r) : v.subtractingReportingOverflow(r)
            guard !overflow else { return nil }
            v = result
        }
        return v
    }

    mutating func product() -> Int? {
        guard var v = unary() else { return nil }
        while at < chars.count, chars[at] == "*" || chars[at] == "/" || chars[at] == "%" {
            let op = chars[at]; at += 1
            guard let r = unary() else { return nil }
            switch op {
            case "*":
                let (result, overflow) = v.multipliedReportingOverflow(by: r)
                guard !overflow else { return nil }
                v = result
            case "/": guard r != 0, v % r == 0 else { return nil }; v /= r
            default: guard r != 0 else { return nil }; v %= r
            }
        }
        return v
    }

    mutating func unary() -> Int? {
        if at < chars.count, chars[at] == "-" {
            at += 1
            guard let v = unary(), v != Int.min else { return nil }
            return -v
        }
        if at < chars.count, chars[at] == "(" {
            at += 1
            guard let v = sum(), at < chars.count, chars[at] == ")" else { return nil }
            at += 1
            return v
        }
        if at < chars.count, chars[at] == "x" { at += 1; return x }
        var digits = ""
        while at < chars.count, chars[at].isASCII, chars[at].isNumber { digits.append(chars[at]); at += 1 }
        return Int(digits)
    }
}
