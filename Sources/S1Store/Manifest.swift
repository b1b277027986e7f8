import Foundation

/// A run's `manifest.json`: path, SHA-256, size and mode of every file of the run directory except the
/// manifest itself, sorted by path bytes.
///
/// The run id is derived from the manifest's exact bytes, so the manifest must be written the same way
/// everywhere. Its layout is fixed here rather than left to JSONEncoder (whose spacing is not a contract):
/// ```
/// {"entries":[
/// {"mode":"0644","path":"a.txt","sha256":"sha256:…","size":3},
/// {"mode":"0755","path":"bin/tool","sha256":"sha256:…","size":10}
/// ],"version":1}
/// ```
/// One canonical-JSON entry per line (so `diff` of two manifests reads well), a trailing newline.
public struct Manifest: Codable, Equatable, Sendable {
    /// Manifest format version.
    public static let formatVersion = 1
    /// The manifest's file name inside a run directory.
    public static let fileName = "manifest.json"
    /// Hex digits of the run id.
    public static let runIDLength = 20

    /// One file of the run.
    public struct Entry: Codable, Equatable, Sendable {
        /// Relative path with `/` separators.
        public var path: String
        public var sha256: Digest
        public var size: Int64
        /// 0o644 or 0o755; written in JSON as the string "0644" / "0755".
        public var mode: UInt16

        public init(path: String, sha256: Digest, size: Int64, mode: UInt16) {
            self.path = path
            self.sha256 = sha256
            self.size = size
            self.mode = mode
        }

        enum CodingKeys: String, CodingKey { case path, sha256, size, mode }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            sha256 = try c.decode(Digest.self, forKey: .sha256)
            size = try c.decode(Int64.self, forKey: .size)
            let modeText = try c.decode(String.self, forKey: .mode)
            guard modeText == "0644" || modeText == "0755" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .mode, in: c, debugDescription: "expected mode \"0644\" or \"0755\", found \"\(modeText)\"")
            }
            mode = modeText == "0755" ? 0o755 : 0o644
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(size, forKey: .size)
            try c.encode(Manifest.modeText(mode), forKey: .mode)
        }

        var canonical: CanonicalValue {
            .object([
                "path": .string(path), "sha256": .string(sha256.description), "size": .int(size),
                "mode": .string(Manifest.modeText(mode)),
            ])
        }
    }

    public var version: Int
    /// Sorted by path bytes.
    public var entries: [Entry]

    /// Builds a manifest from entries (sorted here).
    public init(entries: [Entry]) {
        self.version = Manifest.formatVersion
        self.entries = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    }

    /// Hashes every regular file under `directory` (relative paths not in `excluding`).
    /// - Parameter statCache: optional, to skip rehashing unchanged files.
    /// - Throws: `UnsupportedFileError` for links, devices, fifos, sockets.
    public static func build(
        directory: URL, excluding: Set<String> = [Manifest.fileName], statCache: StatCache? = nil
    ) throws -> Manifest {
        var entries = [Entry]()
        for item in try walkDirectory(directory) where item.kind == .file && !excluding.contains(item.relativePath) {
            let path = directory.appendingPathComponent(item.relativePath).path
            let digest: Digest
            var size = item.size
            if let cache = statCache {
                digest = try cache.digest(ofFile: path)
            } else {
                (digest, size) = try ContentHasher.digestAndSize(ofFile: path)
            }
            entries.append(Entry(path: item.relativePath, sha256: digest, size: size, mode: item.mode))
        }
        return Manifest(entries: entries)
    }

    /// The exact bytes written to `manifest.json` (see the type's documentation).
    public func encoded() throws -> Data {
        var text = "{\"entries\":["
        for (index, entry) in entries.enumerated() {
            text += index == 0 ? "\n" : ",\n"
            text += String(decoding: try entry.canonical.canonicalJSON(), as: UTF8.self)
        }
        text += (entries.isEmpty ? "" : "\n") + "],\"version\":\(version)}\n"
        return Data(text.utf8)
    }

    /// Writes `manifest.json` atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(try encoded(), to: url)
    }

    /// Parses manifest bytes.
    /// - Throws: `ManifestError.invalid` naming `source` and what is wrong.
    public static func decode(_ data: Data, source: String) throws -> Manifest {
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw ManifestError.invalid(path: source, reason: describe(error))
        }
        guard manifest.version == formatVersion else {
            throw ManifestError.invalid(
                path: source, reason: "expected version \(formatVersion), found \(manifest.version)")
        }
        var seen = Set<String>()
        for entry in manifest.entries {
            guard isSafeRelativePath(entry.path) else {
                throw ManifestError.invalid(
                    path: source, reason: "entry path \"\(entry.path)\" is not a relative path inside the run")
            }
            guard seen.insert(entry.path).inserted else {
                throw ManifestError.invalid(path: source, reason: "entry path \"\(entry.path)\" is listed twice")
            }
        }
        return manifest
    }

    /// Reads and parses `manifest.json`.
    public static func read(from url: URL) throws -> Manifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StoreIOError(operation: "read manifest", path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// The run id: the first 20 hex digits of SHA-256 of the exact `manifest.json` bytes.
    public static func runID(manifestBytes: Data) -> String {
        String(ContentHasher.digest(of: manifestBytes).hex.prefix(runIDLength))
    }

    /// Checks `directory` against this manifest: every entry's size, digest and mode, every missing entry,
    /// every file not listed (except `excluding`). Sorted by path; empty means the directory matches.
    public func verify(directory: URL, excluding: Set<String> = [Manifest.fileName]) throws -> [ManifestProblem] {
        var found = [String: WalkedItem]()
        for item in try walkDirectory(directory) where item.kind == .file && !excluding.contains(item.relativePath) {
            found[item.relativePath] = item
        }
        var problems = [ManifestProblem]()
        for entry in entries {
            guard let item = found.removeValue(forKey: entry.path) else {
                problems.append(.missing(path: entry.path))
                continue
            }
            let (digest, size) = try ContentHasher.digestAndSize(
                ofFile: directory.appendingPathComponent(entry.path).path)
            if let reason = Manifest.mismatch(entry, digest: digest, size: size, mode: item.mode) {
                problems.append(.tampered(path: entry.path, reason: reason))
            }
        }
        problems += found.keys.map { ManifestProblem.extra(path: $0) }
        return problems.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    }

    /// Why a file does not match its entry, or nil when it does.
    static func mismatch(_ entry: Entry, digest: Digest, size: Int64, mode: UInt16) -> String? {
        var reasons = [String]()
        if size != entry.size { reasons.append("size \(entry.size) expected, \(size) found") }
        if digest != entry.sha256 { reasons.append("\(entry.sha256) expected, \(digest) found") }
        if mode != entry.mode { reasons.append("mode \(modeText(entry.mode)) expected, \(modeText(mode)) found") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    static func modeText(_ mode: UInt16) -> String {
        "0" + String(mode, radix: 8)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context), DecodingError.keyNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return (path.isEmpty ? "" : "at \(path): ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// A relative path with `/` separators, no empty, `.` or `..` component, not absolute.
func isSafeRelativePath(_ path: String) -> Bool {
    guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
    for component in path.split(separator: "/", omittingEmptySubsequences: false) {
        if component.isEmpty || component == "." || component == ".." { return false }
    }
    return true
}

/// One way a directory (or archive) differs from its manifest.
public enum ManifestProblem: Equatable, Sendable, CustomStringConvertible {
    /// Present but with other bytes, size or mode than listed.
    case tampered(path: String, reason: String)
    /// Listed but absent.
    case missing(path: String)
    /// Present but not listed.
    case extra(path: String)

    /// The relative path concerned.
    public var path: String {
        switch self {
        case .tampered(let path, _), .missing(let path), .extra(let path): return path
        }
    }

    public var description: String {
        switch self {
        case .tampered(let path, let reason): return "tampered: \(path) (\(reason))"
        case .missing(let path): return "missing: \(path) (listed in the manifest, not present)"
        case .extra(let path): return "extra: \(path) (present, not listed in the manifest)"
        }
    }
}

/// A manifest that cannot be used.
public enum ManifestError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let path, let reason): return "\(path): invalid manifest: \(reason)"
        }
    }
}
