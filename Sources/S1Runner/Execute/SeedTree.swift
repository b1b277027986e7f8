import Foundation
import S1Store

/// The seed tree: every random draw of a run descends from the experiment's root seed through named branches.
///
/// `seed(step, point, index)` = the first 8 bytes (big-endian) of SHA-256 over the NUL-separated fields
/// `s1-seed/1, root, step, point, index`. Hashing the names (rather than, say, adding offsets) means that adding a
/// step or a sweep point never shifts another one's seed.
public struct SeedTree: Sendable {
    public let root: UInt64

    public init(root: UInt64) {
        self.root = root
    }

    public func seed(step: String, point: String? = nil, index: Int? = nil) -> UInt64 {
        let fields = ["s1-seed/1", String(root), step, point ?? "", index.map(String.init) ?? ""]
        let digest = ContentHasher.digest(of: Data(fields.joined(separator: "\u{0}").utf8))
        return digest.bytes.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }
}
