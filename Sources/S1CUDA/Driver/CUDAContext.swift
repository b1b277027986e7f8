import Foundation

/// One GPU's primary context: device facts, plain device allocations (`cuMemAlloc`, never managed memory),
/// modules and the compiled kernel library. Work goes to the legacy default stream, so copies and launches run in
/// the order they are issued.
public final class CUDAContext: @unchecked Sendable {
    let api: DriverAPI
    private let context: OpaquePointer?
    public let deviceName: String
    public let computeCapability: (major: Int, minor: Int)
    public let multiprocessorCount: Int
    /// cuDriverGetVersion, e.g. 13000 for CUDA 13.0.
    public let driverVersion: Int
    public let nvrtc: NVRTC

    public init(ordinal: Int = 0) throws {
        let api = try DriverAPI()
        self.api = api
        try api.check(api.cuInit(0), "cuInit")
        var count: Int32 = 0
        try api.check(api.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard count > ordinal else { throw CUDAError.noDevice }
        var device: Int32 = 0
        try api.check(api.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet")
        var name = [CChar](repeating: 0, count: 256)
        try api.check(api.cuDeviceGetName(&name, 256, device), "cuDeviceGetName")
        deviceName = String(cString: name)
        func attribute(_ id: Int32) throws -> Int {
            var value: Int32 = 0
            try api.check(api.cuDeviceGetAttribute(&value, id, device), "cuDeviceGetAttribute")
            return Int(value)
        }
        computeCapability = (try attribute(DriverAPI.attributeComputeCapabilityMajor),
                             try attribute(DriverAPI.attributeComputeCapabilityMinor))
        multiprocessorCount = try attribute(DriverAPI.attributeMultiprocessorCount)
        var version: Int32 = 0
        try api.check(api.cuDriverGetVersion(&version), "cuDriverGetVersion")
        driverVersion = Int(version)
        var primary: OpaquePointer?
        try api.check(api.cuDevicePrimaryCtxRetain(&primary, device), "cuDevicePrimaryCtxRetain")
        context = primary
        try api.check(api.cuCtxSetCurrent(primary), "cuCtxSetCurrent")
        // NVRTC often sits beside the driver's CUDA libraries; the driver folder is searched first.
        nvrtc = try NVRTC.load(extraPaths: [(api.library.path as NSString).deletingLastPathComponent])
    }

    /// "sm_90a" on Hopper (its `a` features need the exact target), else "sm_<major><minor>".
    public var architecture: String {
        "sm_\(computeCapability.major)\(computeCapability.minor)" + (computeCapability.major == 9 ? "a" : "")
    }

    /// The context must be current on the calling thread; steps may run on any thread.
    func makeCurrent() throws { try api.check(api.cuCtxSetCurrent(context), "cuCtxSetCurrent") }

    public func memoryInfo() throws -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try api.check(api.cuMemGetInfo(&free, &total), "cuMemGetInfo")
        return (free, total)
    }

    public func allocate(bytes: Int) throws -> DeviceMemory {
        try makeCurrent()
        var address: UInt64 = 0
        let result = api.cuMemAlloc(&address, max(bytes, 1))
        if result == DriverAPI.errorOutOfMemory {
            throw CUDAError.outOfMemory(requestedBytes: bytes, freeBytes: (try? memoryInfo().free) ?? 0)
        }
        try api.check(result, "cuMemAlloc")
        return DeviceMemory(context: self, address: address, bytes: bytes)
    }

    public func synchronize() throws {
        try makeCurrent()
        try api.check(api.cuCtxSynchronize(), "cuCtxSynchronize")
    }

    public func loadModule(image: [UInt8]) throws -> CUDAModule {
        try makeCurrent()
        var module: OpaquePointer?
        try image.withUnsafeBytes { try api.check(api.cuModuleLoadData(&module, $0.baseAddress!), "cuModuleLoadData") }
        return CUDAModule(context: self, module: module)
    }

    /// Every kernel source compiled for this device (through `cache`) and loaded.
    public func loadKernels(cache: KernelCache = KernelCache(directory: KernelCache.defaultDirectory())) throws -> KernelLibrary {
        var modules: [CUDAModule] = [], fresh = 0, cached = 0
        let sources = try KernelSources.load()
        for (name, source) in sources {
            let compiled = try cache.image(source: source, fileName: name, architecture: architecture,
                                           options: KernelCompileOptions.standard, driverVersion: driverVersion, compiler: nvrtc)
            if compiled.fromCache { cached += 1 } else { fresh += 1 }
            modules.append(try loadModule(image: compiled.image))
        }
        let digest = KernelSources.digest(sources)
        return KernelLibrary(modules: modules, compiledFromCache: cached, compiledFresh: fresh, sourceDigest: digest)
    }
}
