import Foundation

/// One resolved entry of `variants:`.
public struct ResolvedVariant: Sendable {
    public let name: String
    /// Its `set` items as written.
    public let overrides: [String]
    public let spec: ResolvedSpec
}

/// A loaded, validated experiment: the typed structs, the resolved tree with defaults, and where each value came from.
public struct ResolvedSpec: Sendable {
    public let experiment: Experiment
    /// The whole resolved spec including defaults, typed by the schema (`lr` is `.double` even when written `1`).
    public let tree: SpecValue
    /// The spec path as given on the command line (nil when loaded from text).
    public let sourcePath: String?
    /// The folder relative paths resolve against: the spec file's folder.
    public let baseDirectory: String
    let origins: [String: ValueOrigin]
    /// `variants:` resolved: each one this spec with its overrides applied (and no variants of its own).
    public private(set) var variants: [ResolvedVariant] = []

    func with(variants: [ResolvedVariant]) -> ResolvedSpec {
        var copy = self
        copy.variants = variants
        return copy
    }

    /// The value at a key path such as `train`, `evaluate.sweeps[1]` or `data.select`.
    public func value(at keyPath: String) -> SpecValue? { tree.value(at: keyPath) }

    /// Where the value at a key path came from.
    public func origin(of keyPath: String) -> ValueOrigin? {
        guard value(at: keyPath) != nil else { return nil }
        return origins[keyPath]
    }

    /// Resolves a path from the spec (model.checkpoint, data.pool.jsonl, a benchmark's jsonl) against
    /// `baseDirectory`. Only for opening files: anything hashed keeps the path as written.
    public func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if baseDirectory.isEmpty || baseDirectory == "." { return path }
        return (baseDirectory as NSString).appendingPathComponent(path)
    }

    /// Every leaf of the resolved spec, one per line, sorted by key path: `train.lr: 1e-05  # default`.
    public func explain() -> String {
        var rows: [(String, String)] = []
        func walk(_ v: SpecValue, _ path: String) {
            switch v {
            case .map(let m) where !m.isEmpty:
                for key in m.keys.sorted() { walk(m[key]!, KeyPathSegment.join(path, key)) }
            case .list(let items) where !v.isScalarOrScalarList:
                for (i, item) in items.enumerated() { walk(item, KeyPathSegment.join(path, index: i)) }
            default:
                rows.append((path + ": " + v.flowText, origins[path]?.description ?? "default"))
            }
        }
        walk(tree, "")
        let width = min(rows.map(\.0.count).max() ?? 0, 72)
        return rows.map { text, origin in
            text + String(repeating: " ", count: max(1, width - text.count + 2)) + "# " + origin
        }.joined(separator: "\n") + "\n"
    }

    /// Deterministic YAML of `tree` (sorted keys, shortest round-trip floats); loading it gives the same tree.
    public func canonicalYAML() -> String { tree.canonicalYAML }
}
