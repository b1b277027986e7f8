import Foundation

/// Root-mean-square normalisation as in HF `Qwen2RMSNorm`: `weight * x / sqrt(mean(x²) + eps)`, in fp32.
public enum RMSNorm {
    /// out (N, C) = inp (N, C) · rstd · weight (C); rstd (N) = 1/sqrt(mean(inp²) + eps), saved for backward.
    public static func forward(out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>?,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows N: Int, channels C: Int, eps: Float) {
        RowParallel.forEachChunk(rows: N) { rows in
            for n in rows {
                let x = inp + n * C, y = out + n * C
                let meanSquare = dotProduct(x, x, C) / Float(C)
                let r = 1 / (meanSquare + eps).squareRoot()
                rstd?[n] = r
                for i in 0..<C { y[i] = weight[i] * (x[i] * r) }
            }
        }
    }

    /// dinp (N, C) += ∂L/∂inp, dweight (C) += ∂L/∂weight, given dout (N, C) and the forward's rstd (N).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rstd: UnsafePointer<Float>, rows N: Int, channels C: Int) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * C)
        defer { scratch.deallocate() }
        let xhat = scratch, dxhat = scratch + C
        for n in 0..<N {
            let x = inp + n * C, dy = dout + n * C, dx = dinp + n * C
            let r = rstd[n]
            for i in 0..<C {
                xhat[i] = x[i] * r
                dxhat[i] = dy[i] * weight[i]
                dweight[i] += dy[i] * xhat[i]
            }
            // dx = r · (dxhat − xhat · mean(dxhat·xhat))
            let projection = dotProduct(dxhat, xhat, C) / Float(C)
            for i in 0..<C { dx[i] += r * (dxhat[i] - xhat[i] * projection) }
        }
    }
}
