/// `y = x·Wᵀ + b` for decoding, on weights repacked into panels: tile j holds output features 16j…16j+15 as a
/// (K, 16) block, so one vector load of `panel[k]` serves 16 outputs and each output's sum runs down k in lanes.
///
/// Why not `Linear.forward` (OpenBLAS): sgemm may pick different kernels and blockings for different row counts,
/// so a row's bits could depend on the batch it is decoded in. Here every output element is
/// `((0 + w₀x₀) + w₁x₁) + …` in k order, then `+ bias`, whatever the number of rows, their grouping or their
/// neighbours: a row's result is a function of that row alone (batch invariance, fork = regenerate).
/// Why panels instead of the (M, K) weights: a dot product per output needs a horizontal reduction of its vector
/// accumulator, and decoding's rows are short (K = 128 in s1-mini); in panel order there is none (batch 16 decoded
/// 7–11% faster than with the dot products).
///
/// The panels are a copy: the decoder packs the weights when it is made (as the CUDA decoder uploads them), so
/// a model trained afterwards needs a new decoder.
public struct PackedLinear {
    public let inFeatures: Int
    public let outFeatures: Int
    /// (tiles, K, 16) weights, then (tiles, 16) bias; features past `outFeatures` are zero.
    private let storage: FloatBuffer
    private let hasBias: Bool

    /// Decode rows per thread below which a step is not split: under 64 rows the hand-off to a second thread cost
    /// more than it saved (batch 16 decoded slower split). The decode step's attention uses the same threshold.
    static let minimumRowsPerTask = 32
    /// Rows that share each panel load (independent accumulators, 2 vector registers each).
    private static let rowGroup = 4

    private var tiles: Int { (outFeatures + 15) / 16 }

    /// Packs weight (M, K) (PyTorch layout) and bias (M).
    public init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, inFeatures K: Int, outFeatures M: Int) {
        inFeatures = K
        outFeatures = M
        hasBias = bias != nil
        let tiles = (M + 15) / 16
        storage = FloatBuffer(count: tiles * (K + 1) * 16)  // zeroed: padding features stay 0
        // The panels are `PanelGEMM`'s (`Linear.pack` for the forward direction); the bias follows them.
        Linear.pack(storage.pointer, weight: weight, inFeatures: K, outFeatures: M, for: .forward)
        if let bias { (storage.pointer + tiles * K * 16).update(from: bias, count: M) }
    }

    /// out (N, M) = inp (N, K) · Wᵀ + bias, rows split over the engine's threads.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows N: Int) {
        RowParallel.forEachChunk(rows: N, minimumRowsPerTask: Self.minimumRowsPerTask) { rows in
            forward(out: out, inp: inp, rows: rows)
        }
    }

    private func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Range<Int>) {
        let K = inFeatures, M = outFeatures
        let panels = UnsafePointer(storage.pointer), packedBias = panels + tiles * K * 16
        for tile in 0..<tiles {
            let panel = panels + tile * K * 16, column = tile * 16
            let bias = hasBias ? load16(packedBias + column) : SIMD16<Float>()
            var n = rows.lowerBound
            while n + Self.rowGroup <= rows.upperBound {
                let x0 = inp + n * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                for k in 0..<K {
                    let w = load16(panel + k * 16)
                    a0 += w * x0[k]
                    a1 += w * x1[k]
                    a2 += w * x2[k]
                    a3 += w * x3[k]
                }
                store(a0 + bias, row: out + n * M, column: column)
                store(a1 + bias, row: out + (n + 1) * M, column: column)
                store(a2 + bias, row: out + (n + 2) * M, column: column)
                store(a3 + bias, row: out + (n + 3) * M, column: column)
                n += Self.rowGroup
            }
            while n < rows.upperBound {
                let x = inp + n * K
                var a = SIMD16<Float>()
                for k in 0..<K { a += load16(panel + k * 16) * x[k] }
                store(a + bias, row: out + n * M, column: column)
                n += 1
            }
        }
    }

    /// Writes the lanes of `values` that are real features (the last tile may be partial).
    @inline(__always)
    private func store(_ values: SIMD16<Float>, row: UnsafeMutablePointer<Float>, column: Int) {
        if column + 16 <= outFeatures {
            store16(row + column, values)
        } else {
            for lane in 0..<(outFeatures - column) { row[column + lane] = values[lane] }
        }
    }
}
