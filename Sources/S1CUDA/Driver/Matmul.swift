/// Element types of cuBLASLt operands (cudaDataType_t values from library_types.h).
public enum MatrixElement: Sendable, Hashable {
    case bf16, f32
    var cudaType: Int32 { self == .bf16 ? 14 : 0 }
}

/// One column-major GEMM as cuBLASLt sees it: D (m × n) = alpha·op(A)·op(B) + beta·C, strided-batched.
/// The row-major callers (`DeviceOps`) map their shapes onto it; `n` is always their row (token) count.
public struct MatmulProblem: Sendable, Hashable, CustomStringConvertible {
    public var transposeA: Bool, transposeB: Bool
    public var m: Int, n: Int, k: Int
    public var lda: Int, ldb: Int, ldc: Int
    public var batchCount: Int = 1
    /// Strides between batches, in elements.
    public var strideA: Int = 0, strideB: Int = 0, strideC: Int = 0
    public var aType: MatrixElement = .bf16, bType: MatrixElement = .bf16
    /// The type of C and D.
    public var cType: MatrixElement = .f32

    public init(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.m = m
        self.n = n
        self.k = k
        self.lda = lda
        self.ldb = ldb
        self.ldc = ldc
    }

    public var description: String {
        "GEMM \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") m=\(m) n=\(n) k=\(k) batch=\(batchCount)"
    }

    /// The key an algorithm is pinned under. Row-invariant pinning drops `n` and what depends on it, so every row
    /// count shares one algorithm (and so computes each row with the same instructions in the same order).
    public func shapeClass(_ policy: MatmulAlgorithmPolicy) -> MatmulShapeClass {
        var key = self
        let tag: Int
        switch policy {
        case .rowInvariant:
            key.n = 0
            key.strideB = 0
            key.strideC = 0
            tag = 0
        case .pinnedPerProblem: tag = 1
        }
        return MatmulShapeClass(problem: key, policy: tag)
    }
}

public struct MatmulShapeClass: Hashable, Sendable {
    let problem: MatmulProblem
    let policy: Int
}

/// How a GEMM's algorithm is chosen.
public enum MatmulAlgorithmPolicy: Sendable, CustomStringConvertible {
    /// One algorithm per shape class whatever the row count, chosen once by the heuristic at n = `referenceN`
    /// (tile, stages and split-K count fixed with it, so no split depends on the batch), checked for every new n;
    /// a row count it cannot serve is an error (another algorithm would break batch invariance). Decoding uses this.
    case rowInvariant(referenceN: Int)
    /// The heuristic's first choice per exact problem, pinned on first use: deterministic run to run (every
    /// cuBLASLt reduction scheme adds its split-K parts in a fixed sequence), not batch-invariant. Training uses
    /// this; for decoding it is the "best non-invariant" baseline.
    case pinnedPerProblem

    public var description: String {
        switch self {
        case .rowInvariant(let n): return "row-invariant (pinned at n=\(n))"
        case .pinnedPerProblem: return "pinned per problem"
        }
    }
}
