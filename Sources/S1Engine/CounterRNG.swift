/// A counter-based random generator: the n-th draw is a pure function of (key, n).
///
/// Why counter-based: sampling noise for a token must depend only on (seed, request, position), never on how
/// many draws other sequences made before it, so that a longer generation's prefix equals a shorter one's and a
/// sequence decodes the same alone or in a batch. Draws are SplitMix64 finalisers of `key + n·γ`, which pass
/// BigCrush for sequential counters and cost a few integer operations.
///
/// The uniform-integer and shuffle helpers are our own (not the standard library's `random(in:using:)` or
/// `shuffle(using:)`), because the standard library does not promise to keep its algorithms across releases, and
/// a selection must be byte-identical wherever it is rerun.
public struct CounterRNG: RandomNumberGenerator, Sendable {
    public let key: UInt64
    /// Index of the next draw.
    public private(set) var counter: UInt64

    public init(key: UInt64, counter: UInt64 = 0) {
        self.key = key
        self.counter = counter
    }

    /// The draw at `counter` for `key`, without any state.
    @inline(__always)
    public static func draw(key: UInt64, counter: UInt64) -> UInt64 {
        var z = key &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A child key for a labelled sub-stream, e.g. `derive(seed, request, position)`.
    /// Each label is folded in with a full mixing round, so `derive(k, a, b) != derive(k, b, a)`.
    public static func derive(_ key: UInt64, _ labels: UInt64...) -> UInt64 {
        labels.reduce(draw(key: key, counter: 0x5EED)) { accumulated, label in
            draw(key: accumulated ^ 0xA076_1D64_78BD_642F, counter: label)
        }
    }

    public mutating func next() -> UInt64 {
        defer { counter &+= 1 }
        return Self.draw(key: key, counter: counter)
    }

    /// Uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<bound, unbiased (Lemire's multiply-and-reject).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Fisher–Yates shuffle, in place, with this generator's own uniform integers.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = nextIndex(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }
}
