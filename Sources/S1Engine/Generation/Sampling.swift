/// How the next token is chosen from the logits.
///
/// `temperature == 0` is greedy (the lowest id among equal maxima). Otherwise the logits are divided by the
/// temperature, softmaxed, cut to the smallest set of most likely tokens whose mass reaches `topP` (ties broken by
/// lower id), and one token is drawn with a uniform number from `CounterRNG` keyed by
/// (seed, request id, absolute position): the noise of a position never depends on other positions, other
/// sequences or how many draws were made before, so a longer generation's prefix equals a shorter one's.
public struct SamplingParameters: Sendable, Hashable, Codable {
    public var temperature: Double
    public var topP: Double
    public var seed: UInt64

    public init(temperature: Double = 0, topP: Double = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }

    /// Argmax decoding.
    public static let greedy = SamplingParameters()

    /// The uniform number in [0, 1) that picks the token at `position` of request `requestID`.
    public func uniform(requestID: UInt64, position: Int) -> Double {
        let bits = CounterRNG.draw(key: CounterRNG.derive(seed, requestID, UInt64(position)), counter: 0)
        return Double(bits >> 11) * 0x1.0p-53
    }
}

/// Picks tokens from logits with reusable scratch (no allocation per token once warmed up).
struct TokenSampler {
    private var probabilities: [Float] = []
    private var order: [Int32] = []

    /// The chosen id, or nil when every token is suppressed.
    mutating func sample(logits: UnsafePointer<Float>, vocabularySize V: Int, suppressed: [Int32],
                         parameters: SamplingParameters, requestID: UInt64, position: Int) -> Int32? {
        if probabilities.count < V {
            probabilities = [Float](repeating: 0, count: V)
            order = [Int32](repeating: 0, count: V)
        }
        return probabilities.withUnsafeMutableBufferPointer { p -> Int32? in
            let p = p.baseAddress!
            p.update(from: logits, count: V)
            for id in suppressed where id >= 0 && Int(id) < V { p[Int(id)] = -.infinity }
            if parameters.temperature <= 0 {
                var best = -1
                var bestValue = -Float.infinity
                for i in 0..<V where p[i] > bestValue {
                    best = i
                    bestValue = p[i]
                }
                return best < 0 ? nil : Int32(best)
            }
            let inverseTemperature = Float(1 / parameters.temperature)
            var top = -Float.infinity
            for i in 0..<V {
                p[i] *= inverseTemperature
                top = max(top, p[i])
            }
            guard top > -.infinity else { return nil }
            expShiftedInPlace(p, V, shift: top)
            // exp16 clamps its input, so suppressed tokens (−∞) come out tiny rather than 0: zero them.
            for id in suppressed where id >= 0 && Int(id) < V { p[Int(id)] = 0 }
            let u = parameters.uniform(requestID: requestID, position: position)
            if parameters.topP >= 1 {
                var total = 0.0
                for i in 0..<V { total += Double(p[i]) }
                let target = u * total
                var cumulative = 0.0, last = -1
                for i in 0..<V where p[i] > 0 {
                    cumulative += Double(p[i])
                    last = i
                    if cumulative > target { return Int32(i) }
                }
                return last < 0 ? nil : Int32(last)
            }
            return order.withUnsafeMutableBufferPointer { o -> Int32? in
                for i in 0..<V { o[i] = Int32(i) }
                var sorted = UnsafeMutableBufferPointer(rebasing: o[0..<V])
                sorted.sort { (a: Int32, b: Int32) -> Bool in
                    let pa: Float = p[Int(a)], pb: Float = p[Int(b)]
                    return pa != pb ? pa > pb : a < b
                }
                var total = 0.0
                for i in 0..<V { total += Double(p[i]) }
                // The nucleus: most likely tokens until their mass reaches topP of the total.
                let threshold = parameters.topP * total
                var kept = 0, mass = 0.0
                while kept < V && p[Int(sorted[kept])] > 0 {
                    mass += Double(p[Int(sorted[kept])])
                    kept += 1
                    if mass >= threshold { break }
                }
                guard kept > 0 else { return nil }
                let target = u * mass
                var cumulative = 0.0
                for j in 0..<kept {
                    cumulative += Double(p[Int(sorted[j])])
                    if cumulative > target { return sorted[j] }
                }
                return sorted[kept - 1]
            }
        }
    }
}
