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
