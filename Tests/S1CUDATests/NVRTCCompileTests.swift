import Foundation
import S1CUDA
import XCTest

/// Every kernel source compiles with NVRTC for the H100 (sm_90a), and compiled kernels are cached by content.
/// Needs libnvrtc, not a GPU: `make test` installs it first (`make cuda-tools`: pip's nvidia-cuda-nvrtc into
/// .venv-cuda), or set S1_CUDA_LIBRARY_PATH to a folder holding it.
final class NVRTCCompileTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let kernels = repository.appendingPathComponent("Sources/S1CUDA/Kernels")

    func compiler() throws -> NVRTC {
        let venv = Self.repository.appendingPathComponent(".venv-cuda/lib")
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: venv.path)) ?? []).sorted()
            .map { venv.appendingPathComponent("\($0)/site-packages/nvidia/cu13/lib").path }
        do {
            return try NVRTC.load(extraPaths: folders)
        } catch {
            XCTFail("libnvrtc is needed to compile the kernels: run `make cuda-tools` (or `make test`). \(error)")
            throw error
        }
    }

    func testEveryKernelCompilesForHopper() throws {
        let nvrtc = try compiler()
        let sources = try KernelSources.load(from: Self.kernels)
        XCTAssertGreaterThanOrEqual(sources.count, 4)
        for (name, source) in sources {
            XCTAssertFalse(source.contains("#include"), "\(name): headers are inlined for NVRTC")
            let image = try nvrtc.compile(source: source, fileName: name, architecture: "sm_90a", options: KernelCompileOptions.standard)
            XCTAssertEqual(Array(image.prefix(4)), [0x7F, 0x45, 0x4C, 0x46], "\(name) gives an ELF cubin")
        }
    }

    /// Training picks the flash kernels by head size: every head size it picks them for has all three kernels in
    /// the compiled image (their names are ELF symbols), and a size without them takes the materialised path.
    func testEveryHeadSizeThatTrainsWithFlashAttentionHasItsKernels() throws {
        let nvrtc = try compiler()
        guard let source = try KernelSources.load(from: Self.kernels).first(where: { $0.name == "flash_attention.cu" }) else {
            return XCTFail("flash_attention.cu is missing")
        }
        let image = try nvrtc.compile(source: source.source, fileName: source.name, architecture: "sm_90a",
                                      options: KernelCompileOptions.standard)
        let flashSizes = (1...512).filter { TrainingAttentionKernel.preferred(headDim: $0) == .flash }
        XCTAssertEqual(flashSizes, [16, 32, 64, 128])
        for d in flashSizes {
            for kernel in ["flash_forward_d\(d)", "flash_backward_keys_d\(d)", "flash_backward_queries_d\(d)"] {
                XCTAssertNotNil(image.firstRange(of: Array(kernel.utf8)), "\(kernel) is not in the compiled image")
            }
        }
        XCTAssertEqual(TrainingAttentionKernel.preferred(headDim: 80), .materialized)
    }

    func testACompileErrorNamesTheFileAndLine() throws {
        let nvrtc = try compiler()
        let broken = "extern \"C\" __global__ void k(float* x) {\n  x[0] = undeclared_name;\n}\n"
        XCTAssertThrowsError(try nvrtc.compile(source: broken, fileName: "broken.cu", architecture: "sm_90a",
                                               options: KernelCompileOptions.standard)) { error in
            guard case let CUDAError.compilation(file, log) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "broken.cu")
            XCTAssertTrue(log.contains("broken.cu(2)") && log.contains("undeclared_name"), log)
        }
    }

    func testTheCacheReturnsTheSameImageAndRecompilesACorruptEntry() throws {
        let nvrtc = try compiler()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("s1-kernel-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = KernelCache(directory: directory)
        let source = "extern \"C\" __global__ void twice(float* x) { x[threadIdx.x] *= 2.f; }\n"
        let first = try cache.image(source: source, fileName: "twice.cu", architecture: "sm_90a",
                                    options: KernelCompileOptions.standard, driverVersion: 13000, compiler: nvrtc)
        XCTAssertFalse(first.fromCache)
        let second = try cache.image(source: source, fileName: "twice.cu", architecture: "sm_90a",
                                     options: KernelCompileOptions.standard, driverVersion: 13000, compiler: nvrtc)
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(second.image, first.image)
        // Flip one byte of the stored payload: the digest no longer matches, so it is compiled again.
        let file = directory.appendingPathComponent("\(first.key).cubin")
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: file)
        let third = try cache.image(source: source, fileName: "twice.cu", architecture: "sm_90a",
                                    options: KernelCompileOptions.standard, driverVersion: 13000, compiler: nvrtc)
        XCTAssertFalse(third.fromCache)
        XCTAssertEqual(third.image, first.image)
        // Another driver version is another entry.
        let other = try cache.image(source: source, fileName: "twice.cu", architecture: "sm_90a",
                                    options: KernelCompileOptions.standard, driverVersion: 13010, compiler: nvrtc)
        XCTAssertFalse(other.fromCache)
    }
}
