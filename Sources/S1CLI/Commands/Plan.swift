import ArgumentParser
import Foundation
import S1Runner
import S1Spec

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Validate an experiment and print its steps: short key, inputs, and cached or why it will run.")

    @OptionGroup var spec: SpecOptions
    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Also print the fully resolved spec, each value with its origin (file:line, --set, or default).")
    var explain = false

    func run() throws {
        try reportingFailures {
            let resolved = try SpecLoader.load(path: spec.file, overrides: spec.overrides)
            if explain {
                printLine(resolved.explain())
                printLine()
            }
            let workspace = storeOptions.workspace
            let prepared = try workspace.prepare(spec: resolved)
            let executor = try workspace.executor(for: prepared, sink: TerminalProgress(style: .quiet))
            let statuses = executor.status(of: prepared.experimentPlan.plan, context: prepared.context)
            printLine(PlanTable.render(experiment: resolved.experiment.name, statuses: statuses))
        }
    }
}

/// The plan as a table: one line per step, in execution order.
enum PlanTable {
    static func render(experiment: String, statuses: [StepStatus]) -> String {
        let width = min(44, statuses.map(\.step.name.count).max() ?? 10)
        var lines = ["\(experiment): \(statuses.count) steps"]
        for status in statuses {
            let label = status.step.pointLabel.map { "  [\($0)]" } ?? ""
            let name = status.step.name.padding(toLength: max(width, status.step.name.count), withPad: " ", startingAt: 0)
            let key = status.key.map(\.short) ?? String(repeating: "·", count: 12)
            let state: String
            switch status.state {
            case .cached: state = "cached"
            case .willRun(let reason): state = "will run: \(reason)"
            case .waitingFor(let upstream): state = "will run after \(upstream)"
            case .missingInput(let what): state = "MISSING INPUT: \(what)"
            }
            let upstream = status.step.upstreamSteps
            let from = upstream.isEmpty ? "" : "  ← \(upstream.joined(separator: ", "))"
            lines.append("  \(name)  \(key)  \(state)\(from)\(label)")
        }
        let missing = statuses.filter { if case .missingInput = $0.state { return true } else { return false } }
        if !missing.isEmpty {
            lines.append("")
            lines.append("\(missing.count) step(s) cannot run on this machine until their inputs exist (see MISSING INPUT).")
        }
        return lines.joined(separator: "\n")
    }
}
