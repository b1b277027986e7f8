/// A typed view of device memory: an address plus the element size, so offsets read in elements like the host's
/// `UnsafePointer<Float>` arithmetic (`weights.f32 + layout.finalNorm`).
struct DevicePointer<Element> {
    let address: UInt64

    init(_ address: UInt64) { self.address = address }
    init(_ memory: DeviceMemory) { address = memory.address }

    static func + (base: DevicePointer, elements: Int) -> DevicePointer {
        DevicePointer(base.address + UInt64(elements * MemoryLayout<Element>.stride))
    }

    var argument: KernelArgument { .pointer(address) }
}

/// bf16 on the device travels as its 16-bit pattern.
typealias BF16 = UInt16

extension KernelArgument {
    static func int(_ value: Int) -> KernelArgument { .int32(Int32(value)) }
    static func long(_ value: Int) -> KernelArgument { .uint64(UInt64(value)) }
    static func float(_ value: Float) -> KernelArgument { .float32(value) }
}
