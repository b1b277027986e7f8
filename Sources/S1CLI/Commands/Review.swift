import ArgumentParser
import Foundation
import S1Runner

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a run's steps and results tables.")

    @Argument(help: ArgumentHelp("A run id (or unique prefix), 'latest', a runs/<id> folder, or an archive.", valueName: "run"))
    var reference: String = "latest"

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Emit the run record and results as JSON.")
    var json = false

    func run() throws {
        try reportingFailures {
            let workspace = storeOptions.workspace
            let opened = try workspace.openRun(reference)
            let record = try opened.run.record()
            if json {
                print(try RunSummaryTable.json(opened.run))
                return
            }
            printLine("run \(opened.run.runID)  experiment \(record.experiment)  spec \(record.spec.short)")
            for step in record.steps {
                let label = step.pointLabel.map { " [\($0)]" } ?? ""
                printLine("  \(step.name)\(label)  \(step.key.short)  \(step.cached ? "cached" : String(format: "%.2fs", step.seconds))")
            }
            if let table = RunSummaryTable.render(opened.run) {
                printLine()
                printLine(table)
            }
        }
    }
}

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Write a run as one deterministic tar.zst; its id is the SHA-256 of the uncompressed tar stream.")

    @Argument(help: ArgumentHelp("A run id (or unique prefix), 'latest', or a runs/<id> folder.", valueName: "run"))
    var reference: String = "latest"

    @Option(name: .shortAndLong, help: "Output file (default: <run-id>.tar.zst in the current folder).")
    var output: String?

    @Option(help: "full: input files travel in the archive; digest-only: pinned by digest, bytes left out.")
    var inputs: Workspace.InputBytes = .full

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try reportingFailures {
            let workspace = storeOptions.workspace
            let found = try workspace.findRun(reference)
            let target = URL(fileURLWithPath: output ?? "\(found.runID).tar.zst")
            let summary = try workspace.archive(found, to: target, inputs: inputs)
            printLine("archive \(summary.output.path)")
            printLine("  run id      \(summary.runID)")
            printLine("  archive id  \(summary.archiveID)  (SHA-256 of the uncompressed tar)")
            printLine("  members     \(summary.members)")
        }
    }
}

extension Workspace.InputBytes: ExpressibleByArgument {}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every member of an archive against its manifest and run id; name what was tampered, missing or extra.")

    @Argument(help: "An archive (.tar.zst).")
    var archive: String

    func run() throws {
        try reportingFailures {
            let verification = try RunArchiveCheck.verify(archive)
            printLine(verification.text)
            if !verification.intact { throw ExitCode(1) }
        }
    }
}

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract an archive into a folder, refusing anything that would write outside it.")

    @Argument(help: "An archive (.tar.zst).")
    var archive: String

    @Argument(help: "The target folder (created if needed).")
    var directory: String

    func run() throws {
        try reportingFailures {
            let members = try RunArchiveCheck.extract(archive, into: directory)
            printLine("extracted \(members) members into \(directory)")
        }
    }
}

struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Restore a run from an archive, rerun what the overrides change, and compare steps and metrics.")

    @Argument(help: "An archive (.tar.zst), a run id, or a runs/<id> folder.")
    var archive: String

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a value (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Rerun every step, not only the changed ones, to prove bitwise reproducibility.")
    var recompute = false

    @Flag(help: "Print nothing but errors and the comparison.")
    var quiet = false

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try reportingFailures {
            let workspace = storeOptions.workspace
            let report = try workspace.rerun(archive, overrides: overrides, recompute: recompute,
                                             sink: TerminalProgress.automatic(quiet: quiet))
            printLine("rerun \(report.rerun.runID)  (from \(report.original.experiment))")
            for step in report.steps {
                printLine("  \(step.verdict.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(step.name)\(step.executed ? "" : "  (reused)")")
            }
            if report.metrics.isEmpty {
                printLine("metrics: unchanged")
            } else {
                printLine("metrics:")
                for change in report.metrics { printLine("  \(change.summary)") }
            }
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Compare two runs or archives: spec, step keys, metrics.")

    @Argument(help: "Run A: id, folder or archive.")
    var left: String
    @Argument(help: "Run B: id, folder or archive.")
    var right: String

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try reportingFailures {
            let report = try storeOptions.workspace.diff(left, right)
            printLine("A = \(report.left)   B = \(report.right)")
            printLine(report.spec.isEmpty ? "spec: identical" : "spec:")
            for change in report.spec { printLine("  \(change.summary)") }
            printLine("steps:")
            for step in report.steps {
                let outputs = step.outputsIdentical.map { $0 ? "outputs identical" : "outputs differ" } ?? ""
                printLine("  \(step.name): \(step.status)\(outputs.isEmpty ? "" : ", \(outputs)")")
                for reason in step.reasons.prefix(6) { printLine("      \(reason.summary)") }
            }
            printLine(report.metrics.isEmpty ? "metrics: identical" : "metrics:")
            for change in report.metrics { printLine("  \(change.summary)") }
        }
    }
}

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Remove step records and objects that no recorded run references.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try reportingFailures {
            let summary = try storeOptions.workspace.collectGarbage()
            printLine("removed \(summary.recordsRemoved) step records and \(summary.objectsRemoved) objects (\(summary.bytesFreed) bytes)")
        }
    }
}
