import Foundation

/// Root-mean-square normalisation as in HF `Qwen2RMSNorm`: `weight * x / sqrt(mean(x²) + eps)`, in fp32.
public enum RMSNorm {
    /// out (N, C) = inp (N, C) · rstd · weight (C); rstd (N) = 1/sqrt(mean(inp²) + eps), saved for backward.
    public static func forward(out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>?,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows N: Int, channels C: Int, eps: Float) {
        RowParallel.forEachChunk(rows: N) { rows in
            forward(out: out, rstd: rstd, inp: inp, weight: weight, rows: rows, channels: C, eps: eps)
        }
    }

    /// `forward` for the given rows only, on the calling thread.
    public static func forward(out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>?,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows: Range<Int>, channels C: Int, eps: Float) {
        for n in rows {
            let x = inp + n * C, y = out + n * C
            let meanSquare = dotProduct(x, x, C) / Float(C)
            let r = 1 / (meanSquare + eps).squareRoot()
            rstd?[n] = r
            var i = 0
            while i + 16 <= C {
                store16(y + i, load16(weight + i) * (load16(x + i) * r))
                i += 16
            }
            while i < C {
                y[i] = weight[i] * (x[i] * r)
                i += 1
            }
        }
    }

    /// Rows per block of the weight-gradient reduction: each block is summed on its own, then the blocks in
    /// order, so the bits do not depend on how many threads took the blocks.
    static let gradientBlockRows = 128

    /// dinp (N, C) += ∂L/∂inp, dweight (C) += ∂L/∂weight, given dout (N, C) and the forward's rstd (N).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rstd: UnsafePointer<Float>, rows N: Int, channels C: Int) {
        let blocks = (N + gradientBlockRows - 1) / gradientBlockRows
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: blocks * C)
        partials.initialize(repeating: 0, count: blocks * C)
        defer { partials.deallocate() }
        RowParallel.forEachChunk(rows: blocks, minimumRowsPerTask: 1) { blockRange in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * C)
            defer { scratch.deallocate() }
            for block in blockRange {
                let rows = (block * gradientBlockRows)..<min(N, (block + 1) * gradientBlockRows)
                backward(dinp: dinp, dweight: partials + block * C, dout: dout, inp: inp, weight: weight, rstd: rstd,
                         rows: rows, channels: C, scratch: scratch)
            }
        }
        for block in 0..<blocks {
            let partial = partials + block * C
            var i = 0
            while i + 16 <= C {
                store16(dweight + i, load16(dweight + i) + load16(partial + i))
                i += 16
            }
            while i < C {
                dweight[i] += partial[i]
                i += 1
            }
        }
    }

    /// `backward` over `rows`, their weight gradient added into `dweight` in row order; scratch holds 2·C floats.
    private static func backward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                 dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                 rstd: UnsafePointer<Float>, rows: Range<Int>, channels C: Int,
                                 scratch: UnsafeMutablePointer<Float>) {
        let xhat = scratch, dxhat = scratch + C
        for n in rows {
            let x = inp + n * C, dy = dout + n * C, dx = dinp + n * C
            let r = rstd[n]
            // 16 channels at a time, then one by one: the same operations per element either way.
            var i = 0
            while i + 16 <= C {
                let xh = load16(x + i) * r, dy16 = load16(dy + i)
                store16(xhat + i, xh)
                store16(dxhat + i, dy16 * load16(weight + i))
                store16(dweight + i, load16(dweight + i) + dy16 * xh)
                i += 16
            }
            while i < C {
                xhat[i] = x[i] * r
                dxhat[i] = dy[i] * weight[i]
                dweight[i] += dy[i] * xhat[i]
                i += 1
            }
            // dx = r · (dxhat − xhat · mean(dxhat·xhat))
            let projection = dotProduct(dxhat, xhat, C) / Float(C)
            i = 0
            while i + 16 <= C {
                store16(dx + i, load16(dx + i) + r * (load16(dxhat + i) - load16(xhat + i) * projection))
                i += 16
            }
            while i < C {
                dx[i] += r * (dxhat[i] - xhat[i] * projection)
                i += 1
            }
        }
    }
}
