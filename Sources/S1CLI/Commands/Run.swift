import ArgumentParser
import Foundation
import S1Runner
import S1Spec

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: reuse cached steps, execute the rest, record the run.")

    @OptionGroup var spec: SpecOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Run only up to this step (and what it needs). A group name such as evaluate/budget works.")
    var until: String?

    @Option(help: "Run only this step (or group); its inputs must already be in the store.")
    var only: String?

    @Flag(help: "Rerun every selected step even if cached, to check that results are reproduced bit for bit.")
    var recompute = false

    @Flag(help: "Print nothing but errors and the final summary.")
    var quiet = false

    @Flag(help: "Emit progress and the summary as JSON lines on stdout.")
    var json = false

    @Option(help: "Also archive the recorded run to this file (as `s1 archive RUN -o FILE`).")
    var archive: String?

    func validate() throws {
        if until != nil && only != nil { throw ValidationError("--until and --only cannot be combined") }
        if archive != nil && (until != nil || only != nil) {
            throw ValidationError("--archive needs the whole plan: a run stopped by --until or --only is not recorded")
        }
    }

    func run() throws {
        try reportingFailures {
            let resolved = try SpecLoader.load(path: spec.file, overrides: spec.overrides)
            let workspace = storeOptions.workspace
            let prepared = try workspace.prepare(spec: resolved)
            let selection: StepSelection = until.map { .until($0) } ?? only.map { .only($0) } ?? .all
            let sink: ProgressSink = json ? JSONProgress() : TerminalProgress.automatic(quiet: quiet)
            let result = try workspace.run(prepared, selection: selection, recompute: recompute, sink: sink)
            let fresh = result.outcomes.filter { !$0.cached }.count
            let archived = try archive.flatMap { path in
                try result.run.map { try workspace.archive($0, to: URL(fileURLWithPath: path), inputs: .full) }
            }
            if json {
                var summary: [String: Any] = ["event": "run_finished", "steps": result.outcomes.count, "fresh": fresh]
                if let run = result.run { summary["run"] = run.runID; summary["path"] = run.url.path }
                if let archived { summary["archive"] = archived.output.path; summary["archive_id"] = archived.archiveID.description }
                if let data = try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]) {
                    print(String(decoding: data, as: UTF8.self))
                }
                return
            }
            printLine("\(result.outcomes.count) steps: \(fresh) ran, \(result.outcomes.count - fresh) cached")
            if let run = result.run {
                printLine("run \(run.runID)  \(run.url.path)")
                for name in ["report.html", "report.md", "results.json"]
                where FileManager.default.fileExists(atPath: run.url.appendingPathComponent(name).path) {
                    printLine("  \(name): \(run.url.appendingPathComponent(name).path)")
                }
                if let archived { printLine("  archive: \(archived.output.path)  (id \(archived.archiveID))") }
                if let summary = RunSummaryTable.render(run) { printLine(); printLine(summary) }
            }
        }
    }
}
