import Foundation

/// AdamW with decoupled weight decay (PyTorch `torch.optim.AdamW` semantics), fp32 moments in the parameter
/// layout. Weight decay applies only to slots with `decays` (not to biases and norm gains, as HF Trainer).
public final class AdamW: @unchecked Sendable {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// First and second moments, same layout as the parameters.
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Steps taken (bias correction uses it).
    public var stepCount: Int = 0

    public init(parameterCount: Int, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double) {
        self.beta1 = Float(beta1)
        self.beta2 = Float(beta2)
        self.epsilon = Float(epsilon)
        self.weightDecay = Float(weightDecay)
        firstMoment = FloatBuffer(count: parameterCount)
        secondMoment = FloatBuffer(count: parameterCount)
    }

    /// One update of `parameters` from `gradients` at learning rate `learningRate`.
    public func step(parameters: FloatBuffer, gradients: FloatBuffer, layout: ParameterLayout, learningRate: Double) {
        stepCount += 1
        let lr = Float(learningRate)
        let t = Double(stepCount)
        let stepSize = lr / Float(1 - Foundation.pow(Double(beta1), t))
        let correction2 = Float(Foundation.pow(1 - Foundation.pow(Double(beta2), t), 0.5))
        let b1 = beta1, b2 = beta2, eps = epsilon
        let p = parameters.pointer, g = gradients.pointer, m = firstMoment.pointer, v = secondMoment.pointer
        // Elementwise, so threads take disjoint ranges of the buffer and the bits do not depend on the split.
        RowParallel.forEachChunk(rows: parameters.count, minimumRowsPerTask: 16_384) { range in
            for slot in layout.slots where slot.offset < range.upperBound && slot.offset + slot.count > range.lowerBound {
                let decay: Float = slot.decays ? 1 - lr * weightDecay : 1
                // 16 parameters at a time: the same operations in the same order as the scalar tail (IEEE square
                // root and division are exact per lane), so the result does not depend on where a range starts.
                var i = max(slot.offset, range.lowerBound)
                let end = min(slot.offset + slot.count, range.upperBound)
                while i + 16 <= end {
                    let gi = load16(g + i)
                    var pi = load16(p + i), mi = load16(m + i), vi = load16(v + i)
                    pi *= decay
                    mi = b1 * mi + (1 - b1) * gi
                    vi = b2 * vi + (1 - b2) * gi * gi
                    let denominator = vi.squareRoot() / correction2 + eps
                    pi -= stepSize * (mi / denominator)
                    store16(p + i, pi)
                    store16(m + i, mi)
                    store16(v + i, vi)
                    i += 16
                }
                while i < end {
                    let gi = g[i]
                    p[i] *= decay
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    let denominator = v[i].squareRoot() / correction2 + eps
                    p[i] -= stepSize * (m[i] / denominator)
                    i += 1
                }
            }
        }
    }
}

/// Global L2 norm of a buffer, reduced in a fixed order (SIMD chunks summed into a Double, chunk by chunk).
public func globalNorm(_ buffer: FloatBuffer) -> Double {
    var total = 0.0
    let chunk = 4096
    var start = 0
    while start < buffer.count {
        let n = min(chunk, buffer.count - start)
        total += Double(dotProduct(buffer.pointer + start, buffer.pointer + start, n))
        start += n
    }
    return total.squareRoot()
}

/// Scales the gradients so that their global norm is at most `maxNorm` (PyTorch `clip_grad_norm_`:
/// coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradients: FloatBuffer, maxNorm: Double) -> Double {
    let norm = globalNorm(gradients)
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        let c = Float(coefficient), g = gradients.pointer
        for i in 0..<gradients.count { g[i] *= c }
    }
    return norm
}
