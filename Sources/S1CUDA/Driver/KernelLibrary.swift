import Foundation

/// The kernels of every compiled source, by name.
public final class KernelLibrary: @unchecked Sendable {
    private let modules: [CUDAModule]
    private var kernels: [String: CUDAKernel] = [:]
    private let lock = NSLock()
    public let compiledFromCache: Int
    public let compiledFresh: Int
    /// SHA-256 over the kernel sources (names and texts): the "kernel set" in step keys.
    public let sourceDigest: String

    init(modules: [CUDAModule], compiledFromCache: Int, compiledFresh: Int, sourceDigest: String) {
        self.modules = modules
        self.compiledFromCache = compiledFromCache
        self.compiledFresh = compiledFresh
        self.sourceDigest = sourceDigest
    }

    public func kernel(_ name: String) throws -> CUDAKernel {
        try lock.withLock {
            if let known = kernels[name] { return known }
            guard let found = modules.lazy.compactMap({ $0.lookup(name) }).first else {
                throw CUDAError.symbolMissing(library: "s1 kernels", symbol: name)
            }
            kernels[name] = found
            return found
        }
    }
}
