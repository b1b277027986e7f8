/// A file or folder the experiment reads, as written in the spec.
public struct SpecInputPath: Hashable, Sendable {
    /// Where it is set, e.g. `model.checkpoint` or `evaluate.benchmarks[1].jsonl`.
    public let keyPath: String
    /// Exactly as written (relative paths stay relative; resolve with `ResolvedSpec.resolvePath`).
    public let path: String
}

extension ResolvedSpec {
    /// Every path-typed value of the spec (checkpoints, pool and benchmark files), in key-path order.
    /// The Runner hashes these as inputs and reports missing ones; the spec never checks that they exist.
    public var inputPaths: [SpecInputPath] {
        var found: [SpecInputPath] = []
        func walk(_ value: SpecValue, _ type: SchemaType, _ path: String) {
            switch (type, value) {
            case (.path, .string(let s)):
                found.append(SpecInputPath(keyPath: path, path: s))
            case (.record(let record), .map(let m)):
                for field in record.fields {
                    if let child = m[field.name] { walk(child, field.type, KeyPathSegment.join(path, field.name)) }
                }
            case (.list(let item, _), .list(let items)):
                for (i, child) in items.enumerated() { walk(child, item, KeyPathSegment.join(path, index: i)) }
            case (.either(let options), _):
                for option in options { walk(value, option, path) }
            default:
                break
            }
        }
        walk(tree, .record(ExperimentSchema.root), "")
        return found.sorted { $0.keyPath < $1.keyPath }
    }
}
