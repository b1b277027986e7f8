import Foundation

/// Deterministic run archives: one tar (pax restricted) compressed with zstd, written with libarchive.
///
/// Determinism contract: members are `<rootName>/` and everything under the directory, directories
/// included explicitly, sorted by path bytes; every header has mtime = `sourceDateEpoch` (0 by default),
/// uid/gid 0, empty user/group names, no atime/ctime, mode 0644/0755 (0755 iff any execute bit), no
/// xattrs/ACLs; zstd level pinned with nothing time-dependent in the frame. So the same directory, at any
/// path, on any machine, gives the same tar stream, and with the same zstd build the same compressed bytes.
/// The archive identity is SHA-256 of the uncompressed tar stream, since compressor versions may change the
/// compressed bytes.
///
/// Run layout (the Runner writes it): the run directory holds `manifest.json` listing every other file;
/// the run id is the first 20 hex of SHA-256 of the exact `manifest.json` bytes; the root folder name is the
/// run id. `verify` checks that contract.
public enum RunArchive {
    /// Archives `directory` as `<rootName>/…` into `output` (written atomically: temp beside it, fsync,
    /// rename). Returns the archive identity.
    /// - Throws: `ArchiveError.invalidRootName`, `UnsupportedFileError` for links or special files in the
    ///   directory, `ArchiveError.fileChangedWhileArchiving`, `StoreIOError`, `ArchiveError.libarchive`.
    @discardableResult
    public static func write(directory: URL, rootName: String, to output: URL, sourceDateEpoch: Int64 = 0) throws -> Digest {
        guard isSafeRelativePath(rootName), !rootName.contains("/") else { throw ArchiveError.invalidRootName(rootName) }
        guard sourceDateEpoch >= 0 else { throw ArchiveError.invalidSourceDateEpoch(String(sourceDateEpoch)) }
        return try withUTF8Locale {
            try writeArchive(directory: directory, rootName: rootName, to: output, sourceDateEpoch: sourceDateEpoch)
        }
    }

    private static func writeArchive(directory: URL, rootName: String, to output: URL, sourceDateEpoch: Int64) throws -> Digest {
        let source = directory.standardizedFileURL.path
        if output.standardizedFileURL.path.hasPrefix(source + "/") {
            throw ArchiveError.outputInsideDirectory(output: output.path, directory: directory.path)
        }
        let items = try walkDirectory(directory)
        let outputDirectory = output.deletingLastPathComponent().path
        let temp = try TempFile(inDirectory: outputDirectory, prefix: "." + output.lastPathComponent, mode: 0o644)
        do {
            let identity: Digest
            do {
                let writer = try TarStreamWriter(outputFileDescriptor: temp.fd, outputPath: output.path)
                try writer.addDirectory(path: rootName, modificationTime: sourceDateEpoch)
                for item in items {
                    let memberPath = rootName + "/" + item.relativePath
                    switch item.kind {
                    case .directory:
                        try writer.addDirectory(path: memberPath, modificationTime: sourceDateEpoch)
                    case .file:
                        try writer.addFile(
                            path: memberPath, source: directory.appendingPathComponent(item.relativePath).path,
                            size: item.size, mode: item.mode, modificationTime: sourceDateEpoch)
                    }
                }
                identity = try writer.finish()
            }
            try temp.commit(to: output.path)
            return identity
        } catch {
            temp.discard()
            throw error
        }
    }

    /// Archives a run directory under its run id: reads `<directory>/manifest.json`, derives the run id
    /// from its exact bytes, checks the directory against it (so an archive is never made of a run that
    /// was changed after recording), and writes the archive with the run id as root folder.
    /// - Throws: `RunDirectoryError.doesNotMatchManifest` listing every problem, plus `write`'s errors.
    public static func writeRun(directory: URL, to output: URL, sourceDateEpoch: Int64 = 0) throws -> (runID: String, archiveID: Digest) {
        let manifestURL = directory.appendingPathComponent(Manifest.fileName)
        let bytes: Data
        do {
            bytes = try Data(contentsOf: manifestURL)
        } catch {
            throw StoreIOError(operation: "read manifest", path: manifestURL.path, reason: error.localizedDescription)
        }
        let manifest = try Manifest.decode(bytes, source: manifestURL.path)
        let problems = try manifest.verify(directory: directory)
        guard problems.isEmpty else { throw RunDirectoryError.doesNotMatchManifest(directory: directory.path, problems: problems) }
        let runID = Manifest.runID(manifestBytes: bytes)
        let identity = try write(directory: directory, rootName: runID, to: output, sourceDateEpoch: sourceDateEpoch)
        return (runID, identity)
    }

    /// `SOURCE_DATE_EPOCH` from the environment, or 0 when unset.
    /// - Throws: `ArchiveError.invalidSourceDateEpoch` when set to anything but a non-negative integer.
    public static func sourceDateEpochFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int64 {
        guard let text = environment["SOURCE_DATE_EPOCH"] else { return 0 }
        guard let value = Int64(text), value >= 0 else { throw ArchiveError.invalidSourceDateEpoch(text) }
        return value
    }

    /// Every header in archive order, as stored.
    public static func members(of archive: URL) throws -> [ArchiveMember] {
        try withUTF8Locale { try listMembers(of: archive) }
    }

    private static func listMembers(of archive: URL) throws -> [ArchiveMember] {
        let reader = try TarStreamReader(url: archive)
        var members = [ArchiveMember]()
        while let member = try reader.nextMember() { members.append(member) }
        return members
    }

    /// The archive identity: SHA-256 of the uncompressed tar stream.
    public static func identity(of archive: URL) throws -> Digest {
        try withUTF8Locale {
            let reader = try TarStreamReader(url: archive)
            while try reader.nextMember() != nil {}
            return try reader.finish()
        }
    }

    /// Checks an archive against the run layout contract: a single root folder named by the run id that
    /// `<root>/manifest.json` gives; every listed file present with its digest, size and mode; nothing
    /// unlisted; only files and directories. Nothing is written to disk. Problems are reported, not thrown.
    /// - Throws: only when the archive cannot be read at all (`ArchiveError.libarchive`).
    public static func verify(_ archive: URL) throws -> ArchiveVerification {
        try withUTF8Locale { try verifyArchive(archive) }
    }

    private static func verifyArchive(_ archive: URL) throws -> ArchiveVerification {
        let reader = try TarStreamReader(url: archive)
        var problems = [ArchiveProblem]()
        var rootName: String?
        var files = [String: (digest: Digest, size: Int64, mode: UInt16)]()
        var manifestBytes: Data?
        var seen = Set<String>()
        var count = 0
        while let member = try reader.nextMember() {
            count += 1
            let name = member.normalizedPath
            guard seen.insert(name).inserted else {
                problems.append(.duplicate(member: member.path))
                continue
            }
            let components = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard isSafeRelativePath(name) else {
                problems.append(.outsideRoot(member: member.path))
                continue
            }
            if rootName == nil { rootName = components[0] }
            guard components[0] == rootName else {
                problems.append(.outsideRoot(member: member.path))
                continue
            }
            let relative = components.dropFirst().joined(separator: "/")
            if relative.isEmpty {
                // The root itself must be a folder; a top-level file is outside any run folder.
                if member.kind != .directory { problems.append(.outsideRoot(member: member.path)) }
                continue
            }
            switch member.kind {
            case .directory:
                continue
            case .file:
                var hasher = IncrementalHasher()
                var bytes = Data()
                let isManifest = relative == Manifest.fileName
                let size = try reader.readData { chunk in
                    hasher.update(chunk)
                    if isManifest { bytes.append(contentsOf: chunk) }
                }
                if isManifest {
                    manifestBytes = bytes
                } else {
                    files[relative] = (hasher.finalize(), size, member.mode)
                }
            default:
                problems.append(.unexpectedType(member: member.path, kind: member.kind.name))
            }
        }
        let identity = try reader.finish()
        var runID: String?
        if let manifestBytes {
            let recomputed = Manifest.runID(manifestBytes: manifestBytes)
            runID = recomputed
            if let rootName, rootName != recomputed {
                problems.append(.runIDMismatch(rootName: rootName, recomputed: recomputed))
            }
            do {
                let manifest = try Manifest.decode(manifestBytes, source: Manifest.fileName)
                problems += compare(manifest, with: &files)
            } catch let error as ManifestError {
                if case .invalid(_, let reason) = error { problems.append(.invalidManifest(reason: reason)) }
            }
        } else if rootName != nil {
            problems.append(.missingManifest)
        }
        return ArchiveVerification(
            archiveID: identity, rootName: rootName, runID: runID, memberCount: count, problems: problems)
    }

    private static func compare(
        _ manifest: Manifest, with files: inout [String: (digest: Digest, size: Int64, mode: UInt16)]
    ) -> [ArchiveProblem] {
        var found = [ArchiveProblem]()
        for entry in manifest.entries {
            guard let file = files.removeValue(forKey: entry.path) else {
                found.append(.missing(path: entry.path))
                continue
            }
            if let reason = Manifest.mismatch(entry, digest: file.digest, size: file.size, mode: file.mode) {
                found.append(.tampered(path: entry.path, reason: reason))
            }
        }
        found += files.keys.map { ArchiveProblem.extra(path: $0) }
        return found.sorted { Array(problemPath($0).utf8).lexicographicallyPrecedes(Array(problemPath($1).utf8)) }
    }

    private static func problemPath(_ problem: ArchiveProblem) -> String {
        switch problem {
        case .tampered(let path, _), .missing(let path), .extra(let path): return path
        default: return ""
        }
    }
}

/// A run directory that does not match its own manifest.
public enum RunDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case doesNotMatchManifest(directory: String, problems: [ManifestProblem])

    public var description: String {
        switch self {
        case .doesNotMatchManifest(let directory, let problems):
            return "\(directory): the run folder does not match its manifest.json (it was changed after the run "
                + "was recorded); rerun the run to record it again:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
