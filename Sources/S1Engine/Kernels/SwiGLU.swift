import Foundation

/// The gated activation of Qwen2's MLP: `h = silu(gate) * up`, with `silu(g) = g·σ(g)`.
public enum SwiGLU {
    /// out (n) = silu(gate (n)) * up (n), elementwise over n = rows·I values.
    public static func forward(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>,
                               up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            out[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
    }

    /// dgate (n), dup (n) overwritten from dout (n) and the forward's inputs.
    public static func backward(dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                                count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            let s = 1 / (1 + Foundation.exp(-g))
            let silu = g * s
            dup[i] = dout[i] * silu
            // d silu/dg = σ(g)·(1 + g·(1 − σ(g)))
            dgate[i] = dout[i] * up[i] * (s * (1 + g * (1 - s)))
        }
    }
}
