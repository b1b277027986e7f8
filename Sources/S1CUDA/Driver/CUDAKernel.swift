/// Grid and block sizes of a launch.
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
