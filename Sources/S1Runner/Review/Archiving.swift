import Foundation
import S1Store

/// `s1 archive`, `s1 verify`, `s1 extract`: a run as one deterministic tarball, and the checks a reviewer makes.
extension Workspace {
    public enum InputBytes: String, CaseIterable, Sendable {
        /// Input files travel inside the archive.
        case full
        /// Inputs are pinned by digest only; the reviewer supplies the same bytes.
        case digestOnly = "digest-only"
    }

    public struct ArchiveSummary {
        public let output: URL
        public let runID: String
        /// SHA-256 of the uncompressed tar stream: stable across zstd versions.
        public let archiveID: Digest
        public let members: Int
    }

    /// Writes the run as `<run-id>/…` in one pax tar, zstd-compressed. With `digest-only`, a derived run directory
    /// without input bytes is archived instead (its run id differs, because its manifest does).
    public func archive(_ run: RunDirectory, to output: URL, inputs: InputBytes) throws -> ArchiveSummary {
        var directory = run
        var cleanup: URL?
        if inputs == .digestOnly {
            let derived = try withoutInputBytes(run)
            directory = derived
            cleanup = derived.url.deletingLastPathComponent()
        }
        defer { if let cleanup { try? FileManager.default.removeItem(at: cleanup) } }
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Int64.init) ?? 0
        let identity = try RunArchive.write(directory: directory.url, rootName: directory.runID, to: output,
                                            sourceDateEpoch: epoch)
        let members = try RunArchive.members(of: output).count
        return ArchiveSummary(output: output, runID: directory.runID, archiveID: identity, members: members)
    }

    /// A copy of the run whose record marks every input as digest-only and whose store slice omits input bytes.
    private func withoutInputBytes(_ run: RunDirectory) throws -> RunDirectory {
        let record = try run.record()
        let scratch = storeRoot.appendingPathComponent("tmp").appendingPathComponent("derive-\(getpid())-\(UUID().uuidString)")
        let staging = scratch.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: run.url, to: staging)
        let stagingStore = try ContentStore(root: staging.appendingPathComponent(RunDirectory.storeFolder))
        let outputs = Set(record.steps.flatMap { $0.outputs.map(\.digest) })
        for input in record.inputs where input.included && !outputs.contains(input.digest) {
            try? FileManager.default.removeItem(at: stagingStore.path(for: input.digest))
        }
        let derived = RunRecord(
            experiment: record.experiment, toolVersion: record.toolVersion, code: record.code, spec: record.spec,
            rootSeed: record.rootSeed, steps: record.steps,
            inputs: record.inputs.map { RunInput(path: $0.path, digest: $0.digest, included: false) },
            published: record.published, selection: record.selection)
        try StepRecord.encoder.encode(derived).write(to: staging.appendingPathComponent(RunDirectory.recordFile))
        let manifestData = try Manifest.build(directory: staging).encoded()
        try manifestData.write(to: staging.appendingPathComponent(RunDirectory.manifestFile))
        let named = scratch.appendingPathComponent(Manifest.runID(manifestBytes: manifestData))
        try FileManager.default.moveItem(at: staging, to: named)
        return try RunDirectory(url: named)
    }
}
