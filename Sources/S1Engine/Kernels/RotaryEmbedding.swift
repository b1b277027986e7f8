import Foundation

/// Rotary position embedding in HF's `rotate_half` convention: for a head vector x of width d and i < d/2,
///   x'[i]       = x[i]·cos(pθᵢ) − x[i+d/2]·sin(pθᵢ)
///   x'[i+d/2]   = x[i+d/2]·cos(pθᵢ) + x[i]·sin(pθᵢ),   θᵢ = theta^(−2i/d).
/// Angles are formed in fp32 as HF does (`position * inv_freq` is an fp32 product), so long positions round the
/// same way. The frequencies, cos and sin are taken in double and rounded once to fp32: libm's double functions
/// are accurate to within an ulp, so two libm builds give the same fp32 value unless the double result lies
/// within an ulp of an fp32 rounding boundary (about one call in 2^28), where a float libm function would
/// differ far more often.
public struct RotaryEmbedding: Sendable, Equatable {
    public let headDim: Int
    public let inverseFrequencies: [Float]

    public init(headDim: Int, theta: Double) {
        self.headDim = headDim
        inverseFrequencies = (0..<(headDim / 2)).map { i in
            Float(1 / Foundation.pow(theta, Double(2 * i) / Double(headDim)))
        }
    }

    /// cos (d/2) and sin (d/2) of the angles at `position`.
    public func angles(position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        for i in 0..<(headDim / 2) {
            let angle = Double(Float(position) * inverseFrequencies[i])
            cos[i] = Float(Foundation.cos(angle))
            sin[i] = Float(Foundation.sin(angle))
        }
    }

    /// Tables cos (T, d/2) and sin (T, d/2) for positions 0..<T.
    public func table(positions T: Int) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        var cosTable = [Float](repeating: 0, count: T * half)
        var sinTable = [Float](repeating: 0, count: T * half)
        cosTable.withUnsafeMutableBufferPointer { c in
            sinTable.withUnsafeMutableBufferPointer { s in
                for t in 0..<T { angles(position: t, cos: c.baseAddress! + t * half, sin: s.baseAddress! + t * half) }
            }
        }
        return (cosTable, sinTable)
    }

    /// Rotates `heads` head vectors of one position in place: x (heads, d); cos, sin (d/2).
    public static func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim d: Int,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        rotate(x, heads: heads, headDim: d, cos: cos, sin: sin, direction: 1)
    }

    /// Backward of `apply` (the inverse rotation), in place on the gradient: dx (heads, d).
    public static func applyBackward(_ dx: UnsafeMutablePointer<Float>, heads: Int, headDim d: Int,
                                     cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        rotate(dx, heads: heads, headDim: d, cos: cos, sin: sin, direction: -1)
    }

    /// (a, b) ← (a·cos − s·b·sin, b·cos + s·a·sin) for the two halves a, b of each head, s = `direction` (±1,
    /// exact, so both directions keep the operations of the plain formula). 16 pairs at a time, then one by one:
    /// the same arithmetic per element either way.
    @inline(__always)
    private static func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim d: Int,
                               cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, direction: Float) {
        let half = d / 2
        for h in 0..<heads {
            let v = x + h * d
            var i = 0
            while i + 16 <= half {
                let a = load16(v + i), b = load16(v + i + half)
                let c = load16(cos + i), s = load16(sin + i) * direction
                store16(v + i, a * c - b * s)
                store16(v + i + half, b * c + a * s)
                i += 16
            }
            while i < half {
                let a = v[i], b = v[i + half], s = sin[i] * direction
                v[i] = a * cos[i] - b * s
                v[i + half] = b * cos[i] + a * s
                i += 1
            }
        }
    }
}
