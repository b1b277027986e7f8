import ArgumentParser
import Foundation
import S1Runner

@main
struct S1Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s1",
        abstract: "Run the s1 test-time-scaling recipe from one YAML experiment: plan, run, archive, verify, rerun.",
        discussion: """
        Every step is keyed by the content of what it reads, so unchanged steps are reused. Runs are \
        deterministic and archive into one tarball that a reviewer can verify and rerun with changed parameters.

        Start with:  s1 run experiments/s1-mini.yaml
        """,
        version: S1Version.current,
        subcommands: [RunCommand.self, PlanCommand.self, ShowCommand.self, ArchiveCommand.self, VerifyCommand.self,
                      ExtractCommand.self, RerunCommand.self, DiffCommand.self, GCCommand.self,
                      GradeCommand.self, InspectCommand.self, HashCommand.self, CUDACommand.self, BenchCommand.self])
}

/// The store every command works on.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The artifact store: step records, objects and runs.")
    var store: String = "artifacts"

    @Option(name: .long, help: ArgumentHelp(
        "Threads the CPU engine uses (default: S1_THREADS, else every core). Any count computes the same bits, so it is recorded but never part of a step key.",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, !(1...4096).contains(threads) {
            throw ValidationError("--threads \(threads): expected a whole number of threads from 1 to 4096")
        }
    }

    var workspace: Workspace {
        // The engine reads its thread count where every backend's environment is probed: through S1_THREADS.
        if let threads { setenv("S1_THREADS", String(threads), 1) }
        return Workspace(storeRoot: URL(fileURLWithPath: store))
    }
}

/// An experiment file and its overrides.
struct SpecOptions: ParsableArguments {
    @Argument(help: "The experiment YAML file.")
    var file: String = "experiments/s1-mini.yaml"

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Override a value: --set train.lr=2e-5 (repeatable; typed by the schema).",
                               valueName: "key.path=value"))
    var overrides: [String] = []
}

/// Runs `body`, printing a failure in words instead of a stack trace, with a non-zero exit status.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

func printLine(_ text: String = "") {
    print(text)
}
