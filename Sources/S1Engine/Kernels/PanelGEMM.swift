/// C (rows, N) = [C +] A (rows, K) · B (K, N) with B packed once into column panels and A read where it lies.
///
/// Why not OpenBLAS here: `cblas_sgemm` packs both operands on every call. The training step's GEMMs are thin
/// (K = 128…384 in s1-mini) and run on 256-row chunks, so each call repacked the same weights and copied the
/// activations it was about to read once; packing was 10–12% of a one-thread step. Here the weights are packed
/// once per pass (`WeightPanels`), the activation rows are read in place (a 6-row group is 6 sequential streams,
/// which the prefetchers follow), and the micro-kernel is the classic 6 × 16 register tile: per k, two vector
/// loads of B, six broadcasts of A, twelve fused multiply-adds, with no spills in AVX2's 16 registers.
///
/// Bits: every output element is one fused multiply-add chain `c = fma(a_k, b_k, c)` in k order, starting from its
/// `ChainStart` (0, its current value, or an addend such as a residual or a bias), whatever the row count, the row range, the row's neighbours or the thread that
/// runs it; partial tiles go through a scratch tile with the same chains. So a row's result is a function of that
/// row alone (batch invariant), and splitting rows over threads cannot change it.
public enum PanelGEMM {
    /// Where each output element's chain starts.
    public enum ChainStart {
        /// 0: out = A·B.
        case zero
        /// The element's value in `out`: out += A·B.
        case output
        /// `addend[r·rowStride + j]` for output row r, column j: out = addend + A·B (a residual with the output's
        /// layout; a bias with row stride 0). Reading it in the kernel saves copying it into `out` first.
        case addend(UnsafePointer<Float>, rowStride: Int)
    }

    /// Columns per panel (two 8-float vectors).
    public static let panelWidth = 16
    /// Rows per register tile.
    static let rowGroup = 6
    /// Rows per cache block, which sweeps every panel: 24 rows of A at K = 128 (12 KB) and one panel (8 KB) fit
    /// in L1 together. Blocks of 12 to 256 rows measured within the machine's noise in the training step.
    static let rowBlock = 24

    /// Floats of the panels of a (K, N) matrix: ⌈N/16⌉ panels of (K, 16).
    public static func panelFloats(depth K: Int, columns N: Int) -> Int {
        (N + panelWidth - 1) / panelWidth * K * panelWidth
    }

    /// Packs B (K, N), element (k, j) at `source[k·kStride + j·jStride]`, into panels (⌈N/16⌉, K, 16): panel p
    /// holds columns 16p…16p+15 row after row; columns past N are zero.
    /// `y = x·Wᵀ` with W (out, in) packs B = Wᵀ: kStride 1, jStride in. `dx = dy·W` packs B = W: kStride in, jStride 1.
    public static func pack(_ panels: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>,
                            kStride: Int, jStride: Int, depth K: Int, columns N: Int) {
        let width = panelWidth
        for panel in 0..<((N + width - 1) / width) {
            let destination = panels + panel * K * width, firstColumn = panel * width
            let columns = min(width, N - firstColumn)
            if columns < width {
                destination.update(repeating: 0, count: K * width)
            }
            if jStride == 1 {
                // Rows of 16 contiguous source columns: vector copies.
                for k in 0..<K {
                    let from = source + k * kStride + firstColumn, to = destination + k * width
                    if columns == width {
                        to.update(from: from, count: width)
                    } else {
                        for lane in 0..<columns { to[lane] = from[lane] }
                    }
                }
            } else {
                // Source columns are the contiguous direction: read each along k, write with stride 16.
                for lane in 0..<columns {
                    let from = source + (firstColumn + lane) * jStride, to = destination + lane
                    for k in 0..<K { to[k * width] = from[k * kStride] }
                }
            }
        }
    }

    /// out (rows, N) = start + inp (rows, K) · B (K, N) for the given rows, on the calling thread. Row r of inp
    /// starts at `inp + r·inputStride`, row r of out at `out + r·outputStride`; `panels` from `pack`.
    public static func multiply(out: UnsafeMutablePointer<Float>, outputStride: Int,
                                inp: UnsafePointer<Float>, inputStride: Int,
                                panels: UnsafePointer<Float>, depth K: Int, columns N: Int,
                                rows: Range<Int>, start: ChainStart) {
        let width = panelWidth, panelCount = (N + width - 1) / width
        // The chains' first values as (row 0's pointer, row stride), or nil for zeros.
        let origin: (base: UnsafePointer<Float>, rowStride: Int)?
        switch start {
        case .zero: origin = nil
        case .output: origin = (UnsafePointer(out), outputStride)
        case .addend(let addend, let rowStride): origin = (addend, rowStride)
        }
        func first(row: Int, column: Int) -> UnsafePointer<Float>? { origin.map { $0.base + row * $0.rowStride + column } }
        let firstStride = origin?.rowStride ?? 0
        let groupedEnd = rows.lowerBound + rows.count / rowGroup * rowGroup
        var blockStart = rows.lowerBound
        while blockStart < groupedEnd {
            let blockEnd = min(blockStart + rowBlock, groupedEnd)
            for panel in 0..<panelCount {
                let b = panels + panel * K * width, column = panel * width
                let columns = min(width, N - column)
                for row in stride(from: blockStart, to: blockEnd, by: rowGroup) {
                    let a = inp + row * inputStride, c = out + row * outputStride + column
                    if columns == width {
                        tile6x16(depth: K, a: a, aRowStride: inputStride, b: b, c: c, cRowStride: outputStride,
                                 first: first(row: row, column: column), firstRowStride: firstStride)
                    } else {
                        partialTile(rows: rowGroup, columns: columns, depth: K, a: a, aRowStride: inputStride, b: b,
                                    c: c, cRowStride: outputStride, first: first(row: row, column: column),
                                    firstRowStride: firstStride)
                    }
                }
            }
            blockStart = blockEnd
        }
        let remainder = rows.upperBound - groupedEnd
        guard remainder > 0 else { return }
        // The last 1–5 rows: copied into a zero-padded 6-row block, so the same 6-row kernel (and so the same
        // chains) serves them; a one-row kernel was latency-bound and cost 2% of a training step.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rowGroup * K) { buffer in
            let block = buffer.baseAddress!
            block.initialize(repeating: 0, count: rowGroup * K)
            for r in 0..<remainder { (block + r * K).update(from: inp + (groupedEnd + r) * inputStride, count: K) }
            for panel in 0..<panelCount {
                let column = panel * width
                partialTile(rows: remainder, columns: min(width, N - column), depth: K, a: block, aRowStride: K,
                            b: panels + panel * K * width, c: out + groupedEnd * outputStride + column,
                            cRowStride: outputStride, first: first(row: groupedEnd, column: column),
                            firstRowStride: firstStride)
            }
        }
    }

    /// A tile with fewer than 6 rows or 16 columns: `a` has 6 readable rows; the 6-row kernel writes a scratch tile
    /// (holding the chains' first values for the real elements) and the real elements are copied out.
    private static func partialTile(rows: Int, columns: Int, depth K: Int, a: UnsafePointer<Float>, aRowStride: Int,
                                    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, cRowStride: Int,
                                    first: UnsafePointer<Float>?, firstRowStride: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rowGroup * panelWidth) { buffer in
            let scratch = buffer.baseAddress!
            scratch.initialize(repeating: 0, count: rowGroup * panelWidth)
            if let first {
                for r in 0..<rows { (scratch + r * panelWidth).update(from: first + r * firstRowStride, count: columns) }
            }
            tile6x16(depth: K, a: a, aRowStride: aRowStride, b: b, c: scratch, cRowStride: panelWidth,
                     first: UnsafePointer(scratch), firstRowStride: panelWidth)
            for r in 0..<rows { (c + r * cRowStride).update(from: scratch + r * panelWidth, count: columns) }
        }
    }

    /// c (6, 16) = first + a (6, K) · b (K, 16), `first` (6, 16) with row stride `firstRowStride` or nil for 0
    /// (it may be c itself); b is one panel (row stride 16).
    @inline(__always)
    private static func tile6x16(depth K: Int, a: UnsafePointer<Float>, aRowStride s: Int, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>, cRowStride ldc: Int,
                                 first: UnsafePointer<Float>?, firstRowStride fs: Int) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        if let f0 = first {
            let f1 = f0 + fs, f2 = f1 + fs, f3 = f2 + fs, f4 = f3 + fs, f5 = f4 + fs
            c00 = load8(f0); c01 = load8(f0 + 8); c10 = load8(f1); c11 = load8(f1 + 8)
            c20 = load8(f2); c21 = load8(f2 + 8); c30 = load8(f3); c31 = load8(f3 + 8)
            c40 = load8(f4); c41 = load8(f4 + 8); c50 = load8(f5); c51 = load8(f5 + 8)
        }
        let r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc
        // Two base pointers and one stride: rows 0–2 at a, a + s, a + 2s and rows 3–5 at a3, a3 + s, a3 + 2s,
        // which x86 addresses directly (pointers for all six rows ran out of general registers and spilled).
        var a0 = a, a3 = a + 3 &* s, panel = b
        let s2 = 2 &* s
        for _ in 0..<K {
            let b0 = load8(panel), b1 = load8(panel + 8)
            var x = SIMD8<Float>(repeating: a0.pointee)
            c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a0[s])
            c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a0[s2])
            c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a3.pointee)
            c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a3[s])
            c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a3[s2])
            c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            a0 += 1; a3 += 1; panel += 16
        }
        store8(c, c00); store8(c + 8, c01); store8(r1, c10); store8(r1 + 8, c11)
        store8(r2, c20); store8(r2 + 8, c21); store8(r3, c30); store8(r3 + 8, c31)
        store8(r4, c40); store8(r4 + 8, c41); store8(r5, c50); store8(r5 + 8, c51)
    }
}

/// 8 floats from `p` (any alignment).
@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores 8 floats at `p` (any alignment).
@inline(__always)
private func store8(_ p: UnsafeMutablePointer<Float>, _ value: SIMD8<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
}
