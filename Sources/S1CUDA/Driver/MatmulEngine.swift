import Foundation

/// cuBLASLt GEMMs with algorithms pinned per shape class (see `MatmulAlgorithmPolicy`): bf16 or fp32 operands,
/// fp32 compute and scale, a fixed workspace.
public final class MatmulEngine: @unchecked Sendable {
    typealias Handle = OpaquePointer?

    struct Algo { var data: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0) }
    /// cublasLtMatmulHeuristicResult_t: algo (64 bytes), workspaceSize, state, wavesCount, reserved[4] = 96 bytes.
    struct HeuristicResult {
        var algo = Algo()
        var workspaceSize: Int = 0
        var state: Int32 = 0
        var wavesCount: Float = 0
        var reserved: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
    }

    private struct Prepared { let operation: Handle, a: Handle, b: Handle, c: Handle }
    private struct Pinned { let algo: Algo, workspace: Int, checkedN: Set<Int> }
    private struct AlgorithmKey: Hashable { let shape: MatmulShapeClass, alignments: [UInt32] }

    private let context: CUDAContext
    private let library: DynamicLibrary
    private let handle: Handle
    private let workspace: DeviceMemory
    private var prepared: [MatmulProblem: Prepared] = [:]
    private var pinned: [AlgorithmKey: Pinned] = [:]
    private let lock = NSLock()

    private let matmulDescCreate: @convention(c) (UnsafeMutablePointer<Handle>, Int32, Int32) -> Int32
    private let matmulDescSetAttribute: @convention(c) (Handle, Int32, UnsafeRawPointer, Int) -> Int32
    private let layoutCreate: @convention(c) (UnsafeMutablePointer<Handle>, Int32, UInt64, UInt64, Int64) -> Int32
    private let layoutSetAttribute: @convention(c) (Handle, Int32, UnsafeRawPointer, Int) -> Int32
    private let preferenceCreate: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    private let preferenceSetAttribute: @convention(c) (Handle, Int32, UnsafeRawPointer, Int) -> Int32
    private let preferenceDestroy: @convention(c) (Handle) -> Int32
    private let getHeuristic: @convention(c) (Handle, Handle, Handle, Handle, Handle, Handle, Handle, Int32,
                                              UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> Int32
    // Structs travel as raw pointers (Swift structs are not C types; the layouts are checked in init).
    private let algoCheck: @convention(c) (Handle, Handle, Handle, Handle, Handle, Handle, UnsafeRawPointer,
                                           UnsafeMutableRawPointer) -> Int32
    private let matmulCall: @convention(c) (Handle, Handle, UnsafeRawPointer, UnsafeRawPointer?, Handle, UnsafeRawPointer?, Handle,
                                            UnsafeRawPointer, UnsafeRawPointer?, Handle, UnsafeMutableRawPointer?, Handle,
                                            UnsafeRawPointer, UnsafeMutableRawPointer?, Int, Handle) -> Int32

    // cublasLt.h / cublas_api.h enumerators.
    private static let computeType32F: Int32 = 68
    private static let descTransA: Int32 = 3, descTransB: Int32 = 4
    private static let layoutBatchCount: Int32 = 5, layoutStridedBatchOffset: Int32 = 6
    private static let preferenceWorkspace: Int32 = 1
    private static let preferenceAlignment: [Int32] = [5, 6, 7, 8]  // A, B, C, D

    public init(context: CUDAContext, workspaceBytes: Int = 32 << 20) throws {
        guard MemoryLayout<HeuristicResult>.size == 96, MemoryLayout<Algo>.size == 64 else {
            throw CUDAError.symbolMissing(library: "libcublasLt", symbol: "cublasLtMatmulHeuristicResult_t layout (internal)")
        }
        self.context = context
        library = try DynamicLibrary.open(names: ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"],
                                          searchPaths: DynamicLibrary.environmentPaths + [(context.nvrtc.libraryPath as NSString).deletingLastPathComponent])
        let create: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32 = try library.function("cublasLtCreate")
        matmulDescCreate = try library.function("cublasLtMatmulDescCreate")
        matmulDescSetAttribute = try library.function("cublasLtMatmulDescSetAttribute")
        layoutCreate = try library.function("cublasLtMatrixLayoutCreate")
        layoutSetAttribute = try library.function("cublasLtMatrixLayoutSetAttribute")
        preferenceCreate = try library.function("cublasLtMatmulPreferenceCreate")
        preferenceSetAttribute = try library.function("cublasLtMatmulPreferenceSetAttribute")
        preferenceDestroy = try library.function("cublasLtMatmulPreferenceDestroy")
        getHeuristic = try library.function("cublasLtMatmulAlgoGetHeuristic")
        algoCheck = try library.function("cublasLtMatmulAlgoCheck")
        matmulCall = try library.function("cublasLtMatmul")
        try context.makeCurrent()
        var lt: Handle = nil
        try Self.check(create(&lt), "cublasLtCreate")
        handle = lt
        workspace = try context.allocate(bytes: workspaceBytes)
    }

    private static func check(_ status: Int32, _ call: String) throws {
        guard status == 0 else { throw CUDAError.cublas(call: call, status: status) }
    }

    /// Algorithms pinned so far (for reports).
    public var pinnedCount: Int { lock.withLock { pinned.count } }

    private func prepare(_ p: MatmulProblem) throws -> Prepared {
        if let known = prepared[p] { return known }
        var operation: Handle = nil
        try Self.check(matmulDescCreate(&operation, Self.computeType32F, MatrixElement.f32.cudaType), "cublasLtMatmulDescCreate")
        var transA: Int32 = p.transposeA ? 1 : 0, transB: Int32 = p.transposeB ? 1 : 0
        try Self.check(matmulDescSetAttribute(operation, Self.descTransA, &transA, 4), "cublasLtMatmulDescSetAttribute")
        try Self.check(matmulDescSetAttribute(operation, Self.descTransB, &transB, 4), "cublasLtMatmulDescSetAttribute")
        func layout(_ type: MatrixElement, rows: Int, columns: Int, leading: Int, stride: Int) throws -> Handle {
            var layout: Handle = nil
            try Self.check(layoutCreate(&layout, type.cudaType, UInt64(rows), UInt64(columns), Int64(leading)), "cublasLtMatrixLayoutCreate")
            if p.batchCount > 1 {
                var count = Int32(p.batchCount), offset = Int64(stride)
                try Self.check(layoutSetAttribute(layout, Self.layoutBatchCount, &count, 4), "cublasLtMatrixLayoutSetAttribute")
                try Self.check(layoutSetAttribute(layout, Self.layoutStridedBatchOffset, &offset, 8), "cublasLtMatrixLayoutSetAttribute")
            }
            return layout
        }
        // Stored shapes: A is (m × k), or (k × m) when transposed; B is (k × n), or (n × k) when transposed.
        let a = try layout(p.aType, rows: p.transposeA ? p.k : p.m, columns: p.transposeA ? p.m : p.k, leading: p.lda, stride: p.strideA)
        let b = try layout(p.bType, rows: p.transposeB ? p.n : p.k, columns: p.transposeB ? p.k : p.n, leading: p.ldb, stride: p.strideB)
        let c = try layout(p.cType, rows: p.m, columns: p.n, leading: p.ldc, stride: p.strideC)
        let made = Prepared(operation: operation, a: a, b: b, c: c)
        prepared[p] = made
        return made
    }

    /// Heuristic candidates for `p` with these operand alignments, best first.
    private func candidates(_ p: MatmulProblem, alignments: [UInt32]) throws -> [HeuristicResult] {
        let layouts = try prepare(p)
        var preference: Handle = nil
        try Self.check(preferenceCreate(&preference), "cublasLtMatmulPreferenceCreate")
        defer { _ = preferenceDestroy(preference) }
        var bytes = UInt64(workspace.bytes)
        try Self.check(preferenceSetAttribute(preference, Self.preferenceWorkspace, &bytes, 8), "cublasLtMatmulPreferenceSetAttribute")
        for (attribute, alignment) in zip(Self.preferenceAlignment, alignments) {
            var value = alignment
            try Self.check(preferenceSetAttribute(preference, attribute, &value, 4), "cublasLtMatmulPreferenceSetAttribute")
        }
        var results = [HeuristicResult](repeating: HeuristicResult(), count: 8)
        var count: Int32 = 0
        try results.withUnsafeMutableBytes { buffer in
            try Self.check(getHeuristic(handle, layouts.operation, layouts.a, layouts.b, layouts.c, layouts.c, preference, 8,
                                        buffer.baseAddress!, &count), "cublasLtMatmulAlgoGetHeuristic")
        }
        return Array(results.prefix(Int(count))).filter { $0.state == 0 }
    }

    private func supports(_ algo: Algo, _ p: MatmulProblem) throws -> Bool {
        let layouts = try prepare(p)
        var algorithm = algo
        var result = HeuristicResult()
        let status = withUnsafeBytes(of: &algorithm) { algoBytes in
            withUnsafeMutableBytes(of: &result) { resultBytes in
                algoCheck(handle, layouts.operation, layouts.a, layouts.b, layouts.c, layouts.c, algoBytes.baseAddress!,
                          resultBytes.baseAddress!)
            }
        }
        return status == 0 && result.workspaceSize <= workspace.bytes
    }

    private static func alignment(_ address: UInt64) -> UInt32 {
        UInt32(min(256, address == 0 ? 256 : 1 << address.trailingZeroBitCount))
    }

    /// The algorithm for `p` under `policy`, pinning it on first use.
    private func algorithm(_ p: MatmulProblem, policy: MatmulAlgorithmPolicy, alignments: [UInt32]) throws -> Algo {
        let key = AlgorithmKey(shape: p.shapeClass(policy), alignments: alignments)
        if let known = pinned[key] {
            if case .rowInvariant = policy, !known.checkedN.contains(p.n) {
                guard try supports(known.algo, p) else { throw CUDAError.noMatmulAlgorithm(problem: "\(p)") }
                pinned[key] = Pinned(algo: known.algo, workspace: known.workspace, checkedN: known.checkedN.union([p.n]))
            }
            return known.algo
        }
        var chosen: Algo?
        switch policy {
        case .rowInvariant(let referenceN):
            var reference = p
            reference.n = referenceN
            if p.batchCount > 1 { throw CUDAError.noMatmulAlgorithm(problem: "\(p) (row-invariant pinning is for unbatched GEMMs)") }
            // The heuristic's choice at the reference row count, split-K included: its K partition and reduction
            // order are part of the algorithm, so fixed for every row count (only a split that changed with n
            // would break invariance). It must also serve a single row and this call's row count.
            for candidate in try candidates(reference, alignments: alignments) {
                var one = p
                one.n = 1
                if try supports(candidate.algo, reference), try supports(candidate.algo, one), try supports(candidate.algo, p) {
                    chosen = candidate.algo
                    break
                }
            }
        case .pinnedPerProblem:
            chosen = try candidates(p, alignments: alignments).first?.algo
        }
        guard let algo = chosen else { throw CUDAError.noMatmulAlgorithm(problem: "\(p) [\(policy)]") }
        pinned[key] = Pinned(algo: algo, workspace: workspace.bytes, checkedN: [p.n])
        return algo
    }

    /// D = alpha·op(A)·op(B) + beta·C with device addresses a, b, c, d (c may equal d).
    public func matmul(_ problem: MatmulProblem, policy: MatmulAlgorithmPolicy, a: UInt64, b: UInt64, c: UInt64,
                       d: UInt64, alpha: Float = 1, beta: Float = 0, stream: CUDAStream? = nil) throws {
        guard problem.m > 0, problem.n > 0, problem.k > 0 else { return }
        try lock.withLock {
            try context.makeCurrent()
            let alignments = [a, b, c, d].map(Self.alignment)
            var algo = try algorithm(problem, policy: policy, alignments: alignments)
            let layouts = try prepare(problem)
            var alphaValue = alpha, betaValue = beta
            func pointer(_ address: UInt64) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(address)) }
            let streamHandle: Handle = stream?.handle  // nil: the legacy default stream
            let status = withUnsafeBytes(of: &algo) { algoBytes in
                matmulCall(handle, layouts.operation, &alphaValue, pointer(a), layouts.a, pointer(b), layouts.b,
                           &betaValue, pointer(c), layouts.c, pointer(d), layouts.c, algoBytes.baseAddress!,
                           pointer(workspace.address), workspace.bytes, streamHandle)
            }
            try Self.check(status, "cublasLtMatmul(\(problem))")
        }
    }
}
