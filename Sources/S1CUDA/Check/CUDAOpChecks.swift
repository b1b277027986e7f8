import Foundation
import S1Engine

/// Op-by-op checks of the CUDA kernels against the CPU engine's kernels on random inputs (the `test-backend-ops`
/// idea). Tolerances per op: fp32 arithmetic on the same inputs ≤ 1e-5; a result rounded to bf16 ≤ 1e-2
/// (bf16 keeps 8 significant bits, a relative rounding of ≤ 2⁻⁹ per element); GEMMs take bf16-rounded operands on
/// both sides, so they differ only by fp32 summation order (≤ 1e-5).
public enum CUDAOpChecks {
    public static func run(backend: CUDABackend, seed: UInt64 = 7) -> [CheckResult] {
        var results: [CheckResult] = []
        let checks: [(String, (DeviceOps, inout RandomInputs) throws -> [CheckResult])] = [
            ("rmsnorm", rmsNorm), ("swiglu", swiGLU), ("cross_entropy", crossEntropy), ("linear", linear),
            ("embedding", embedding), ("adamw", adamW), ("attention", attention), ("rope", rope),
        ]
        var random = RandomInputs(seed: seed)
        for (name, check) in checks {
            do { results += try check(backend.ops, &random) } catch { results.append(.failed(name, error: error)) }
        }
        return results
    }

    private static func upload(_ ops: DeviceOps, _ values: [Float]) throws -> DeviceMemory {
        let memory = try ops.context.allocate(bytes: max(values.count, 1) * 4)
        try memory.upload(values)
        return memory
    }

    private static func uploadBF16(_ ops: DeviceOps, _ values: [Float]) throws -> DeviceMemory {
        let memory = try ops.context.allocate(bytes: max(values.count, 1) * 2)
        try memory.upload(values.map(SafeTensorsWriter.bfloat16Bits))
        return memory
    }

    private static func downloadBF16(_ memory: DeviceMemory, count: Int) throws -> [Float] {
        try memory.download(UInt16.self, count: count).map { Float(bitPattern: UInt32($0) << 16) }
    }

    static func rmsNorm(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let N = 37, C = 300
        let x = random.normal(N * C), w = random.normal(C, mean: 1, std: 0.1), dy = random.normal(N * C)
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        var dx = random.normal(N * C), dw = random.normal(C)
        let dx0 = dx, dw0 = dw
        RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, rows: N, channels: C, eps: 1e-6)
        RMSNorm.backward(dinp: &dx, dweight: &dw, dout: dy, inp: x, weight: w, rstd: rstd, rows: N, channels: C)
        let gx = try upload(ops, x), gw = try upload(ops, w), gdy = try upload(ops, dy)
        let gout = try ops.context.allocate(bytes: N * C * 2), grstd = try ops.context.allocate(bytes: N * 4)
        let gdx = try upload(ops, dx0), gdw = try upload(ops, dw0)
        let scratch = try ops.context.allocate(bytes: DeviceOps.reductionScratch(rows: N, columns: C) * 4)
        try ops.rmsNorm(out: DevicePointer(gout), rstd: DevicePointer(grstd), input: DevicePointer(gx), weight: DevicePointer(gw),
                        rows: N, channels: C, eps: 1e-6)
        try ops.rmsNormBackward(inputGradient: DevicePointer(gdx), weightGradient: DevicePointer(gdw), outputGradient: DevicePointer(gdy),
                                input: DevicePointer(gx), weight: DevicePointer(gw), rstd: DevicePointer(grstd), rows: N, channels: C,
                                scratch: DevicePointer(scratch))
        return [
            CheckResult(name: "rmsnorm forward (bf16 out)", value: relativeError(try downloadBF16(gout, count: N * C), out), tolerance: 1e-2),
            CheckResult(name: "rmsnorm rstd", value: relativeError(try grstd.download(Float.self, count: N), rstd), tolerance: 1e-5),
            CheckResult(name: "rmsnorm backward input", value: relativeError(try gdx.download(Float.self, count: N * C), dx), tolerance: 1e-5),
            CheckResult(name: "rmsnorm backward weight", value: relativeError(try gdw.download(Float.self, count: C), dw), tolerance: 1e-5),
        ]
    }

    static func swiGLU(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let N = 19, I = 130
        let gateUp = random.normal(N * 2 * I, std: 2).map(roundBF16), dh = random.normal(N * I)
        var out = [Float](repeating: 0, count: N * I), dGateUp = [Float](repeating: 0, count: N * 2 * I)
        for n in 0..<N {
            gateUp.withUnsafeBufferPointer { g in
                out.withUnsafeMutableBufferPointer { o in
                    SwiGLU.forward(out: o.baseAddress! + n * I, gate: g.baseAddress! + n * 2 * I, up: g.baseAddress! + n * 2 * I + I, count: I)
                }
                dh.withUnsafeBufferPointer { d in
                    dGateUp.withUnsafeMutableBufferPointer { dg in
                        SwiGLU.backward(dgate: dg.baseAddress! + n * 2 * I, dup: dg.baseAddress! + n * 2 * I + I,
                                        dout: d.baseAddress! + n * I, gate: g.baseAddress! + n * 2 * I,
                                        up: g.baseAddress! + n * 2 * I + I, count: I)
                    }
                }
            }
        }
        let gGateUp = try uploadBF16(ops, gateUp), gGateUp32 = try upload(ops, gateUp), gdh = try upload(ops, dh)
        let gout = try ops.context.allocate(bytes: N * I * 2), gdGateUp = try ops.context.allocate(bytes: N * 2 * I * 2)
        let gout32 = try ops.context.allocate(bytes: N * I * 2)
        try ops.swiGLU(out: DevicePointer(gout), bf16GateUp: DevicePointer(gGateUp), rows: N, intermediate: I)
        try ops.swiGLU(out: DevicePointer(gout32), gateUp: DevicePointer(gGateUp32), rows: N, intermediate: I)
        try ops.swiGLUBackward(gateUpGradient: DevicePointer(gdGateUp), outputGradient: DevicePointer(gdh),
                               gateUp: DevicePointer(gGateUp), rows: N, intermediate: I)
        return [
            CheckResult(name: "swiglu forward (bf16 in, bf16 out)", value: relativeError(try downloadBF16(gout, count: N * I), out), tolerance: 1e-2),
            CheckResult(name: "swiglu forward (fp32 in, bf16 out)", value: relativeError(try downloadBF16(gout32, count: N * I), out), tolerance: 1e-2),
            CheckResult(name: "swiglu backward (bf16 out)", value: relativeError(try downloadBF16(gdGateUp, count: N * 2 * I), dGateUp), tolerance: 1e-2),
        ]
    }

    static func crossEntropy(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let N = 23, V = 1000
        let logits = random.normal(N * V, std: 3)
        let targets: [Int32] = (0..<N).map { $0 % 5 == 0 ? -1 : Int32(random.index(below: V)) }
        var cpu = logits
        let cpuLoss = CrossEntropy.forwardBackward(logits: &cpu, targets: targets, rows: N, vocabulary: V, gradScale: 0.25)
        let gLogits = try upload(ops, logits), gTargets = try ops.context.allocate(bytes: N * 4)
        try gTargets.upload(targets)
        let gLosses = try ops.context.allocate(bytes: N * 4), gGrad = try ops.context.allocate(bytes: N * V * 2)
        try ops.crossEntropy(losses: DevicePointer(gLosses), logitGradient: DevicePointer(gGrad), logits: DevicePointer(gLogits),
                             targets: DevicePointer(gTargets), rows: N, vocabulary: V, gradScale: 0.25)
        let gpuLoss = try gLosses.download(Float.self, count: N).reduce(0.0) { $0 + Double($1) }
        return [
            CheckResult(name: "cross-entropy loss", value: abs(gpuLoss - cpuLoss) / abs(cpuLoss), tolerance: 1e-5),
            CheckResult(name: "cross-entropy logit gradient (bf16 out)", value: relativeError(try downloadBF16(gGrad, count: N * V), cpu), tolerance: 1e-2),
        ]
    }

    /// The three GEMM forms of a linear layer against `Linear` on the same bf16-rounded operands.
    static func linear(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let N = 45, K = 96, M = 70
        let x = random.normal(N * K).map(roundBF16), w = random.normal(M * K).map(roundBF16)
        let residual = random.normal(N * M), dy = random.normal(N * M).map(roundBF16), dw0 = random.normal(M * K)
        var y = [Float](repeating: 0, count: N * M)
        Linear.forward(out: &y, inp: x, panels: Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .forward),
                       bias: nil, rows: N, inFeatures: K, outFeatures: M)
        let yPlus = zip(y, residual).map { $0 + $1 }
        var dx = [Float](repeating: 0, count: N * K), dw = dw0
        Linear.backward(dinp: &dx, accumulate: false, dweight: &dw, dbias: nil, dout: dy, inp: x,
                        panels: Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .inputGradient),
                        rows: N, inFeatures: K, outFeatures: M)
        let gx = try uploadBF16(ops, x), gw = try uploadBF16(ops, w), gdy = try uploadBF16(ops, dy)
        let gres = try upload(ops, residual), gy = try ops.context.allocate(bytes: N * M * 4)
        let gdx = try ops.context.allocate(bytes: N * K * 4), gdw = try upload(ops, dw0)
        var results: [CheckResult] = []
        for policy in [MatmulAlgorithmPolicy.pinnedPerProblem, .rowInvariant(referenceN: 64)] {
            try ops.linear(out: DevicePointer(gy), input: DevicePointer(gx), weight: DevicePointer(gw), rows: N, inFeatures: K,
                           outFeatures: M, policy: policy)
            results.append(CheckResult(name: "linear forward \(policy)", value: relativeError(try gy.download(Float.self, count: N * M), y), tolerance: 1e-5))
        }
        try ops.linear(out: DevicePointer(gy), input: DevicePointer(gx), weight: DevicePointer(gw), residual: DevicePointer(gres),
                       rows: N, inFeatures: K, outFeatures: M, policy: .pinnedPerProblem)
        results.append(CheckResult(name: "linear forward + residual", value: relativeError(try gy.download(Float.self, count: N * M), yPlus), tolerance: 1e-5))
        try ops.linearInputGradient(out: DevicePointer(gdx), outputGradient: DevicePointer(gdy), weight: DevicePointer(gw),
                                    rows: N, inFeatures: K, outFeatures: M)
        try ops.linearWeightGradient(accumulateInto: DevicePointer(gdw), outputGradient: DevicePointer(gdy), input: DevicePointer(gx),
                                     rows: N, inFeatures: K, outFeatures: M)
        results.append(CheckResult(name: "linear input gradient", value: relativeError(try gdx.download(Float.self, count: N * K), dx), tolerance: 1e-5))
        results.append(CheckResult(name: "linear weight gradient (accumulated)", value: relativeError(try gdw.download(Float.self, count: M * K), dw), tolerance: 1e-5))
        return results
    }

    static func embedding(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let N = 50, C = 40, V = 17
        let table = random.normal(V * C), dout = random.normal(N * C), start = random.normal(V * C)
        let tokens: [Int32] = (0..<N).map { _ in Int32(random.index(below: V)) }
        var out = [Float](repeating: 0, count: N * C), dtable = start
        Embedding.forward(out: &out, tokens: tokens, table: table, rows: N, channels: C)
        Embedding.backward(dtable: &dtable, dout: dout, tokens: tokens, rows: N, channels: C)
        let gTable = try upload(ops, table), gOut = try ops.context.allocate(bytes: N * C * 4), gTokens = try ops.context.allocate(bytes: N * 4)
        try gTokens.upload(tokens)
        try ops.embedding(out: DevicePointer(gOut), tokens: DevicePointer(gTokens), table: DevicePointer(gTable), rows: N, channels: C)
        let csr = TokenRows(tokens: tokens)
        let gUnique = try ops.context.allocate(bytes: csr.unique.count * 4), gStarts = try ops.context.allocate(bytes: csr.starts.count * 4)
        let gRows = try ops.context.allocate(bytes: csr.rows.count * 4), gd = try upload(ops, start), gdout = try upload(ops, dout)
        try gUnique.upload(csr.unique); try gStarts.upload(csr.starts); try gRows.upload(csr.rows)
        try ops.embeddingGradient(table: DevicePointer(gd), outputGradient: DevicePointer(gdout), unique: DevicePointer(gUnique),
                                  starts: DevicePointer(gStarts), rows: DevicePointer(gRows), uniqueCount: csr.unique.count, channels: C)
        return [
            .exact("embedding forward", equal: try gOut.download(Float.self, count: N * C) == out),
            CheckResult(name: "embedding backward", value: relativeError(try gd.download(Float.self, count: V * C), dtable), tolerance: 1e-6),
        ]
    }

    static func adamW(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let config = Qwen2Config(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2,
                                     numKeyValueHeads: 1, vocabSize: 11, ropeTheta: 10000, rmsNormEps: 1e-6,
                                     tieWordEmbeddings: false, maxPositionEmbeddings: 16)
        let model = try Qwen2Model.initialised(config: config, seed: random.next())
        let count = model.layout.count
        let gradients = FloatBuffer(count: count)
        gradients.copy(from: random.normal(count, std: 0.01))
        let optimizer = AdamW(parameterCount: count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        let device = try CUDATrainingDevice(ops: ops, model: model, optimizer: optimizer)
        let before = model.parameters.toArray()
        try device.gradients.upload(from: gradients.pointer, bytes: count * 4)
        let norm = try device.clipAndStep(maxNorm: nil, learningRate: 1e-3)
        try device.synchronizeToHost()
        let gpu = model.parameters.toArray()
        model.parameters.copy(from: before)
        let reference = AdamW(parameterCount: count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        reference.step(parameters: model.parameters, gradients: gradients, layout: model.layout, learningRate: 1e-3)
        let cpu = model.parameters.toArray()
        return [
            CheckResult(name: "adamw parameters", value: relativeError(gpu, cpu), tolerance: 1e-6),
            CheckResult(name: "gradient norm", value: abs(norm - globalNorm(gradients)) / globalNorm(gradients), tolerance: 1e-6),
        ]
    }
}

extension CUDAOpChecks {
    /// Causal GQA attention of the training path, both kernels (`TrainingAttention`), forward and backward, against
    /// `BlockedCausalAttention` on the same bf16-rounded q, k, v. RoPE is the identity here (cos 1, sin 0), so only
    /// attention is measured. The shapes cross the flash kernels' 64-row tiles (T = 130, 70) and cover every
    /// compiled head size; P and dS are bf16 in both kernels: ≤ 2e-2. The flash kernels also run twice: bitwise equal.
    static func attention(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let shapes = [(B: 2, T: 37, Hq: 4, Hk: 2, d: 16), (B: 1, T: 130, Hq: 4, Hk: 2, d: 64),
                      (B: 2, T: 70, Hq: 2, Hk: 1, d: 32), (B: 1, T: 67, Hq: 2, Hk: 2, d: 128)]
        var results: [CheckResult] = []
        for (index, s) in shapes.enumerated() {
            let kernels: [TrainingAttentionKernel] = index == 0 ? [.materialized, .flash] : [.flash]
            results += try attention(ops, &random, batch: s.B, length: s.T, heads: s.Hq, kvHeads: s.Hk, headDim: s.d,
                                     kernels: kernels)
        }
        return results
    }

    private static func attention(_ ops: DeviceOps, _ random: inout RandomInputs, batch B: Int, length T: Int,
                                  heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                                  kernels: [TrainingAttentionKernel]) throws -> [CheckResult] {
        let shape = AttentionShape(heads: Hq, kvHeads: Hk, headDim: d)
        let N = B * T, BH = B * Hq, qDim = Hq * d, kvDim = Hk * d, qkvDim = qDim + 2 * kvDim
        let q = random.normal(N * qDim).map(roundBF16), k = random.normal(N * kvDim).map(roundBF16)
        let v = random.normal(N * kvDim).map(roundBF16), dout = random.normal(N * qDim).map(roundBF16)
        var out = [Float](repeating: 0, count: N * qDim), lse = [Float](repeating: 0, count: N * Hq)
        BlockedCausalAttention.forward(out: &out, lse: &lse, q: q, k: k, v: v, batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
        var dq = [Float](repeating: 0, count: N * qDim), dk = [Float](repeating: 0, count: N * kvDim), dv = dk
        BlockedCausalAttention.backward(dq: &dq, dk: &dk, dv: &dv, dout: dout, q: q, k: k, v: v, out: out, lse: lse,
                                        batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
        // The fused projection rows (N, qkvDim) = [q | k | v].
        var qkv: [Float] = []
        qkv.reserveCapacity(N * qkvDim)
        for n in 0..<N {
            qkv.append(contentsOf: q[(n * qDim)..<((n + 1) * qDim)])
            qkv.append(contentsOf: k[(n * kvDim)..<((n + 1) * kvDim)])
            qkv.append(contentsOf: v[(n * kvDim)..<((n + 1) * kvDim)])
        }
        let identity = try RopeTables(context: ops.context, cos: [Float](repeating: 1, count: T * d / 2),
                                      sin: [Float](repeating: 0, count: T * d / 2), positions: T)
        func buffer(_ count: Int, _ size: Int) throws -> DeviceMemory { try ops.context.allocate(bytes: max(count, 1) * size) }
        let gqkv = try upload(ops, qkv), bias = try upload(ops, [Float](repeating: 0, count: qkvDim))
        let gq = try buffer(N * qDim, 2), gk = try buffer(N * qDim, 2), gv = try buffer(N * qDim, 2)
        try ops.qkvToHeads(q: DevicePointer(gq), k: DevicePointer(gk), v: DevicePointer(gv), qkv: DevicePointer(gqkv),
                           bias: DevicePointer(bias), rope: identity, rows: N, length: T, shape: shape)
        let gdout = try upload(ops, dout), dO = try buffer(N * qDim, 2)
        try ops.rowsToHeads(out: DevicePointer(dO), rows: DevicePointer(gdout), rows: N, length: T, heads: Hq, headDim: d)
        let label = "B\(B) T\(T) \(Hq)/\(Hk) heads d\(d)"
        var results: [CheckResult] = []
        for kernel in kernels {
            let attention = TrainingAttention(kernel: kernel, shape: shape, batch: B, length: T)
            let saved = try buffer(kernel.savedElements(batchHeads: BH, length: T), kernel.savedElementBytes)
            let scratch = try buffer(TrainingAttention.scratchElements(kernel, batchHeads: BH, length: T), 4)
            let rows = try buffer(N * qDim, 2), heads = try buffer(N * qDim, 4)
            let dS = try buffer(kernel == .materialized ? BH * T * T : 1, 2)
            let buffers = AttentionBuffers(q: DevicePointer(gq), k: DevicePointer(gk), v: DevicePointer(gv),
                                           output: DevicePointer(rows), saved: saved.address, scratch: DevicePointer(scratch),
                                           scoreGradient: DevicePointer(dS), headsF32: DevicePointer(heads))
            let dQ = try buffer(N * qDim, 4), dK = try buffer(N * qDim, 4), dV = try buffer(N * qDim, 4)
            let dqkv = try buffer(N * qkvDim, 4)
            func run() throws -> (out: [UInt16], dqkv: [Float]) {
                try attention.forward(ops, buffers)
                try attention.backward(ops, buffers, outputGradient: DevicePointer(dO), dq: DevicePointer(dQ),
                                       dk: DevicePointer(dK), dv: DevicePointer(dV))
                try ops.headsToQKVBackward(qkvGradient: DevicePointer(dqkv), q: DevicePointer(dQ), k: DevicePointer(dK),
                                           v: DevicePointer(dV), rope: identity, rows: N, length: T, shape: shape)
                return (try rows.download(UInt16.self, count: N * qDim), try dqkv.download(Float.self, count: N * qkvDim))
            }
            let first = try run()
            let gpuOut = first.out.map { Float(bitPattern: UInt32($0) << 16) }
            func column(_ start: Int, _ width: Int) -> [Float] {
                (0..<N).flatMap { n in first.dqkv[(n * qkvDim + start)..<(n * qkvDim + start + width)] }
            }
            let name = "attention \(kernel.rawValue) \(label)"
            results += [
                CheckResult(name: "\(name) forward (bf16 out)", value: relativeError(gpuOut, out), tolerance: 2e-2),
                CheckResult(name: "\(name) dq", value: relativeError(column(0, qDim), dq), tolerance: 2e-2),
                CheckResult(name: "\(name) dk (group sums)", value: relativeError(column(qDim, kvDim), dk), tolerance: 2e-2),
                CheckResult(name: "\(name) dv (group sums)", value: relativeError(column(qDim + kvDim, kvDim), dv), tolerance: 2e-2),
            ]
            if kernel == .flash {
                let second = try run()
                let identical = second.out == first.out && second.dqkv.map(\.bitPattern) == first.dqkv.map(\.bitPattern)
                results.append(.exact("\(name) rerun bitwise identical", equal: identical))
            }
        }
        return results
    }

    /// RoPE forward (with the q/k/v bias, into bf16 heads) and backward (fp32) against `RotaryEmbedding`.
    static func rope(_ ops: DeviceOps, _ random: inout RandomInputs) throws -> [CheckResult] {
        let T = 29, Hq = 2, Hk = 1, d = 8, N = T
        let shape = AttentionShape(heads: Hq, kvHeads: Hk, headDim: d)
        let qDim = Hq * d, kvDim = Hk * d, qkvDim = qDim + 2 * kvDim, half = d / 2
        let rotary = RotaryEmbedding(headDim: d, theta: 10_000)
        let (cosTable, sinTable) = rotary.table(positions: T)
        let qkv = random.normal(N * qkvDim), bias = random.normal(qkvDim)
        var expected = [Float](repeating: 0, count: N * qDim)   // rotated q + bias, rows
        var gradient = random.normal(N * qkvDim)                 // a qkv-shaped gradient to un-rotate
        let gradientIn = gradient
        for n in 0..<N {
            var row = (0..<qDim).map { qkv[n * qkvDim + $0] + bias[$0] }
            cosTable.withUnsafeBufferPointer { c in
                sinTable.withUnsafeBufferPointer { s in
                    RotaryEmbedding.apply(&row, heads: Hq, headDim: d, cos: c.baseAddress! + n * half, sin: s.baseAddress! + n * half)
                    gradient.withUnsafeMutableBufferPointer { g in
                        RotaryEmbedding.applyBackward(g.baseAddress! + n * qkvDim, heads: Hq + Hk, headDim: d,
                                                      cos: c.baseAddress! + n * half, sin: s.baseAddress! + n * half)
                    }
                }
            }
            for i in 0..<qDim { expected[n * qDim + i] = row[i] }
        }
        let tables = try RopeTables(context: ops.context, rotary: rotary, positions: T)
        let gqkv = try upload(ops, qkv), gbias = try upload(ops, bias)
        let gq = try ops.context.allocate(bytes: N * qDim * 2), gk = try ops.context.allocate(bytes: N * qDim * 2)
        let gv = try ops.context.allocate(bytes: N * qDim * 2)
        try ops.qkvToHeads(q: DevicePointer(gq), k: DevicePointer(gk), v: DevicePointer(gv), qkv: DevicePointer(gqkv),
                           bias: DevicePointer(gbias), rope: tables, rows: N, length: T, shape: shape)
        let heads = try downloadBF16(gq, count: N * qDim)   // (1, Hq, T, d)
        let gpuRows = (0..<N).flatMap { n in (0..<qDim).map { heads[((($0 / d) * T) + n) * d + $0 % d] } }
        // Backward: q heads and the k/v parts of the first query head of each group carry the gradient.
        var dq = [Float](repeating: 0, count: N * qDim), dk = dq, dv = dq
        for n in 0..<N {
            for i in 0..<qDim { dq[((i / d) * T + n) * d + i % d] = gradientIn[n * qkvDim + i] }
            for i in 0..<kvDim {
                dk[(0 * T + n) * d + i] = gradientIn[n * qkvDim + qDim + i]
                dv[(0 * T + n) * d + i] = gradientIn[n * qkvDim + qDim + kvDim + i]
            }
        }
        let gdq = try upload(ops, dq), gdk = try upload(ops, dk), gdv = try upload(ops, dv)
        let gout = try ops.context.allocate(bytes: N * qkvDim * 4)
        try ops.headsToQKVBackward(qkvGradient: DevicePointer(gout), q: DevicePointer(gdq), k: DevicePointer(gdk), v: DevicePointer(gdv),
                                   rope: tables, rows: N, length: T, shape: shape)
        // The v part is not rotated: the reference keeps it as given.
        var reference = gradient
        for n in 0..<N { for i in 0..<kvDim { reference[n * qkvDim + qDim + kvDim + i] = gradientIn[n * qkvDim + qDim + kvDim + i] } }
        return [
            CheckResult(name: "rope forward with bias (bf16 heads)", value: relativeError(gpuRows, expected), tolerance: 1e-2),
            CheckResult(name: "rope backward (q, k) and v passthrough", value: relativeError(try gout.download(Float.self, count: N * qkvDim), reference), tolerance: 1e-5),
        ]
    }
}

private func roundBF16(_ x: Float) -> Float { Float(bitPattern: UInt32(SafeTensorsWriter.bfloat16Bits(x)) << 16) }

/// Normal draws from the engine's counter RNG, so every check sees the same inputs on every run.
struct RandomInputs {
    private var rng: CounterRNG

    init(seed: UInt64) { rng = CounterRNG(key: seed) }

    mutating func next() -> UInt64 { rng.next() }
    mutating func index(below n: Int) -> Int { rng.nextIndex(below: n) }

    mutating func normal(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<count).map { _ in
            let u1 = max(rng.nextUnit(), 0x1.0p-60), u2 = rng.nextUnit()
            return mean + std * Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        }
    }
}
