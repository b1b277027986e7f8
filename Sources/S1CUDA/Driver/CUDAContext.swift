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
        var digestMaterial = ""
        for (name, source) in try KernelSources.load() {
            let compiled = try cache.image(source: source, fileName: name, architecture: architecture,
                                           options: KernelCompileOptions.standard, driverVersion: driverVersion, compiler: nvrtc)
            if compiled.fromCache { cached += 1 } else { fresh += 1 }
            modules.append(try loadModule(image: compiled.image))
            digestMaterial += "\(name) \(KernelCache.key(source: source, fileName: name, architecture: "", options: KernelCompileOptions.standard, driverVersion: 0, nvrtcVersion: (0, 0)))\n"
        }
        let digest = KernelCache.key(source: digestMaterial, fileName: "", architecture: "", options: [], driverVersion: 0, nvrtcVersion: (0, 0))
        return KernelLibrary(modules: modules, compiledFromCache: cached, compiledFresh: fresh, sourceDigest: digest)
    }
}

/// A plain device allocation, freed when released.
public final class DeviceMemory: @unchecked Sendable {
    let context: CUDAContext
    public let address: UInt64
    public let bytes: Int

    init(context: CUDAContext, address: UInt64, bytes: Int) {
        self.context = context
        self.address = address
        self.bytes = bytes
    }

    deinit { _ = context.api.cuMemFree(address) }

    private func checkRange(_ offset: Int, _ count: Int, _ call: String) throws {
        guard offset >= 0, count >= 0, offset + count <= bytes else {
            throw CUDAError.driver(call: call, code: -1, message: "\(count) bytes at offset \(offset) exceed the allocation of \(bytes) (internal)")
        }
    }

    public func upload(from source: UnsafeRawPointer, bytes count: Int, offset: Int = 0) throws {
        guard count > 0 else { return }
        try checkRange(offset, count, "cuMemcpyHtoD")
        try context.makeCurrent()
        try context.api.check(context.api.cuMemcpyHtoD(address + UInt64(offset), source, count), "cuMemcpyHtoD")
    }

    public func upload<T>(_ values: [T], offset: Int = 0) throws {
        try values.withUnsafeBytes { try upload(from: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes: $0.count, offset: offset) }
    }

    public func download(into destination: UnsafeMutableRawPointer, bytes count: Int, offset: Int = 0) throws {
        guard count > 0 else { return }
        try checkRange(offset, count, "cuMemcpyDtoH")
        try context.makeCurrent()
        try context.api.check(context.api.cuMemcpyDtoH(destination, address + UInt64(offset), count), "cuMemcpyDtoH")
    }

    public func download<T>(_ type: T.Type, count: Int, offset: Int = 0) throws -> [T] {
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try download(into: UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count * MemoryLayout<T>.stride, offset: offset)
            initialized = count
        }
    }

    public func copy(from other: DeviceMemory, bytes count: Int, sourceOffset: Int = 0, offset: Int = 0) throws {
        guard count > 0 else { return }
        try checkRange(offset, count, "cuMemcpyDtoD")
        try other.checkRange(sourceOffset, count, "cuMemcpyDtoD")
        try context.makeCurrent()
        try context.api.check(context.api.cuMemcpyDtoD(address + UInt64(offset), other.address + UInt64(sourceOffset), count),
                              "cuMemcpyDtoD")
    }

    public func fill(byte: UInt8) throws {
        try context.makeCurrent()
        try context.api.check(context.api.cuMemsetD8(address, byte, bytes), "cuMemsetD8")
    }
}

public struct Dim3: Sendable, Equatable {
    public var x, y, z: Int
    public init(_ x: Int, _ y: Int = 1, _ z: Int = 1) {
        self.x = x
        self.y = y
        self.z = z
    }
}

/// One kernel argument, passed by value.
public enum KernelArgument {
    case pointer(UInt64), int32(Int32), float32(Float), uint64(UInt64)
}

public final class CUDAModule: @unchecked Sendable {
    let context: CUDAContext
    let module: OpaquePointer?

    init(context: CUDAContext, module: OpaquePointer?) {
        self.context = context
        self.module = module
    }

    /// The `extern "C"` kernel `name`, or nil when this module has none.
    func lookup(_ name: String) -> CUDAKernel? {
        var function: OpaquePointer?
        guard context.api.cuModuleGetFunction(&function, module, name) == 0 else { return nil }
        return CUDAKernel(name: name, context: context, function: function)
    }

    public func kernel(named name: String) throws -> CUDAKernel {
        guard let kernel = lookup(name) else { throw CUDAError.symbolMissing(library: "kernel module", symbol: name) }
        return kernel
    }
}

public struct CUDAKernel: @unchecked Sendable {
    public let name: String
    let context: CUDAContext
    let function: OpaquePointer?

    /// Launches on `stream` (nil: the legacy default stream). Each argument is copied into 8 bytes of storage and
    /// passed by address, as cuLaunchKernel's `kernelParams` wants.
    public func launch(grid: Dim3, block: Dim3, sharedMemoryBytes: Int = 0, stream: CUDAStream? = nil,
                       _ arguments: [KernelArgument]) throws {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(arguments.count, 1) * 8, alignment: 8)
        defer { storage.deallocate() }
        var pointers = [UnsafeMutableRawPointer?](repeating: nil, count: arguments.count)
        for (i, argument) in arguments.enumerated() {
            let slot = storage + i * 8
            switch argument {
            case .pointer(let value), .uint64(let value): slot.storeBytes(of: value, as: UInt64.self)
            case .int32(let value): slot.storeBytes(of: value, as: Int32.self)
            case .float32(let value): slot.storeBytes(of: value, as: Float.self)
            }
            pointers[i] = slot
        }
        try context.makeCurrent()
        let result = pointers.withUnsafeMutableBufferPointer {
            context.api.cuLaunchKernel(function, UInt32(grid.x), UInt32(grid.y), UInt32(grid.z), UInt32(block.x),
                                       UInt32(block.y), UInt32(block.z), UInt32(sharedMemoryBytes), stream?.handle, $0.baseAddress, nil)
        }
        try context.api.check(result, "cuLaunchKernel(\(name))")
    }
}

/// A blocking stream (ordered with the legacy default stream, so the synchronous copies around its work stay in
/// order), and the CUDA graphs captured on it.
public final class CUDAStream: @unchecked Sendable {
    let context: CUDAContext
    let handle: OpaquePointer?

    public init(context: CUDAContext) throws {
        self.context = context
        try context.makeCurrent()
        var stream: OpaquePointer?
        try context.api.check(context.api.cuStreamCreate(&stream, 0), "cuStreamCreate")
        handle = stream
    }

    /// Records everything `body` issues on this stream into a graph instead of running it.
    public func capture(_ body: () throws -> Void) throws -> CUDAGraph {
        try context.makeCurrent()
        try context.api.check(context.api.cuStreamBeginCapture(handle, DriverAPI.captureModeThreadLocal), "cuStreamBeginCapture")
        var failure: Error?
        do { try body() } catch { failure = error }
        var graph: OpaquePointer?
        let ended = context.api.cuStreamEndCapture(handle, &graph)
        if let failure { if graph != nil { _ = context.api.cuGraphDestroy(graph) }; throw failure }
        try context.api.check(ended, "cuStreamEndCapture")
        var executable: OpaquePointer?
        let instantiated = context.api.cuGraphInstantiateWithFlags(&executable, graph, 0)
        _ = context.api.cuGraphDestroy(graph)
        try context.api.check(instantiated, "cuGraphInstantiateWithFlags")
        return CUDAGraph(context: context, executable: executable)
    }
}

/// An instantiated graph: one launch replays every captured kernel and GEMM with the captured arguments.
public final class CUDAGraph: @unchecked Sendable {
    let context: CUDAContext
    let executable: OpaquePointer?

    init(context: CUDAContext, executable: OpaquePointer?) {
        self.context = context
        self.executable = executable
    }

    deinit { _ = context.api.cuGraphExecDestroy(executable) }

    public func launch(on stream: CUDAStream) throws {
        try context.makeCurrent()
        try context.api.check(context.api.cuGraphLaunch(executable, stream.handle), "cuGraphLaunch")
    }
}

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
