import COpenBLAS

/// A linear layer `y = x·Wᵀ + b` with PyTorch's weight layout `(out, in)`, through OpenBLAS `cblas_sgemm`.
///
/// Threads: each GEMM is split over `EngineEnvironment.workerCount` single-threaded `cblas_sgemm` calls by the
/// rows or columns of its output (never by the reduction), so every output element is one thread's sum in one
/// order. The split depends only on the shape and the thread count.
///
/// Batch invariance: OpenBLAS may pick different kernels (and edge paths) for different row counts M, so the
/// batched `forward` is only guaranteed to be deterministic for a fixed shape. Decoding paths whose rows must
/// not depend on the batch composition use `forwardRowInvariant`, which computes every row with the same
/// one-row call, so a row's result is a function of that row alone.
public enum Linear {
    /// out (N, M) = inp (N, K) · weight (M, K)ᵀ + bias (M); with `accumulate`, out (N, M) += inp · weightᵀ (+ bias).
    /// Without `accumulate` a bias is written into `out` first and the GEMM adds to it (β = 1): OpenBLAS's β = 0
    /// would zero `out` in a pass of its own, and the bias would need another.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               rows N: Int, inFeatures K: Int, outFeatures M: Int, accumulate: Bool = false) {
        guard N > 0 else { return }
        RowParallel.forEachChunk(rows: N, minimumRowsPerTask: minimumRowsPerTask) { rows in
            forward(out: out, inp: inp, weight: weight, bias: bias, rows: rows, inFeatures: K, outFeatures: M,
                    accumulate: accumulate)
        }
    }

    /// `forward` for the given rows of inp and out only, on the calling thread (one `cblas_sgemm`).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               rows: Range<Int>, inFeatures K: Int, outFeatures M: Int, accumulate: Bool = false) {
        guard !rows.isEmpty else { return }
        let prefillBias = bias != nil && !accumulate
        if let bias, prefillBias {
            for n in rows { (out + n * M).update(from: bias, count: M) }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(M), Int32(K),
                    1, inp + rows.lowerBound * K, Int32(K), weight, Int32(K), accumulate || prefillBias ? 1 : 0,
                    out + rows.lowerBound * M, Int32(M))
        if let bias, accumulate {
            for n in rows {
                let row = out + n * M
                for m in 0..<M { row[m] += bias[m] }
            }
        }
    }

    /// Rows (or weight-gradient columns) per thread below which a GEMM is not split: smaller pieces cost more in
    /// hand-off than they save.
    static let minimumRowsPerTask = 64

    /// Same as `forward`, but each row is computed by an identical one-row GEMM call, so row n's output does
    /// not depend on N or on the other rows (batch-invariant decoding).
    public static func forwardRowInvariant(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                           weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                           rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        for n in 0..<N {
            forward(out: out + n * M, inp: inp + n * K, weight: weight, bias: bias,
                    rows: 1, inFeatures: K, outFeatures: M)
        }
    }

    /// Backward of `forward`: `inputGradient` and `weightGradient`.
    public static func backward(dinp: UnsafeMutablePointer<Float>?, accumulate: Bool,
                                dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        if let dinp {
            RowParallel.forEachChunk(rows: N, minimumRowsPerTask: minimumRowsPerTask) { rows in
                inputGradient(dinp: dinp, accumulate: accumulate, dout: dout, weight: weight, rows: rows,
                              inFeatures: K, outFeatures: M)
            }
        }
        weightGradient(dweight: dweight, dbias: dbias, dout: dout, inp: inp, rows: N, inFeatures: K, outFeatures: M)
    }

    /// dinp (rows, K) = dout (rows, M) · weight (M, K) for the given rows, added to dinp when `accumulate`, else
    /// overwritten; on the calling thread (one `cblas_sgemm`).
    public static func inputGradient(dinp: UnsafeMutablePointer<Float>, accumulate: Bool, dout: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, rows: Range<Int>, inFeatures K: Int, outFeatures M: Int) {
        guard !rows.isEmpty else { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(K), Int32(M),
                    1, dout + rows.lowerBound * M, Int32(M), weight, Int32(K), accumulate ? 1 : 0,
                    dinp + rows.lowerBound * K, Int32(K))
    }

    /// dweight (M, K) += dout (N, M)ᵀ · inp (N, K); dbias (M) += Σ_rows dout.
    public static func weightGradient(dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                      rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        // dweight rows m (output features) are independent sums over all N rows: split by m, not by n.
        RowParallel.forEachChunk(rows: M, minimumRowsPerTask: minimumRowsPerTask) { features in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(features.count), Int32(K), Int32(N),
                        1, dout + features.lowerBound, Int32(M), inp, Int32(K), 1,
                        dweight + features.lowerBound * K, Int32(K))
            if let dbias {
                // Rows in order; each column's sum has a fixed order.
                for n in 0..<N {
                    let row = dout + n * M
                    for m in features { dbias[m] += row[m] }
                }
            }
        }
    }
}
