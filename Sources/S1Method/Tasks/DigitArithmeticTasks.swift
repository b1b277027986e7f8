// Column arithmetic, digit by digit with carries: the prototype's learnable trace shape (`8+5+0=13 c1`).
import S1Engine

/// The value of a step after the teacher's fault: shifted by `delta`, never below `floor`, never unchanged.
func faulted(_ value: Int, step: Int, fault: TraceFault?, floor: Int = 0) -> Int {
    guard let fault, fault.step == step, fault.delta != 0 else { return value }
    let shifted = value + fault.delta
    return shifted >= floor ? shifted : value + abs(fault.delta)
}

/// Multi-digit addition of two numbers with `difficulty + 1` digits each; one step per column.
struct AdditionTask: TaskGenerator {
    var domain: TaskDomain { .addition }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let digits = difficulty + 1
        let a = rng.number(digits: digits), b = rng.number(digits: digits)
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Compute \(a)+\(b).", answer: "\(a + b)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let (a, b) = Self.operands(problem.question)
        let width = max(String(a).count, String(b).count)
        let da = digitsLSF(a, count: width), db = digitsLSF(b, count: width)
        var steps: [String] = [], result = 0, carry = 0, place = 1
        for i in 0..<width {
            let sum = faulted(da[i] + db[i] + carry, step: i, fault: fault)
            steps.append("\(da[i])+\(db[i])+\(carry)=\(sum) c\(sum / 10)")
            result += (sum % 10) * place
            carry = sum / 10
            place *= 10
        }
        result += carry * place
        return WorkedSolution(steps: steps, answer: "\(result)")
    }

    static func operands(_ question: String) -> (Int, Int) {
        let body = question.dropFirst("Compute ".count).dropLast()
        let parts = body.split(separator: "+")
        return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 0)
    }
}

/// A number with `difficulty + 1` digits times a single digit 2–9; one step per digit with the carry.
struct MultiplicationTask: TaskGenerator {
    var domain: TaskDomain { .multiplication }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let a = rng.number(digits: difficulty + 1), b = rng.int(in: 2...9)
        return TaskProblem(domain: domain, difficulty: difficulty, question: "Compute \(a)*\(b).", answer: "\(a * b)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let body = problem.question.dropFirst("Compute ".count).dropLast()
        let parts = body.split(separator: "*")
        let a = Int(parts[0]) ?? 0, b = Int(parts[1]) ?? 0
        let width = String(a).count
        let da = digitsLSF(a, count: width)
        var steps: [String] = [], result = 0, carry = 0, place = 1
        for i in 0..<width {
            let value = faulted(da[i] * b + carry, step: i, fault: fault)
            steps.append("\(da[i])*\(b)+\(carry)=\(value) c\(value / 10)")
            result += (value % 10) * place
            carry = value / 10
            place *= 10
        }
        result += carry * place
        return WorkedSolution(steps: steps, answer: "\(result)")
    }
}

/// `b^e mod m` by repeated multiplication, reducing after each step (`6*3=18 r4`); `e = 2·difficulty + 2`.
struct ModPowTask: TaskGenerator {
    var domain: TaskDomain { .modpow }

    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem {
        let base = rng.int(in: 2...9), exponent = 2 * difficulty + 2, modulus = rng.int(in: 11...(10 + 12 * difficulty))
        var r = 1
        for _ in 0..<exponent { r = r * base % modulus }
        return TaskProblem(domain: domain, difficulty: difficulty,
                           question: "Compute \(base)^\(exponent) mod \(modulus).", answer: "\(r)")
    }

    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution {
        let (base, exponent, modulus) = Self.parse(problem.question)
        // The first factor of each line is the reduced state before the step.
        var r = base % max(modulus, 1), steps: [String] = []
        for i in 0..<max(exponent - 1, 0) {
            let product = faulted(r * base, step: i, fault: fault)
            steps.append("\(r)*\(base)=\(product) r\(product % modulus)")
            r = product % modulus
        }
        return WorkedSolution(steps: steps, answer: "\(r)")
    }

    static func parse(_ question: String) -> (Int, Int, Int) {
        let body = question.dropFirst("Compute ".count).dropLast()
        let words = body.split(separator: " ")
        let power = words[0].split(separator: "^")
        return (Int(power[0]) ?? 0, Int(power[1]) ?? 0, Int(words[2]) ?? 1)
    }
}
