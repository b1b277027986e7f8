import Foundation
import S1Store

/// The durable record of one completed step. Its presence at `steps/<key>.json` is what makes a step cached, so
/// it is written last, atomically, after every output object is in the store.
public struct StepRecord: Codable, Sendable, Equatable {
    public static let schema = "s1-step-record/1"

    public var schema: String = StepRecord.schema
    public let name: String
    public let kind: String
    public let key: Digest
    /// The canonical JSON of the key's preimage, stored as an object: `s1 plan` diffs it to explain a miss.
    public let keyMaterial: Digest
    public let inputs: [String: Digest]
    public let outputs: [StepOutput]
    /// Decimal, because JSON readers lose integers above 2^53.
    public let seed: String
    public let pointLabel: String?
    /// Wall time of the execution that produced the outputs. Never part of a key.
    public let seconds: Double
    public let log: Digest?

    public func output(_ path: String) -> StepOutput? {
        outputs.first { $0.path == path }
    }
}

/// One output file of a step.
public struct StepOutput: Codable, Sendable, Equatable {
    public let path: String
    public let digest: Digest
    public let size: Int64
}

/// How a step's result was obtained in this run.
public struct StepOutcome: Codable, Sendable, Equatable {
    public let name: String
    public let kind: String
    public let key: Digest
    public let cached: Bool
    /// Wall time in this run: near zero when cached.
    public let seconds: Double
    public let seed: String
    public let pointLabel: String?
    public let outputs: [StepOutput]
}

/// Reads and writes step records and the per-experiment index of the last key of each step.
struct StepRecordStore {
    let root: URL

    var recordsDirectory: URL { root.appendingPathComponent("steps") }

    func recordURL(for key: Digest) -> URL {
        recordsDirectory.appendingPathComponent("\(key.hex).json")
    }

    func record(for key: Digest) -> StepRecord? {
        guard let data = try? Data(contentsOf: recordURL(for: key)) else { return nil }
        return try? JSONDecoder().decode(StepRecord.self, from: data)
    }

    func write(_ record: StepRecord) throws {
        try FileManager.default.createDirectory(at: recordsDirectory, withIntermediateDirectories: true)
        try AtomicFile.write(try StepRecord.encoder.encode(record), to: recordURL(for: record.key))
    }

    /// All records present, for garbage collection.
    func allRecordKeys() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: recordsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    // MARK: the index: experiment name → step name → key of its latest result

    private func indexURL(experiment: String) -> URL {
        root.appendingPathComponent("index").appendingPathComponent(safeFileName(experiment) + ".json")
    }

    func lastKeys(experiment: String) -> [String: Digest] {
        guard let data = try? Data(contentsOf: indexURL(experiment: experiment)),
              let keys = try? JSONDecoder().decode([String: Digest].self, from: data) else { return [:] }
        return keys
    }

    func updateLastKeys(experiment: String, _ keys: [String: Digest]) throws {
        var merged = lastKeys(experiment: experiment)
        merged.merge(keys) { _, new in new }
        let url = indexURL(experiment: experiment)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(try StepRecord.encoder.encode(merged), to: url)
    }
}

extension StepRecord {
    /// Sorted keys and no escaped slashes: records are hashed into manifests, so their bytes must be stable.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}

/// Experiment and step names become file names: keep letters, digits, `-`, `_`, `.`; map the rest to `_`.
func safeFileName(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
}
