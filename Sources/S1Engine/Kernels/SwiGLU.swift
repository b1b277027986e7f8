/// The gated activation of Qwen2's MLP: `h = silu(gate) * up`, with `silu(g) = g·σ(g)`.
/// σ comes from `exp16` (vectorised, the same bits everywhere).
public enum SwiGLU {
    /// out (n) = silu(gate (n)) * up (n), elementwise over n = rows·I values.
    public static func forward(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>,
                               up: UnsafePointer<Float>, count n: Int) {
        sigmoidInPlace(out, gate, n)
        for i in 0..<n { out[i] = gate[i] * out[i] * up[i] }
    }

    /// dgate (n), dup (n) overwritten from dout (n) and the forward's inputs.
    public static func backward(dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                                count n: Int) {
        sigmoidInPlace(dgate, gate, n)  // dgate holds σ(g) until overwritten below
        for i in 0..<n {
            let g = gate[i], s = dgate[i]
            dup[i] = dout[i] * (g * s)
            // d silu/dg = σ(g)·(1 + g·(1 − σ(g)))
            dgate[i] = dout[i] * up[i] * (s * (1 + g * (1 - s)))
        }
    }
}
