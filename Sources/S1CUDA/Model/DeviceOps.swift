import S1Engine

/// Launches of the s1 kernels (Kernels/*.cu) and the cuBLASLt GEMMs, named by what they compute, with host-side
/// shapes. Every function here is one device operation on memory the caller owns.
final class DeviceOps {
    let context: CUDAContext
    let kernels: KernelLibrary
    let matmul: MatmulEngine
    /// The stream every operation goes to (nil: the legacy default stream); the decoder sets its own while it runs.
    var stream: CUDAStream?
    /// When set, every operation marks its end on it (benchmarks' per-operation times).
    var profiler: OpProfiler?
    /// Threads per block of the row kernels (`ROW_THREADS` in common.cuh).
    static let rowThreads = 256
    static let elementThreads = 256

    init(context: CUDAContext, kernels: KernelLibrary, matmul: MatmulEngine) {
        self.context = context
        self.kernels = kernels
        self.matmul = matmul
    }

    private func launch(_ name: String, grid: Dim3, block: Dim3, _ arguments: [KernelArgument]) throws {
        try kernels.kernel(name).launch(grid: grid, block: block, stream: stream, arguments)
        try profiler?.mark(name, on: stream)
    }

    /// One thread per element of `count`.
    private func elementwise(_ name: String, count: Int, _ arguments: [KernelArgument]) throws {
        guard count > 0 else { return }
        try launch(name, grid: Dim3((count + Self.elementThreads - 1) / Self.elementThreads),
                   block: Dim3(Self.elementThreads), arguments)
    }

    /// One block of `rowThreads` per row.
    private func rows(_ name: String, count: Int, _ arguments: [KernelArgument]) throws {
        guard count > 0 else { return }
        try launch(name, grid: Dim3(count), block: Dim3(Self.rowThreads), arguments)
    }

    // MARK: GEMMs (row-major views of cuBLASLt's column-major problems)

    /// Every GEMM goes through here: cuBLASLt, then the profiler's mark (`label` is built only while profiling).
    private func gemm(_ problem: MatmulProblem, policy: MatmulAlgorithmPolicy = .pinnedPerProblem, a: UInt64, b: UInt64,
                      c: UInt64, d: UInt64, alpha: Float = 1, beta: Float, label: @autoclosure () -> String) throws {
        try matmul.matmul(problem, policy: policy, a: a, b: b, c: c, d: d, alpha: alpha, beta: beta, stream: stream)
        if let profiler { try profiler.mark(label(), on: stream) }
    }

    /// y (N, M) fp32 = x (N, K) bf16 · w (M, K)ᵀ bf16 [+ residual (N, M) fp32].
    func linear(out y: DevicePointer<Float>, input x: DevicePointer<BF16>, weight w: DevicePointer<BF16>,
                residual: DevicePointer<Float>? = nil, rows N: Int, inFeatures K: Int, outFeatures M: Int,
                policy: MatmulAlgorithmPolicy) throws {
        let problem = MatmulProblem(transposeA: true, transposeB: false, m: M, n: N, k: K, lda: K, ldb: K, ldc: M)
        try gemm(problem, policy: policy, a: w.address, b: x.address, c: (residual ?? y).address, d: y.address,
                 beta: residual == nil ? 0 : 1, label: "gemm linear \(N)x\(M)x\(K)")
    }

    /// y (N, M) bf16 = x (N, K) bf16 · w (M, K)ᵀ bf16, accumulated in fp32 and rounded once.
    /// Named apart from `linear` on purpose: an overload on the output's element type would let an untyped
    /// `DevicePointer(memory)` argument pick either.
    func linearBF16(out y: DevicePointer<BF16>, input x: DevicePointer<BF16>, weight w: DevicePointer<BF16>, rows N: Int,
                    inFeatures K: Int, outFeatures M: Int, policy: MatmulAlgorithmPolicy) throws {
        var problem = MatmulProblem(transposeA: true, transposeB: false, m: M, n: N, k: K, lda: K, ldb: K, ldc: M)
        problem.cType = .bf16
        try gemm(problem, policy: policy, a: w.address, b: x.address, c: y.address, d: y.address, beta: 0,
                 label: "gemm linear bf16 \(N)x\(M)x\(K)")
    }

    /// dx (N, K) fp32 = dy (N, M) bf16 · w (M, K) bf16.
    func linearInputGradient(out dx: DevicePointer<Float>, outputGradient dy: DevicePointer<BF16>,
                             weight w: DevicePointer<BF16>, rows N: Int, inFeatures K: Int, outFeatures M: Int) throws {
        let problem = MatmulProblem(transposeA: false, transposeB: false, m: K, n: N, k: M, lda: K, ldb: M, ldc: K)
        try gemm(problem, a: w.address, b: dy.address, c: dx.address, d: dx.address, beta: 0,
                 label: "gemm input gradient \(N)x\(K)x\(M)")
    }

    /// dw (M, K) fp32 += dy (N, M)ᵀ bf16 · x (N, K) bf16.
    func linearWeightGradient(accumulateInto dw: DevicePointer<Float>, outputGradient dy: DevicePointer<BF16>,
                              input x: DevicePointer<BF16>, rows N: Int, inFeatures K: Int, outFeatures M: Int) throws {
        let problem = MatmulProblem(transposeA: false, transposeB: true, m: K, n: M, k: N, lda: K, ldb: M, ldc: K)
        try gemm(problem, a: x.address, b: dy.address, c: dw.address, d: dw.address, beta: 1,
                 label: "gemm weight gradient \(M)x\(K)x\(N)")
    }

    /// Per batch b of `batches`: out_b (T, S) fp32 = alpha · x_b (T, d) · w_b (S, d)ᵀ, operands bf16, contiguous.
    func batchedTransposedProduct(out: DevicePointer<Float>, x: DevicePointer<BF16>, w: DevicePointer<BF16>,
                                  batches: Int, rows T: Int, columns S: Int, inner d: Int, alpha: Float) throws {
        try batched(MatmulProblem(transposeA: true, transposeB: false, m: S, n: T, k: d, lda: d, ldb: d, ldc: S),
                    batches: batches, strides: (S * d, T * d, T * S), a: w.address, b: x.address, out: out, alpha: alpha)
    }

    /// Per batch: out_b (T, d) fp32 = p_b (T, S) · v_b (S, d), operands bf16.
    func batchedProduct(out: DevicePointer<Float>, p: DevicePointer<BF16>, v: DevicePointer<BF16>,
                        batches: Int, rows T: Int, inner S: Int, columns d: Int) throws {
        try batched(MatmulProblem(transposeA: false, transposeB: false, m: d, n: T, k: S, lda: d, ldb: S, ldc: d),
                    batches: batches, strides: (S * d, T * S, T * d), a: v.address, b: p.address, out: out, alpha: 1)
    }

    /// Per batch: out_b (S, d) fp32 = p_b (T, S)ᵀ · x_b (T, d), operands bf16.
    func batchedTransposedLeftProduct(out: DevicePointer<Float>, p: DevicePointer<BF16>, x: DevicePointer<BF16>,
                                      batches: Int, rows T: Int, columns S: Int, inner d: Int) throws {
        try batched(MatmulProblem(transposeA: false, transposeB: true, m: d, n: S, k: T, lda: d, ldb: S, ldc: d),
                    batches: batches, strides: (T * d, T * S, S * d), a: x.address, b: p.address, out: out, alpha: 1)
    }

    /// `problem` strided over `batches` (element strides of A, B and C), written to `out`.
    private func batched(_ problem: MatmulProblem, batches: Int, strides: (a: Int, b: Int, c: Int), a: UInt64,
                         b: UInt64, out: DevicePointer<Float>, alpha: Float) throws {
        var problem = problem
        problem.batchCount = batches
        (problem.strideA, problem.strideB, problem.strideC) = strides
        try gemm(problem, a: a, b: b, c: out.address, d: out.address, alpha: alpha, beta: 0,
                 label: "gemm batched \(batches)x\(problem.m)x\(problem.n)x\(problem.k)")
    }

    // MARK: Kernels

    func embedding(out: DevicePointer<Float>, tokens: DevicePointer<Int32>, table: DevicePointer<Float>,
                   rows N: Int, channels C: Int) throws {
        try elementwise("embedding_forward", count: N * C, [out.argument, tokens.argument, table.argument, .int(N), .int(C)])
    }

    func embeddingGradient(table: DevicePointer<Float>, outputGradient: DevicePointer<Float>, unique: DevicePointer<Int32>,
                           starts: DevicePointer<Int32>, rows rowList: DevicePointer<Int32>, uniqueCount: Int, channels C: Int) throws {
        try rows("embedding_backward", count: uniqueCount,
                 [table.argument, outputGradient.argument, unique.argument, starts.argument, rowList.argument, .int(C)])
    }

    func rmsNorm(out: DevicePointer<BF16>, rstd: DevicePointer<Float>?, input: DevicePointer<Float>,
                 weight: DevicePointer<Float>, rows N: Int, channels C: Int, eps: Float) throws {
        try rows("rmsnorm_forward", count: N, [out.argument, (rstd ?? DevicePointer(0)).argument, input.argument,
                                               weight.argument, .int(C), .float(eps)])
    }

    /// Rows per partial sum of the two-pass column reductions (weight and bias gradients).
    static let reductionChunk = 32

    /// Elements of scratch the column reductions need for N rows and `columns` columns.
    static func reductionScratch(rows N: Int, columns: Int) -> Int {
        (N + reductionChunk - 1) / reductionChunk * columns
    }

    /// out (M) += column sums of a (N, M) matrix, from per-chunk partials written by `partial`.
    private func columnReduction(accumulateInto out: DevicePointer<Float>, scratch: DevicePointer<Float>, rows N: Int,
                                 columns M: Int, partial: (Dim3, Int) throws -> Void) throws {
        guard N > 0, M > 0 else { return }
        let chunks = (N + Self.reductionChunk - 1) / Self.reductionChunk
        try partial(Dim3((M + Self.elementThreads - 1) / Self.elementThreads, chunks), chunks)
        try elementwise("sum_partials", count: M, [out.argument, scratch.argument, .int(chunks), .int(M)])
    }

    /// dinput (N, C) += the norm's input gradient; dweight (C) += its weight gradient.
    func rmsNormBackward(inputGradient: DevicePointer<Float>, weightGradient: DevicePointer<Float>,
                         outputGradient: DevicePointer<Float>, input: DevicePointer<Float>, weight: DevicePointer<Float>,
                         rstd: DevicePointer<Float>, rows N: Int, channels C: Int, scratch: DevicePointer<Float>) throws {
        try columnReduction(accumulateInto: weightGradient, scratch: scratch, rows: N, columns: C) { grid, _ in
            try launch("rmsnorm_weight_grad_partial", grid: grid, block: Dim3(Self.elementThreads), [
                scratch.argument, outputGradient.argument, input.argument, rstd.argument, .int(N), .int(C),
                .int(Self.reductionChunk)])
        }
        try rows("rmsnorm_backward", count: N, [inputGradient.argument, outputGradient.argument, input.argument,
                                                weight.argument, rstd.argument, .int(C)])
    }

    /// hidden (N, I) bf16 from fp32 (decoding) or bf16 (training) [gate | up] rows.
    func swiGLU(out: DevicePointer<BF16>, gateUp: DevicePointer<Float>, rows N: Int, intermediate I: Int) throws {
        try elementwise("swiglu_forward", count: N * I, [out.argument, gateUp.argument, .int(N), .int(I)])
    }

    func swiGLU(out: DevicePointer<BF16>, bf16GateUp gateUp: DevicePointer<BF16>, rows N: Int, intermediate I: Int) throws {
        try elementwise("swiglu_forward_bf16", count: N * I, [out.argument, gateUp.argument, .int(N), .int(I)])
    }

    func swiGLUBackward(gateUpGradient: DevicePointer<BF16>, outputGradient: DevicePointer<Float>,
                        gateUp: DevicePointer<BF16>, rows N: Int, intermediate I: Int) throws {
        try elementwise("swiglu_backward", count: N * I, [gateUpGradient.argument, outputGradient.argument,
                                                          gateUp.argument, .int(N), .int(I)])
    }

    func toBF16(out: DevicePointer<BF16>, input: DevicePointer<Float>, count: Int) throws {
        try elementwise("convert_f32_to_bf16", count: count, [out.argument, input.argument, .long(count)])
    }

    func gatherRows(out: DevicePointer<Float>, input: DevicePointer<Float>, rows: DevicePointer<Int32>, count M: Int,
                    channels C: Int) throws {
        try elementwise("gather_rows", count: M * C, [out.argument, input.argument, rows.argument, .int(M), .int(C)])
    }

    func columnSum(accumulateInto out: DevicePointer<Float>, input: DevicePointer<Float>, rows N: Int, columns M: Int,
                   scratch: DevicePointer<Float>) throws {
        try columnReduction(accumulateInto: out, scratch: scratch, rows: N, columns: M) { grid, _ in
            try launch("column_sum_partial", grid: grid, block: Dim3(Self.elementThreads), [
                scratch.argument, input.argument, .int(N), .int(M), .int(Self.reductionChunk)])
        }
    }

    /// Partial sums of squares, one per `chunk` elements (summed on the host in order).
    func sumOfSquares(partials: DevicePointer<Double>, input: DevicePointer<Float>, count: Int, chunk: Int) throws {
        let blocks = (count + chunk - 1) / chunk
        try launch("sum_squares", grid: Dim3(blocks), block: Dim3(Self.rowThreads),
                   [partials.argument, input.argument, .long(count), .long(chunk)])
    }

    func crossEntropy(losses: DevicePointer<Float>, logitGradient: DevicePointer<BF16>, logits: DevicePointer<Float>,
                      targets: DevicePointer<Int32>, rows N: Int, vocabulary V: Int, gradScale: Float) throws {
        try rows("cross_entropy", count: N, [losses.argument, logitGradient.argument, logits.argument,
                                             targets.argument, .int(V), .float(gradScale)])
    }

    func argmax(ids: DevicePointer<Int32>, logits: DevicePointer<Float>, rows N: Int, vocabulary V: Int) throws {
        try rows("argmax_rows", count: N, [ids.argument, logits.argument, .int(V)])
    }

    func adamW(parameters: DevicePointer<Float>, parameters16: DevicePointer<BF16>, firstMoment: DevicePointer<Float>,
               secondMoment: DevicePointer<Float>, gradients: DevicePointer<Float>, decays: DevicePointer<UInt8>,
               count: Int, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
               stepSize: Float, correction2: Float, gradientScale: Float) throws {
        try elementwise("adamw_step", count: count, [
            parameters.argument, parameters16.argument, firstMoment.argument, secondMoment.argument,
            gradients.argument, decays.argument, .long(count), .float(learningRate), .float(beta1), .float(beta2),
            .float(epsilon), .float(weightDecay), .float(stepSize), .float(correction2), .float(gradientScale)])
    }

    // MARK: Attention pieces

    func qkvToHeads(q: DevicePointer<BF16>, k: DevicePointer<BF16>, v: DevicePointer<BF16>, qkv: DevicePointer<Float>,
                    bias: DevicePointer<Float>, rope: RopeTables, rows N: Int, length T: Int, shape: AttentionShape) throws {
        try launch("qkv_to_heads", grid: Dim3(N, 3), block: Dim3(Self.rowThreads), [
            q.argument, k.argument, v.argument, qkv.argument, bias.argument, rope.cos.argument, rope.sin.argument,
            .int(T), .int(shape.heads), .int(shape.kvHeads), .int(shape.headDim)])
    }

    func softmaxCausal(probabilities: DevicePointer<BF16>, scores: DevicePointer<Float>, rows R: Int, length T: Int) throws {
        try rows("softmax_causal", count: R, [probabilities.argument, scores.argument, .int(T)])
    }

    func softmaxCausalBackward(scoreGradient: DevicePointer<BF16>, probabilities: DevicePointer<BF16>,
                               probabilityGradient: DevicePointer<Float>, rows R: Int, length T: Int, scale: Float) throws {
        try rows("softmax_causal_backward", count: R, [scoreGradient.argument, probabilities.argument,
                                                       probabilityGradient.argument, .int(T), .float(scale)])
    }

    /// Flash attention (flash_attention.cu): blocks of `flashTile` query rows (or keys) × `flashThreads` threads
    /// (FLASH_TILE, FLASH_THREADS there), one kernel per compiled head size d.
    private static let flashTile = 64, flashThreads = 128

    /// out rows (N, Hq·d) bf16 and the base-2 log-sum-exp (BH, T) fp32 from q, k, v heads (BH, T, d) bf16.
    func flashAttentionForward(out: DevicePointer<BF16>, logSumExp: UInt64, q: DevicePointer<BF16>, k: DevicePointer<BF16>,
                               v: DevicePointer<BF16>, batchHeads BH: Int, length T: Int, shape: AttentionShape) throws {
        try launch("flash_forward_d\(shape.headDim)", grid: Dim3((T + Self.flashTile - 1) / Self.flashTile, BH),
                   block: Dim3(Self.flashThreads), [out.argument, .pointer(logSumExp), q.argument, k.argument, v.argument,
                                                    .int(T), .int(shape.heads), .float(shape.scale * log2OfE)])
    }

    /// dq, dk, dv (BH, T, d) fp32 from dO heads (BH, T, d) bf16, the forward's output rows and log-sum-exp;
    /// `rowDots` (BH, T) fp32 is scratch for Σ dO·O per row.
    func flashAttentionBackward(dq: DevicePointer<Float>, dk: DevicePointer<Float>, dv: DevicePointer<Float>,
                                outputGradient dO: DevicePointer<BF16>, output: DevicePointer<BF16>, logSumExp: UInt64,
                                rowDots: DevicePointer<Float>, q: DevicePointer<BF16>, k: DevicePointer<BF16>,
                                v: DevicePointer<BF16>, batchHeads BH: Int, length T: Int, shape: AttentionShape) throws {
        let d = shape.headDim
        try launch("attention_output_dot", grid: Dim3((BH * T + 7) / 8), block: Dim3(256), [
            rowDots.argument, dO.argument, output.argument, .int(BH), .int(T), .int(shape.heads), .int(d)])
        let common: [KernelArgument] = [q.argument, k.argument, v.argument, dO.argument, .pointer(logSumExp),
                                        rowDots.argument, .int(T), .float(shape.scale), .float(shape.scale * log2OfE)]
        let grid = Dim3((T + Self.flashTile - 1) / Self.flashTile, BH)
        try launch("flash_backward_keys_d\(d)", grid: grid, block: Dim3(Self.flashThreads), [dk.argument, dv.argument] + common)
        try launch("flash_backward_queries_d\(d)", grid: grid, block: Dim3(Self.flashThreads), [dq.argument] + common)
    }

    func headsToRows(out: DevicePointer<BF16>, heads: DevicePointer<Float>, rows N: Int, length T: Int, heads H: Int,
                     headDim d: Int) throws {
        try rows("heads_to_rows", count: N, [out.argument, heads.argument, .int(T), .int(H), .int(d)])
    }

    func rowsToHeads(out: DevicePointer<BF16>, rows input: DevicePointer<Float>, rows N: Int, length T: Int, heads H: Int,
                     headDim d: Int) throws {
        try rows("rows_to_heads", count: N, [out.argument, input.argument, .int(T), .int(H), .int(d)])
    }

    func headsToQKVBackward(qkvGradient: DevicePointer<Float>, q: DevicePointer<Float>, k: DevicePointer<Float>,
                            v: DevicePointer<Float>, rope: RopeTables, rows N: Int, length T: Int,
                            shape: AttentionShape) throws {
        try launch("heads_to_qkv_backward", grid: Dim3(N, 3), block: Dim3(Self.rowThreads), [
            qkvGradient.argument, q.argument, k.argument, v.argument, rope.cos.argument, rope.sin.argument,
            .int(T), .int(shape.heads), .int(shape.kvHeads), .int(shape.headDim)])
    }

    func decodeQKVStore(q: DevicePointer<Float>, qkv: DevicePointer<Float>, bias: DevicePointer<Float>, rope: RopeTables,
                        rows: DecodeRows, layer: Int, shape: AttentionShape) throws {
        try launch("decode_qkv_store", grid: Dim3(rows.count), block: Dim3(Self.rowThreads), [
            q.argument, qkv.argument, bias.argument, rope.cos.argument, rope.sin.argument, rows.positions.argument,
            rows.cacheBases.argument, rows.capacities.argument, .int(layer), .int(shape.heads), .int(shape.kvHeads),
            .int(shape.headDim)])
    }

    func decodeAttention(out: DevicePointer<BF16>, scores: DevicePointer<Float>, scoreStride: Int, q: DevicePointer<Float>,
                         rows: DecodeRows, layer: Int, shape: AttentionShape) throws {
        try launch("decode_attention", grid: Dim3(rows.count * shape.heads), block: Dim3(Self.rowThreads), [
            out.argument, scores.argument, q.argument, rows.cacheBases.argument, rows.capacities.argument,
            rows.positions.argument, .int(layer), .int(shape.heads), .int(shape.kvHeads), .int(shape.headDim),
            .long(scoreStride), .float(shape.scale)])
    }
}

/// log₂(e): the flash kernels work in base 2 (exp2f), so the softmax scale carries it.
private let log2OfE: Float = 1.4426950408889634

/// Heads of a Qwen2 attention layer.
struct AttentionShape {
    let heads: Int, kvHeads: Int, headDim: Int
    var scale: Float { 1 / Float(headDim).squareRoot() }
    var queryDim: Int { heads * headDim }
    var keyValueDim: Int { kvHeads * headDim }

    init(_ config: Qwen2Config) {
        self.init(heads: config.numAttentionHeads, kvHeads: config.numKeyValueHeads, headDim: config.headDim)
    }

    init(heads: Int, kvHeads: Int, headDim: Int) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
    }
}

/// cos and sin of RoPE (positions, d/2) fp32 on the device: the host's `RotaryEmbedding.table`, so both engines
/// rotate by the same angles.
final class RopeTables {
    let positions: Int
    private let cosMemory: DeviceMemory, sinMemory: DeviceMemory
    var cos: DevicePointer<Float> { DevicePointer(cosMemory) }
    var sin: DevicePointer<Float> { DevicePointer(sinMemory) }

    convenience init(context: CUDAContext, rotary: RotaryEmbedding, positions: Int) throws {
        let (c, s) = rotary.table(positions: positions)
        try self.init(context: context, cos: c, sin: s, positions: positions)
    }

    /// Tables given directly, (positions, d/2) each.
    init(context: CUDAContext, cos c: [Float], sin s: [Float], positions: Int) throws {
        self.positions = positions
        cosMemory = try context.allocate(bytes: c.count * 4)
        sinMemory = try context.allocate(bytes: s.count * 4)
        try cosMemory.upload(c)
        try sinMemory.upload(s)
    }
}
