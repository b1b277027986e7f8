import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shared library opened at run time, so that nothing CUDA is needed to build or to run on the CPU.
public final class DynamicLibrary: @unchecked Sendable {
    public let name: String
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// The folders searched before the system loader: `S1_CUDA_LIBRARY_PATH` (colon-separated).
    public static var environmentPaths: [String] {
        (ProcessInfo.processInfo.environment["S1_CUDA_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init)
    }

    /// Where CUDA usually lives when the system loader does not know it.
    public static let standardPaths = ["/usr/local/cuda/lib64", "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu"]

    /// Opens the first of `names` found: in each of `searchPaths`, then by the plain name (the system loader's
    /// path), then in `fallbackPaths`. The error lists every place tried.
    public static func open(names: [String], searchPaths: [String] = environmentPaths,
                            fallbackPaths: [String] = standardPaths) throws -> DynamicLibrary {
        var tried: [String] = []
        func attempt(_ path: String) -> DynamicLibrary? {
            tried.append(path)
            guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else { return nil }
            return DynamicLibrary(name: names[0], path: path, handle: handle)
        }
        for folder in searchPaths where !folder.isEmpty {
            for name in names { if let library = attempt((folder as NSString).appendingPathComponent(name)) { return library } }
        }
        for name in names { if let library = attempt(name) { return library } }
        for folder in fallbackPaths {
            for name in names { if let library = attempt((folder as NSString).appendingPathComponent(name)) { return library } }
        }
        throw CUDAError.libraryNotFound(library: names[0], searched: tried)
    }

    private init(name: String, path: String, handle: UnsafeMutableRawPointer) {
        self.name = name
        self.path = path
        self.handle = handle
    }

    /// The function `symbol` as the C function type `T` (a `@convention(c)` type).
    func function<T>(_ symbol: String, as type: T.Type = T.self) throws -> T {
        guard let address = dlsym(handle, symbol) else { throw CUDAError.symbolMissing(library: name, symbol: symbol) }
        return unsafeBitCast(address, to: T.self)
    }
}
