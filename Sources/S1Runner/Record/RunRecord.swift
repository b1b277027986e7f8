import Foundation
import S1Method
import S1Store

/// `run.json`: what a run did, step by step, with the identity of its spec, code and environment.
public struct RunRecord: Codable, Sendable, Equatable {
    public static let schema = "s1-run/1"

    public var schema: String = RunRecord.schema
    public let experiment: String
    public let toolVersion: String
    public let code: CodeIdentity
    /// Digest of `spec.yaml`, the resolved spec.
    public let spec: Digest
    public let rootSeed: String
    public let steps: [StepOutcome]
    /// Files the spec names (datasets, checkpoints), by their path as written.
    public let inputs: [RunInput]
    /// Run-root file name → the step output it copies (`results.json`, `report.html`).
    public let published: [String: PublishedOutput]
    /// The part of the plan this run executed (`until select`), or nil for all of it. A rerun repeats it.
    public let selection: String?

    public func step(named name: String) -> StepOutcome? {
        steps.first { $0.name == name }
    }
}

public struct RunInput: Codable, Sendable, Equatable {
    public let path: String
    public let digest: Digest
    /// False when archived with `--inputs=digest-only`: the bytes stay with their owner, the digest pins them.
    public let included: Bool
}

public struct PublishedOutput: Codable, Sendable, Equatable {
    public let step: String
    public let file: String

    public init(step: String, file: String) {
        self.step = step
        self.file = file
    }
}

/// A run directory as written under `runs/<run-id>/`, and the files in it.
public struct RunDirectory: Sendable {
    public static let specFile = "spec.yaml"
    public static let recordFile = "run.json"
    public static let environmentFile = "environment.json"
    public static let manifestFile = "manifest.json"
    /// A subset of the content store: the run's step records and every object they name.
    public static let storeFolder = "store"

    public let url: URL
    public let runID: String

    public init(url: URL) throws {
        self.url = url
        self.runID = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(Self.recordFile).path) else {
            throw RunLookupError.notARun(url.path)
        }
    }

    public func record() throws -> RunRecord {
        let path = url.appendingPathComponent(Self.recordFile)
        do {
            return try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: path))
        } catch {
            throw RunLookupError.unreadable(path.path, "\(error)")
        }
    }

    public func specText() throws -> String {
        try String(contentsOf: url.appendingPathComponent(Self.specFile), encoding: .utf8)
    }

    public var store: URL { url.appendingPathComponent(Self.storeFolder) }

    /// `results.json` if the run published one.
    public func results() -> Any? {
        guard let data = try? Data(contentsOf: url.appendingPathComponent("results.json")) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }

    /// The comparison of the experiment's variants (`variants.json`), when it has any.
    public func variantComparison() -> VariantComparison? {
        guard let data = try? Data(contentsOf: url.appendingPathComponent("variants.json")) else { return nil }
        return try? JSONDecoder().decode(VariantComparison.self, from: data)
    }
}

public enum RunLookupError: Error, CustomStringConvertible {
    case notARun(String)
    case unreadable(String, String)
    case noSuchRun(String, available: [String])

    public var description: String {
        switch self {
        case .notARun(let path):
            return "\(path) is not a run: it has no run.json (give a run id, a runs/<id> folder or an archive)"
        case .unreadable(let path, let why):
            return "\(path) could not be read as a run record: \(why)"
        case .noSuchRun(let name, let available):
            let list = available.suffix(5).joined(separator: ", ")
            return "no run '\(name)' in the store" + (available.isEmpty ? " (no runs yet)" : "; latest runs: \(list)")
        }
    }
}
