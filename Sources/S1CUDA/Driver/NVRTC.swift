import Foundation

/// NVRTC, the run-time CUDA C compiler: usable without a GPU or driver (the test suite compiles every kernel
/// with it when it is installed, e.g. `make cuda-tools`).
public final class NVRTC: @unchecked Sendable {
    typealias Program = OpaquePointer?
    private let library: DynamicLibrary
    private let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private let nvrtcCreateProgram: @convention(c) (UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>?,
                                                    Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let nvrtcCompileProgram: @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let nvrtcGetProgramLogSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let nvrtcGetProgramLog: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let nvrtcGetCUBINSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let nvrtcGetCUBIN: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<Program>) -> Int32
    private let nvrtcGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    public let version: (major: Int, minor: Int)
    /// Where libnvrtc was found (cuBLASLt is usually beside it).
    public var libraryPath: String { library.path }

    /// Finds libnvrtc (CUDA 13 or 12) on the search path of `DynamicLibrary`, plus `extraPaths` first.
    public static func load(extraPaths: [String] = []) throws -> NVRTC {
        try NVRTC(library: DynamicLibrary.open(names: ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
                                               searchPaths: extraPaths + DynamicLibrary.environmentPaths))
    }

    private init(library: DynamicLibrary) throws {
        self.library = library
        nvrtcVersion = try library.function("nvrtcVersion")
        nvrtcCreateProgram = try library.function("nvrtcCreateProgram")
        nvrtcCompileProgram = try library.function("nvrtcCompileProgram")
        nvrtcGetProgramLogSize = try library.function("nvrtcGetProgramLogSize")
        nvrtcGetProgramLog = try library.function("nvrtcGetProgramLog")
        nvrtcGetCUBINSize = try library.function("nvrtcGetCUBINSize")
        nvrtcGetCUBIN = try library.function("nvrtcGetCUBIN")
        nvrtcDestroyProgram = try library.function("nvrtcDestroyProgram")
        nvrtcGetErrorString = try library.function("nvrtcGetErrorString")
        var major: Int32 = 0, minor: Int32 = 0
        _ = nvrtcVersion(&major, &minor)
        version = (Int(major), Int(minor))
    }

    private func check(_ result: Int32, _ call: String) throws {
        guard result != 0 else { return }
        throw CUDAError.nvrtc(call: call, code: result, message: nvrtcGetErrorString(result).map { String(cString: $0) } ?? "unknown")
    }

    /// The CUBIN (device machine code) of `source` for `architecture` ("sm_90a"); a compile error carries the log.
    public func compile(source: String, fileName: String, architecture: String, options: [String]) throws -> [UInt8] {
        var program: Program = nil
        try check(nvrtcCreateProgram(&program, source, fileName, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = nvrtcDestroyProgram(&program) }
        let arguments = ["--gpu-architecture=\(architecture)"] + options
        let cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers = cStrings.map { UnsafePointer<CChar>($0) }
        let status = pointers.withUnsafeBufferPointer { nvrtcCompileProgram(program, Int32(arguments.count), $0.baseAddress) }
        var logSize = 0
        try check(nvrtcGetProgramLogSize(program, &logSize), "nvrtcGetProgramLogSize")
        var log = [CChar](repeating: 0, count: max(logSize, 1))
        try check(nvrtcGetProgramLog(program, &log), "nvrtcGetProgramLog")
        guard status == 0 else {
            throw CUDAError.compilation(file: fileName, log: String(cString: log).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var size = 0
        try check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize")
        var image = [CChar](repeating: 0, count: size)
        try check(nvrtcGetCUBIN(program, &image), "nvrtcGetCUBIN")
        return image.map { UInt8(bitPattern: $0) }
    }
}

/// The NVRTC options every kernel is compiled with: no fast math (results comparable with the CPU engine and
/// fixed across builds), C++17, device code by default.
public enum KernelCompileOptions {
    public static let standard = ["-default-device", "-std=c++17"]
}
