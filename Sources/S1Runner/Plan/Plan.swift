import S1Spec

/// A run's steps in a topological order, with the queries the CLI needs (`--until`, `--only`).
public struct Plan: Sendable {
    /// Topologically ordered: every step comes after the steps it reads from. Ties keep the planner's order, so the
    /// order is a pure function of the spec.
    public let steps: [PlannedStep]

    /// Orders `steps` topologically and checks that every referenced step exists and that there is no cycle.
    public init(steps: [PlannedStep]) throws {
        var byName: [String: PlannedStep] = [:]
        for step in steps {
            guard byName[step.name] == nil else { throw PlanError.duplicateStep(step.name) }
            byName[step.name] = step
        }
        for step in steps {
            for upstream in step.upstreamSteps where byName[upstream] == nil {
                throw PlanError.unknownUpstream(step: step.name, upstream: upstream)
            }
        }
        // Kahn's algorithm, always taking the earliest ready step in planner order.
        var remainingUpstream = Dictionary(uniqueKeysWithValues: steps.map { ($0.name, Set($0.upstreamSteps)) })
        var ordered: [PlannedStep] = []
        var pending = steps
        while !pending.isEmpty {
            guard let index = pending.firstIndex(where: { remainingUpstream[$0.name]!.isEmpty }) else {
                throw PlanError.cycle(pending.map(\.name))
            }
            let next = pending.remove(at: index)
            ordered.append(next)
            for name in remainingUpstream.keys { remainingUpstream[name]!.remove(next.name) }
        }
        self.steps = ordered
    }

    public func step(named name: String) -> PlannedStep? {
        steps.first { $0.name == name }
    }

    /// The step and everything it depends on, transitively, in plan order.
    public func closure(of name: String) throws -> [PlannedStep] {
        guard step(named: name) != nil else { throw PlanError.noSuchStep(name, available: steps.map(\.name)) }
        var needed: Set<String> = [name]
        for step in steps.reversed() where needed.contains(step.name) {
            needed.formUnion(step.upstreamSteps)
        }
        return steps.filter { needed.contains($0.name) }
    }

    /// Resolves a user's step selector: an exact step name, or a prefix naming a group (`evaluate/budget`).
    public func names(matching selector: String) throws -> [String] {
        let exact = steps.filter { $0.name == selector }
        if !exact.isEmpty { return exact.map(\.name) }
        let group = steps.filter { $0.name.hasPrefix(selector + "/") }
        guard !group.isEmpty else { throw PlanError.noSuchStep(selector, available: steps.map(\.name)) }
        return group.map(\.name)
    }
}

public enum PlanError: Error, CustomStringConvertible, Equatable {
    case duplicateStep(String)
    case unknownUpstream(step: String, upstream: String)
    case cycle([String])
    case noSuchStep(String, available: [String])

    public var description: String {
        switch self {
        case .duplicateStep(let name):
            return "plan error: two steps are named '\(name)'; step names must be unique (rename a sweep)"
        case .unknownUpstream(let step, let upstream):
            return "plan error: step '\(step)' reads from '\(upstream)', which is not in the plan"
        case .cycle(let names):
            return "plan error: steps depend on each other in a cycle: \(names.joined(separator: ", "))"
        case .noSuchStep(let name, let available):
            let suggestion = EditDistance.closest(to: name, among: available).map { " (did you mean '\($0)'?)" } ?? ""
            return "no step named '\(name)' in this plan\(suggestion); steps: \(available.joined(separator: ", "))"
        }
    }
}
