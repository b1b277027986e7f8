import S1Engine

/// A model's parameters on the device in the host's `ParameterLayout`: the fp32 master copy (norm gains, biases,
/// embedding rows, optimiser updates) and a bf16 copy that the GEMMs read.
final class DeviceWeights {
    let layout: ParameterLayout
    let master: DeviceMemory
    let half: DeviceMemory
    var f32: DevicePointer<Float> { DevicePointer(master) }
    var bf16: DevicePointer<BF16> { DevicePointer(half) }

    init(context: CUDAContext, model: Qwen2Model) throws {
        layout = model.layout
        master = try context.allocate(bytes: layout.count * 4)
        half = try context.allocate(bytes: layout.count * 2)
        try upload(from: model)
    }

    /// Copies the host parameters (fp32) and their bf16 rounding.
    func upload(from model: Qwen2Model) throws {
        try master.upload(from: model.parameters.pointer, bytes: layout.count * 4)
        var rounded = [UInt16](repeating: 0, count: layout.count)
        let source = model.parameters.pointer
        rounded.withUnsafeMutableBufferPointer { out in
            for i in 0..<layout.count { out[i] = SafeTensorsWriter.bfloat16Bits(source[i]) }
        }
        try half.upload(rounded)
    }

    func download(into model: Qwen2Model) throws {
        try master.download(into: model.parameters.pointer, bytes: layout.count * 4)
    }
}
