import XCTest
import S1Engine
import S1Method

/// The synthetic domains, their graders, the teacher and the independent re-checker.
final class TasksTests: XCTestCase {
    /// `perDifficulty` problems of `domain` at every difficulty, from a fixed stream per (domain, difficulty).
    private func problems(_ domain: TaskDomain, perDifficulty: Int = 20) -> [TaskProblem] {
        (1...TaskDomain.maxDifficulty).flatMap { d -> [TaskProblem] in
            var rng = CounterRNG(key: CounterRNG.derive(77, UInt64(TaskDomain.allCases.firstIndex(of: domain)!), UInt64(d)))
            return (0..<perDifficulty).map { _ in domain.generator.problem(difficulty: d, rng: &rng) }
        }
    }

    /// A plausible wrong answer: one unit, digit, day, letter or order away from the gold one.
    private func perturbed(_ answer: String, domain: TaskDomain, options: [String]) -> String {
        switch domain {
        case .baseConversion:
            var digits = Array(answer)
            let base = 10  // any other digit differs; the grader compares strings
            digits[digits.count - 1] = Character(String((Int(String(digits.last!))! + 1) % base))
            return String(digits)
        case .sorting:
            let values = answer.split(separator: " ")
            if Set(values).count == 1 { return answer + " 0" }
            return values.reversed().joined(separator: " ")
        case .weekday:
            let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            return days[(days.firstIndex(of: answer)! + 1) % 7]
        case .turns:
            let compass = ["N", "E", "S", "W"]
            return compass[(compass.firstIndex(of: answer)! + 1) % 4]
        case .fractionChoice:
            let letters = Array("ABCD")
            return String(letters[(letters.firstIndex(of: Character(answer))! + 1) % 4])
        default:
            return String(Int(answer)! + 1)
        }
    }

    func testEveryDomainHasAGraderAndAtLeastTenDomainsExist() throws {
        XCTAssertGreaterThanOrEqual(TaskDomain.allCases.count, 10)
        XCTAssertEqual(TaskDomain.allCases.filter { $0.graderKind == .choice }, [.fractionChoice])
        XCTAssertEqual(try TaskDomain.named("gcd"), .gcd)
        XCTAssertThrowsError(try TaskDomain.named("calculus"))
    }

    func testGradersAcceptTeacherAnswersAndRejectPerturbedOnes() {
        for domain in TaskDomain.allCases {
            let grader = domain.graderKind.grader
            for problem in problems(domain) {
                let solution = domain.generator.solve(problem, fault: nil)
                XCTAssertEqual(solution.answer, problem.answer, "\(domain) solver disagrees on \(problem.question)")
                XCTAssertTrue(grader.isEquivalent(answer: solution.answer, gold: problem.answer, options: problem.options),
                              "\(domain): \(problem.question)")
                let wrong = perturbed(problem.answer, domain: domain, options: problem.options)
                XCTAssertFalse(grader.isEquivalent(answer: wrong, gold: problem.answer, options: problem.options),
                               "\(domain): \(wrong) accepted for \(problem.answer)")
            }
        }
    }

    func testRecheckerAcceptsCleanTracesAndFindsTheFaultyStep() {
        for domain in TaskDomain.allCases {
            for problem in problems(domain, perDifficulty: 8) {
                let clean = domain.generator.solve(problem, fault: nil)
                let text = TraceFormat.text(steps: clean.steps, answer: clean.answer)
                let check = TraceRecheck.check(domain: domain, question: problem.question, trace: text)
                XCTAssertTrue(check.isValid, "\(domain): \(problem.question)\n\(text)\n\(check)")
                XCTAssertEqual(check.expected, problem.answer)
                XCTAssertEqual(TraceFormat.stepCount(text), clean.steps.count + 1)
                // A wrong final line is caught even when every step holds.
                let wrongEnd = TraceFormat.text(steps: clean.steps, answer: perturbed(clean.answer, domain: domain, options: problem.options))
                XCTAssertFalse(TraceRecheck.check(domain: domain, question: problem.question, trace: wrongEnd).isValid)
                for step in clean.steps.indices {
                    for delta in [-1, 2] {
                        let faulty = domain.generator.solve(problem, fault: TraceFault(step: step, delta: delta))
                        guard faulty.steps[step] != clean.steps[step] else { continue }
                        let faultyText = TraceFormat.text(steps: faulty.steps, answer: faulty.answer)
                        let verdict = TraceRecheck.check(domain: domain, question: problem.question, trace: faultyText)
                        XCTAssertEqual(verdict.invalidStep, step, "\(domain): \(problem.question)\n\(faultyText)")
                        // The same fault, corrected on a `Wait` line, re-checks as valid.
                        let corrected = Array(faulty.steps[...step]) + ["Wait " + clean.steps[step]] + clean.steps[(step + 1)...]
                        XCTAssertTrue(TraceRecheck.check(domain: domain, question: problem.question,
                                                         trace: TraceFormat.text(steps: corrected, answer: clean.answer)).isValid)
                    }
                }
            }
        }
    }

    func testTextsStayShortAndTracesGrowWithDifficulty() {
        for domain in TaskDomain.allCases {
            var meanBytes: [Int: Double] = [:]
            for d in [1, TaskDomain.maxDifficulty] {
                let ps = problems(domain).filter { $0.difficulty == d }
                let lengths = ps.map { p -> Int in
                    let s = domain.generator.solve(p, fault: nil)
                    return TraceFormat.text(steps: s.steps, answer: s.answer).utf8.count
                }
                meanBytes[d] = Double(lengths.reduce(0, +)) / Double(lengths.count)
                for p in ps { XCTAssertLessThanOrEqual(p.question.utf8.count, 64, p.question) }
                XCTAssertLessThanOrEqual(lengths.max()!, 320, "\(domain) trace too long at difficulty \(d)")
            }
            XCTAssertGreaterThan(meanBytes[TaskDomain.maxDifficulty]!, meanBytes[1]! * 1.5, "\(domain): \(meanBytes)")
        }
    }

    func testTeacherRatesAndHonestCorrectness() throws {
        let config = TeacherConfig(errorRate: 0.2, correctionRate: 0.3)
        var rng = CounterRNG(key: 9)
        var corrected = 0, wrong = 0
        let n = 2200
        for i in 0..<n {
            let domain = TaskDomain.allCases[i % TaskDomain.allCases.count]
            let problem = domain.generator.problem(difficulty: 1 + i % TaskDomain.maxDifficulty, rng: &rng)
            let trace = Teacher.trace(for: problem, config: config, rng: &rng)
            let check = TraceRecheck.check(domain: domain, question: problem.question, trace: trace.text)
            if trace.selfCorrected {
                corrected += 1
                XCTAssertTrue(trace.text.contains("\nWait "), trace.text)
                XCTAssertTrue(check.isValid, trace.text)
            }
            if !trace.correct { wrong += 1; XCTAssertFalse(check.isValid) }
            if check.isValid { XCTAssertTrue(trace.correct) }
            XCTAssertEqual(trace.correct, domain.graderKind.grader.isEquivalent(answer: trace.answer, gold: problem.answer,
                                                                              options: problem.options))
        }
        // Faults that change nothing (e.g. the last element of a sort) fall back to clean traces, hence the slack.
        XCTAssertEqual(Double(corrected) / Double(n), 0.3, accuracy: 0.04)
        XCTAssertGreaterThan(Double(wrong) / Double(n), 0.12)
        XCTAssertLessThanOrEqual(Double(wrong) / Double(n), 0.22)
        XCTAssertThrowsError(try SyntheticTasks.generate(split: .train, count: 1, seed: 1,
            config: SyntheticTaskConfig(teacher: TeacherConfig(errorRate: 0.7, correctionRate: 0.5))))
    }

    func testStepCountCountsLines() {
        XCTAssertEqual(TraceFormat.stepCount("8+5+0=13 c1\nWait 8+5+0=13 c1\n=3"), 3)
        XCTAssertEqual(TraceFormat.stepCount(""), 0)
        XCTAssertEqual(TraceFormat.stepCount("=7\n"), 1)
    }

    func testRecheckerRejectsGarbageWithoutTrapping() {
        let traces = ["", "=", "Wait\n=1", "99999999999*99999999999=1\n=1", "9223372036854775807+1=0\n=0",
                      "--9223372036854775808=1\n=1", "1/0=1\n=1", "(((\n=2", "A\n=A"]
        let questions = ["", "Compute .", "Largest: A) B) C) D)", "Count in .", "Weekday of ?", "Solve x=x.",
                         "Compute 99999999999*99999999999.", "Find gcd(0,0)."]
        for domain in TaskDomain.allCases {
            for question in questions {
                for trace in traces {
                    XCTAssertFalse(TraceRecheck.check(domain: domain, question: question, trace: trace).isValid,
                                   "\(domain) \(question) \(trace)")
                }
            }
        }
    }
}
