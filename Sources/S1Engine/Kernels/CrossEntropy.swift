import Foundation

/// Softmax cross-entropy over selected rows, fused with its gradient (the logits are overwritten by dlogits).
public enum CrossEntropy {
    /// For each row n with targets[n] ≥ 0: loss_n = logsumexp(logits[n]) − logits[n][targets[n]].
    /// logits (N, V) become dlogits = (softmax − onehot)·gradScale on selected rows and 0 on ignored rows
    /// (targets[n] < 0). Returns Σ loss_n over selected rows, accumulated in Double in row order.
    public static func forwardBackward(logits: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>,
                                       rows N: Int, vocabulary V: Int, gradScale: Float) -> Double {
        // Rows in parallel; their losses are summed afterwards in row order, so the total has a fixed order.
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: max(N, 1))
        defer { losses.deallocate() }
        RowParallel.forEachChunk(rows: N) { rows in
            for n in rows {
                let row = logits + n * V
                let target = Int(targets[n])
                losses[n] = 0
                guard target >= 0 else {
                    row.update(repeating: 0, count: V)
                    continue
                }
                let targetLogit = row[target]
                let m = maximum(row, V)
                let z = expShiftedInPlace(row, V, shift: m)
                losses[n] = Double(m + Foundation.log(z) - targetLogit)
                let inverse = 1 / z
                for i in 0..<V { row[i] = row[i] * inverse * gradScale }
                row[target] -= gradScale
            }
        }
        var total: Double = 0
        for n in 0..<N { total += losses[n] }
        return total
    }

    /// Σ loss_n over selected rows without touching the logits (evaluation).
    public static func loss(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                            rows N: Int, vocabulary V: Int) -> Double {
        var total: Double = 0
        for n in 0..<N {
            let target = Int(targets[n])
            guard target >= 0 else { continue }
            let row = logits + n * V
            let m = maximum(row, V)
            var z: Float = 0
            for i in 0..<V { z += Foundation.exp(row[i] - m) }  // sequential: fixed order
            total += Double(m + Foundation.log(z) - row[target])
        }
        return total
    }
}
