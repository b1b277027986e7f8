import Foundation
import S1CUDA
import XCTest

/// What the CUDA backend decides on the host, testable without a GPU: library search errors, kernel-cache keys,
/// GEMM shape classes, KV-cache sizing and the embedding gradient's row grouping.
final class CUDAHostLogicTests: XCTestCase {
    func testAMissingLibraryNamesItAndEveryPathTried() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("s1-no-cuda-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try DynamicLibrary.open(names: ["libs1-absent.so.9"], searchPaths: [empty.path],
                                                     fallbackPaths: ["/usr/local/cuda/lib64"])) { error in
            guard case let CUDAError.libraryNotFound(library, searched) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(library, "libs1-absent.so.9")
            XCTAssertEqual(searched, [empty.appendingPathComponent("libs1-absent.so.9").path, "libs1-absent.so.9",
                                      "/usr/local/cuda/lib64/libs1-absent.so.9"])
            XCTAssertTrue("\(error)".contains("S1_CUDA_LIBRARY_PATH"), "says what to do: \(error)")
        }
    }

    func testKernelCacheKeyMovesWithEveryInputAndOnlyThen() {
        func key(_ source: String = "k", _ file: String = "a.cu", _ arch: String = "sm_90a", _ options: [String] = ["-std=c++17"],
                 _ driver: Int = 13000, _ nvrtc: (Int, Int) = (13, 0)) -> String {
            KernelCache.key(source: source, fileName: file, architecture: arch, options: options, driverVersion: driver, nvrtcVersion: nvrtc)
        }
        let base = key()
        XCTAssertEqual(base, key(), "deterministic")
        XCTAssertEqual(base.count, 64)
        let changed = [key("k2"), key("k", "b.cu"), key("k", "a.cu", "sm_80"), key("k", "a.cu", "sm_90a", ["-std=c++14"]),
                       key("k", "a.cu", "sm_90a", ["-std=c++17"], 13010), key("k", "a.cu", "sm_90a", ["-std=c++17"], 13000, (13, 1))]
        XCTAssertEqual(Set(changed + [base]).count, 7, "each input changes the key")
        // Field boundaries are encoded: moving text between fields is a different key.
        XCTAssertNotEqual(key("ab", "c.cu"), key("a", "bc.cu"))
    }

    func testRowInvariantShapeClassIgnoresTheRowCountOnly() {
        func problem(n: Int, k: Int = 896, transposeA: Bool = true) -> MatmulProblem {
            MatmulProblem(transposeA: transposeA, transposeB: false, m: 1152, n: n, k: k, lda: k, ldb: k, ldc: 1152)
        }
        let invariant = MatmulAlgorithmPolicy.rowInvariant(referenceN: 64)
        XCTAssertEqual(problem(n: 1).shapeClass(invariant), problem(n: 7).shapeClass(invariant))
        XCTAssertEqual(problem(n: 1).shapeClass(invariant), problem(n: 64).shapeClass(invariant))
        XCTAssertNotEqual(problem(n: 1).shapeClass(invariant), problem(n: 1, k: 128).shapeClass(invariant))
        XCTAssertNotEqual(problem(n: 1).shapeClass(invariant), problem(n: 1, transposeA: false).shapeClass(invariant))
        XCTAssertNotEqual(problem(n: 1).shapeClass(.pinnedPerProblem), problem(n: 7).shapeClass(.pinnedPerProblem))
        XCTAssertNotEqual(problem(n: 1).shapeClass(invariant), problem(n: 1).shapeClass(.pinnedPerProblem))
    }

    func testKVCacheBudgetLeavesTheMarginAndCountsPositions() throws {
        // Qwen2.5-0.5B: 24 layers, 2 KV heads × 64 = 128 wide → 2·24·128·2 bytes = 12 KiB per position.
        let budget = KVCacheBudget(freeBytes: 80 << 30, layers: 24, keyValueDim: 128)
        XCTAssertEqual(budget.bytesPerPosition, 12_288)
        XCTAssertEqual(budget.marginBytes, 8 << 30, "10% of 80 GiB")
        XCTAssertEqual(budget.positions, (72 << 30) / 12_288)
        XCTAssertNoThrow(try budget.check(inUse: budget.positions - 10, requested: 10))
        XCTAssertThrowsError(try budget.check(inUse: budget.positions - 10, requested: 11)) { error in
            guard case CUDAError.outOfMemory = error else { return XCTFail("\(error)") }
        }
        // A small card keeps at least 1 GiB back.
        let small = KVCacheBudget(freeBytes: 3 << 30, layers: 24, keyValueDim: 128)
        XCTAssertEqual(small.marginBytes, 1 << 30)
        XCTAssertEqual(KVCacheBudget(freeBytes: 1 << 29, layers: 24, keyValueDim: 128).positions, 0)
    }

    func testEmbeddingGradientRowsAreGroupedByTokenInRowOrder() {
        let rows = TokenRows(tokens: [5, 2, 5, 9, 2, 5])
        XCTAssertEqual(rows.unique, [2, 5, 9])
        XCTAssertEqual(rows.starts, [0, 2, 5, 6])
        XCTAssertEqual(rows.rows, [1, 4, 0, 2, 5, 3])
    }
}
