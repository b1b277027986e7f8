/// Which kernels compute causal attention on the training path.
public enum TrainingAttentionKernel: String, Sendable, CaseIterable {
    /// Tiled on the tensor cores (flash_attention.cu): no (T, T) matrices; the backward recomputes the
    /// probabilities from the saved log-sum-exp.
    case flash
    /// Scores and probabilities materialised per head through batched cuBLASLt GEMMs and row softmax kernels.
    case materialized

    /// Head sizes with compiled flash kernels (`FLASH_KERNELS` in flash_attention.cu).
    static let flashHeadDims: Set<Int> = [16, 32, 64, 128]

    /// The kernel a model trains with: flash where it is compiled for the head size. A function of the model's
    /// shape only, so the kernel set and the configuration decide the bits (as the step keys assume).
    public static func preferred(headDim: Int) -> TrainingAttentionKernel {
        flashHeadDims.contains(headDim) ? .flash : .materialized
    }

    /// Elements each layer keeps for the backward: bf16 probabilities (B·Hq, T, T), or fp32 log-sum-exp (B·Hq, T).
    func savedElements(batchHeads BH: Int, length T: Int) -> Int {
        self == .flash ? BH * T : BH * T * T
    }

    /// Bytes of each saved element.
    var savedElementBytes: Int { self == .flash ? 4 : 2 }
}

/// Device buffers one attention call reads and writes, by role. Heads are (B, Hq, T, d) with k and v repeated per
/// query head (qkv_to_heads); rows are (N, Hq·d).
struct AttentionBuffers {
    var q: DevicePointer<BF16>, k: DevicePointer<BF16>, v: DevicePointer<BF16>
    /// The output rows (bf16), the o_proj input.
    var output: DevicePointer<BF16>
    /// What the forward saves for the backward (`TrainingAttentionKernel.savedElements`).
    var saved: UInt64
    /// Materialised: scores (B·Hq, T, T) fp32, then ∂L/∂P. Flash: Σ dO·O per row (B·Hq, T) fp32.
    var scratch: DevicePointer<Float>
    /// Materialised only: ∂L/∂S (B·Hq, T, T) bf16.
    var scoreGradient: DevicePointer<BF16>
    /// Materialised forward: the output by heads, fp32, before conversion to rows.
    var headsF32: DevicePointer<Float>
}

/// Causal GQA attention of one layer for training, forward and backward, with either kernel.
struct TrainingAttention {
    let kernel: TrainingAttentionKernel
    let shape: AttentionShape
    let batch: Int, length: Int

    private var batchHeads: Int { batch * shape.heads }

    /// Scratch elements (fp32) the kernel needs: see `AttentionBuffers.scratch`.
    static func scratchElements(_ kernel: TrainingAttentionKernel, batchHeads BH: Int, length T: Int) -> Int {
        kernel == .flash ? BH * T : BH * T * T
    }

    /// output rows (N, Hq·d) bf16 = softmax(q·kᵀ/√d, causal) · v; saves what `backward` reads.
    func forward(_ ops: DeviceOps, _ x: AttentionBuffers) throws {
        let T = length, H = shape.heads, d = shape.headDim, BH = batchHeads
        switch kernel {
        case .flash:
            try ops.flashAttentionForward(out: x.output, logSumExp: x.saved, q: x.q, k: x.k, v: x.v, batchHeads: BH,
                                          length: T, shape: shape)
        case .materialized:
            let probabilities = DevicePointer<BF16>(x.saved)
            try ops.batchedTransposedProduct(out: x.scratch, x: x.q, w: x.k, batches: BH, rows: T, columns: T, inner: d,
                                             alpha: shape.scale)
            try ops.softmaxCausal(probabilities: probabilities, scores: x.scratch, rows: BH * T, length: T)
            try ops.batchedProduct(out: x.headsF32, p: probabilities, v: x.v, batches: BH, rows: T, inner: T, columns: d)
            try ops.headsToRows(out: x.output, heads: x.headsF32, rows: batch * T, length: T, heads: H, headDim: d)
        }
    }

    /// dq, dk, dv (B, Hq, T, d) fp32 (dk and dv per query head) from dO (B, Hq, T, d) bf16.
    func backward(_ ops: DeviceOps, _ x: AttentionBuffers, outputGradient dO: DevicePointer<BF16>,
                  dq: DevicePointer<Float>, dk: DevicePointer<Float>, dv: DevicePointer<Float>) throws {
        let T = length, d = shape.headDim, BH = batchHeads
        switch kernel {
        case .flash:
            try ops.flashAttentionBackward(dq: dq, dk: dk, dv: dv, outputGradient: dO, output: x.output, logSumExp: x.saved,
                                           rowDots: x.scratch, q: x.q, k: x.k, v: x.v, batchHeads: BH, length: T,
                                           shape: shape)
        case .materialized:
            let probabilities = DevicePointer<BF16>(x.saved)
            try ops.batchedTransposedProduct(out: x.scratch, x: dO, w: x.v, batches: BH, rows: T, columns: T, inner: d, alpha: 1)
            try ops.batchedTransposedLeftProduct(out: dv, p: probabilities, x: dO, batches: BH, rows: T, columns: T, inner: d)
            try ops.softmaxCausalBackward(scoreGradient: x.scoreGradient, probabilities: probabilities,
                                          probabilityGradient: x.scratch, rows: BH * T, length: T, scale: shape.scale)
            try ops.batchedProduct(out: dq, p: x.scoreGradient, v: x.k, batches: BH, rows: T, inner: T, columns: d)
            try ops.batchedTransposedLeftProduct(out: dk, p: x.scoreGradient, x: x.q, batches: BH, rows: T, columns: T, inner: d)
        }
    }
}
