import Foundation

/// One header of a tar archive, as stored (nothing resolved against the file system).
public struct ArchiveMember: Equatable, Sendable {
    /// What kind of file the header describes.
    public enum Kind: Equatable, Sendable {
        case file
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        case characterDevice
        case blockDevice
        case fifo
        case socket
        case unknown(mode: UInt32)
    }

    /// The member's path exactly as stored (directories may end in `/`).
    public let path: String
    public let kind: Kind
    /// Declared data size in bytes (0 for directories and links).
    public let size: Int64
    /// Permission bits (e.g. 0o644).
    public let mode: UInt16
    /// Modification time, seconds since the epoch.
    public let modificationTime: Int64
    public let uid: Int64
    public let gid: Int64

    /// The path without a trailing `/`.
    public var normalizedPath: String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}

/// Limits that `RunArchive.extract` enforces before writing anything.
public struct ExtractionLimits: Equatable, Sendable {
    /// Largest allowed single member, in bytes.
    public var maxMemberBytes: Int64
    /// Largest allowed sum of member sizes, in bytes.
    public var maxTotalBytes: Int64
    /// Most members allowed.
    public var maxMembers: Int

    public init(maxMemberBytes: Int64, maxTotalBytes: Int64, maxMembers: Int) {
        self.maxMemberBytes = maxMemberBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxMembers = maxMembers
    }

    /// 64 GiB per member (a 32B checkpoint shard fits), 256 GiB in all, one million members.
    public static let `default` = ExtractionLimits(
        maxMemberBytes: 64 << 30, maxTotalBytes: 256 << 30, maxMembers: 1_000_000)
}

/// The result of `RunArchive.verify`.
public struct ArchiveVerification: Equatable, Sendable {
    /// The archive identity: SHA-256 of the uncompressed tar stream.
    public let archiveID: Digest
    /// The single top-level folder of the archive (nil when there is none).
    public let rootName: String?
    /// The run id recomputed from the archived `manifest.json` (nil when it is absent).
    public let runID: String?
    /// Number of members (headers) read.
    public let memberCount: Int
    /// Everything wrong, in member order then path order; empty means verified.
    public let problems: [ArchiveProblem]

    /// Whether the archive matches its manifest and run id exactly.
    public var isValid: Bool { problems.isEmpty }
}

/// One thing `RunArchive.verify` found wrong.
public enum ArchiveProblem: Equatable, Sendable, CustomStringConvertible {
    /// A listed file whose bytes, size or mode differ from the manifest (path relative to the root).
    case tampered(path: String, reason: String)
    /// A listed file absent from the archive.
    case missing(path: String)
    /// A file in the archive the manifest does not list.
    case extra(path: String)
    /// The root folder's name is not the run id recomputed from `manifest.json`.
    case runIDMismatch(rootName: String, recomputed: String)
    /// No `<root>/manifest.json` member.
    case missingManifest
    /// `manifest.json` exists but cannot be parsed.
    case invalidManifest(reason: String)
    /// A member not under the single root folder (or with an unsafe path).
    case outsideRoot(member: String)
    /// A member that is neither a regular file nor a directory.
    case unexpectedType(member: String, kind: String)
    /// The same path twice.
    case duplicate(member: String)

    public var description: String {
        switch self {
        case .tampered(let path, let reason): return "tampered: \(path) (\(reason))"
        case .missing(let path): return "missing: \(path) (listed in the manifest, not in the archive)"
        case .extra(let path): return "extra: \(path) (in the archive, not listed in the manifest)"
        case .runIDMismatch(let root, let recomputed):
            return "run id mismatch: the archive's root folder is \(root) but manifest.json gives run id \(recomputed)"
        case .missingManifest: return "missing: manifest.json (cannot check members or run id)"
        case .invalidManifest(let reason): return "invalid manifest.json: \(reason)"
        case .outsideRoot(let member): return "outside the run folder: \(member)"
        case .unexpectedType(let member, let kind): return "unexpected \(kind): \(member) (runs hold only files)"
        case .duplicate(let member): return "duplicate member: \(member)"
        }
    }
}

/// Archive failures: unreadable input, and everything `extract` refuses.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libarchive reported an error.
    case libarchive(path: String, operation: String, message: String)
    /// The root folder name is not one safe path component.
    case invalidRootName(String)
    /// `SOURCE_DATE_EPOCH` is not a non-negative integer.
    case invalidSourceDateEpoch(String)
    /// The archive would be written inside the directory being archived (and so archive itself next time).
    case outputInsideDirectory(output: String, directory: String)
    /// A file's size changed between listing and archiving it.
    case fileChangedWhileArchiving(path: String)
    /// Absolute path, `..`, empty or `.` component, NUL.
    case unsafePath(member: String, reason: String)
    /// A symbolic or hard link (extraction accepts only files and directories).
    case linkRejected(member: String, target: String, kind: String)
    /// A device, fifo or socket.
    case specialFileRejected(member: String, kind: String)
    case memberTooLarge(member: String, size: Int64, limit: Int64)
    case totalTooLarge(member: String, total: Int64, limit: Int64)
    case tooManyMembers(limit: Int)
    case duplicateMember(member: String)
    /// A member would need a file where a directory is (or the other way round).
    case conflictingMember(member: String, reason: String)
    /// The member's data does not have its declared size, or the archive changed between the passes.
    case inconsistentMember(member: String, reason: String)
    /// The destination exists and is not an empty directory.
    case destinationNotEmpty(path: String)

    public var description: String {
        switch self {
        case .libarchive(let path, let operation, let message):
            return "\(path): \(operation) failed: \(message)"
        case .invalidRootName(let name):
            return "invalid archive root name \"\(name)\": expected one path component without '/', '.' or '..'"
        case .invalidSourceDateEpoch(let value):
            return "SOURCE_DATE_EPOCH: expected a non-negative integer of seconds, found \"\(value)\""
        case .outputInsideDirectory(let output, let directory):
            return "\(output): the archive must be written outside the directory it archives (\(directory)); "
                + "choose an output path elsewhere"
        case .fileChangedWhileArchiving(let path):
            return "\(path): the file changed while it was being archived; make sure no step is still writing, then retry"
        case .unsafePath(let member, let reason):
            return "member \"\(member)\": rejected, \(reason); nothing was extracted"
        case .linkRejected(let member, let target, let kind):
            return "member \"\(member)\": rejected, it is a \(kind) to \"\(target)\"; run archives hold no links, "
                + "so this archive was not written by s1; nothing was extracted"
        case .specialFileRejected(let member, let kind):
            return "member \"\(member)\": rejected, it is a \(kind); nothing was extracted"
        case .memberTooLarge(let member, let size, let limit):
            return "member \"\(member)\": rejected, \(size) bytes exceeds the \(limit)-byte member limit; nothing was extracted"
        case .totalTooLarge(let member, let total, let limit):
            return "member \"\(member)\": rejected, the archive's total size reaches \(total) bytes, over the "
                + "\(limit)-byte limit; nothing was extracted"
        case .tooManyMembers(let limit):
            return "archive has more than \(limit) members; nothing was extracted"
        case .duplicateMember(let member):
            return "member \"\(member)\": rejected, the path occurs twice; nothing was extracted"
        case .conflictingMember(let member, let reason):
            return "member \"\(member)\": rejected, \(reason); nothing was extracted"
        case .inconsistentMember(let member, let reason):
            return "member \"\(member)\": \(reason); the partial extraction was removed"
        case .destinationNotEmpty(let path):
            return "\(path): expected a new or empty directory, found existing content; choose another directory"
        }
    }
}
