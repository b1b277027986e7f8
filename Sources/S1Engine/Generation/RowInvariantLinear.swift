/// `y = x·Wᵀ + b` for decoding, where every output element is `dotProduct(x_row, W_col)` (+ bias) in one fixed
/// order, whatever the number of rows, their memory addresses or the row's neighbours.
///
/// Why not `Linear.forward` (OpenBLAS): sgemm may pick different kernels and blockings for different row counts,
/// and its one-row path (gemv) may peel for alignment, so a row's bits could depend on the batch it is decoded
/// in. Batch invariance and "fork = regenerate" need a row's result to be a function of that row alone.
/// Four weight rows share each input load (independent accumulators hide the add latency); each accumulator
/// performs exactly the operations of `dotProduct`, so the blocking does not change any bit.
enum RowInvariantLinear {
    /// Decode rows per thread below which a step is not split: under 64 rows the hand-off to a second thread cost
    /// more than it saved (batch 16 decoded slower split). The decode step's attention uses the same threshold.
    static let minimumRowsPerTask = 32

    /// out (N, M) = inp (N, K) · weight (M, K)ᵀ + bias (M).
    static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        // Rows are independent, so threads take disjoint rows (each thread reads every weight block once).
        RowParallel.forEachChunk(rows: N, minimumRowsPerTask: minimumRowsPerTask) { rows in
            forward(out: out + rows.lowerBound * M, inp: inp + rows.lowerBound * K, weight: weight, bias: bias,
                    rowCount: rows.count, inFeatures: K, outFeatures: M)
        }
    }

    private static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                rowCount N: Int, inFeatures K: Int, outFeatures M: Int) {
        let vectorEnd = K - K % 16
        // Outer loop over blocks of 4 weight rows (kept in L1), inner over the input rows: each weight byte is
        // read from L2 once per call instead of once per row. The order of blocks changes no result.
        var m = 0
        while m + 4 <= M {
            let w0 = weight + m * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K
            for n in 0..<N {
                let x = inp + n * K, y = out + n * M
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var i = 0
                while i < vectorEnd {
                    let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                    a0 += v * UnsafeRawPointer(w0 + i).loadUnaligned(as: SIMD16<Float>.self)
                    a1 += v * UnsafeRawPointer(w1 + i).loadUnaligned(as: SIMD16<Float>.self)
                    a2 += v * UnsafeRawPointer(w2 + i).loadUnaligned(as: SIMD16<Float>.self)
                    a3 += v * UnsafeRawPointer(w3 + i).loadUnaligned(as: SIMD16<Float>.self)
                    i += 16
                }
                var t0 = pairwiseSum(a0), t1 = pairwiseSum(a1), t2 = pairwiseSum(a2), t3 = pairwiseSum(a3)
                while i < K {
                    t0 += x[i] * w0[i]
                    t1 += x[i] * w1[i]
                    t2 += x[i] * w2[i]
                    t3 += x[i] * w3[i]
                    i += 1
                }
                y[m] = t0
                y[m + 1] = t1
                y[m + 2] = t2
                y[m + 3] = t3
            }
            m += 4
        }
        while m < M {
            for n in 0..<N { out[n * M + m] = rowDot(inp + n * K, weight + m * K, K) }
            m += 1
        }
        if let bias {
            for n in 0..<N {
                let y = out + n * M
                for j in 0..<M { y[j] += bias[j] }
            }
        }
    }
}

/// The 16 lanes added as a fixed tree (halves, then quarters, ...): the same order on every call, and about a
/// third of the dependent additions of a lane-by-lane sum, which dominated the short dot products of decoding.
@inline(__always)
func pairwiseSum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// `dotProduct` with the lanes reduced by `pairwiseSum`, for the output columns outside the 4-row blocks.
@inline(__always)
func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var accumulator = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        accumulator += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var total = pairwiseSum(accumulator)
    while i < n {
        total += a[i] * b[i]
        i += 1
    }
    return total
}
