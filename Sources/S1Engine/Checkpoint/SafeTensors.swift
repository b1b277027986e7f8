import Foundation

/// Element types of a safetensors file that the engine converts to fp32.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case bf16 = "BF16"
    case f16 = "F16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

/// One tensor's entry in a safetensors header.
public struct SafeTensorInfo: Equatable, Sendable {
    public let name: String
    /// The dtype as written in the file (it may be one the engine cannot convert, e.g. "I64").
    public let dtype: String
    public let shape: [Int]
    /// Byte range inside the data section (after the header).
    public let dataRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, then the raw little-endian data.
/// Tensors are converted to fp32 only when read.
public struct SafeTensorsFile: @unchecked Sendable {
    public let path: String
    /// Tensors by name.
    public let tensors: [String: SafeTensorInfo]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public init(url: URL) throws {
        path = url.path
        guard let mapped = try? Data(contentsOf: url, options: .alwaysMapped) else {
            throw EngineError.fileNotFound(path: url.path)
        }
        data = mapped
        guard mapped.count >= 8 else {
            throw EngineError.truncatedFile(path: path, expectedBytes: 8, foundBytes: mapped.count)
        }
        let headerLength = mapped.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Int.max - 8) else {
            throw EngineError.corruptHeader(path: path, reason: "header length \(headerLength) is implausible")
        }
        guard 8 + Int(headerLength) <= mapped.count else {
            throw EngineError.truncatedFile(path: path, expectedBytes: 8 + Int(headerLength), foundBytes: mapped.count)
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = mapped.subdata(in: 8..<dataStart)
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let header = object as? [String: Any] else {
            throw EngineError.corruptHeader(path: path, reason: "the \(headerLength)-byte header is not a JSON object")
        }
        var tensors: [String: SafeTensorInfo] = [:]
        var metadata: [String: String] = [:]
        var dataEnd = 0
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else {
                    throw EngineError.corruptHeader(path: path, reason: "__metadata__ is not an object")
                }
                for (key, entry) in entries { metadata[key] = "\(entry)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any], let offsetValues = entry["data_offsets"] as? [Any],
                  offsetValues.count == 2 else {
                throw EngineError.corruptHeader(path: path, reason: "entry '\(name)' needs dtype, shape and data_offsets [begin, end]")
            }
            let shape = shapeValues.compactMap { ($0 as? NSNumber)?.intValue }
            let offsets = offsetValues.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw EngineError.corruptHeader(path: path, reason: "entry '\(name)' has an invalid shape \(shapeValues) or data_offsets \(offsetValues)")
            }
            let info = SafeTensorInfo(name: name, dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
            if let known = SafeTensorsDType(rawValue: dtype), info.elementCount * known.byteSize != info.dataRange.count {
                throw EngineError.corruptHeader(path: path, reason: "entry '\(name)': shape \(shape) of \(dtype) needs \(info.elementCount * known.byteSize) bytes, data_offsets span \(info.dataRange.count)")
            }
            dataEnd = max(dataEnd, offsets[1])
            tensors[name] = info
        }
        guard dataStart + dataEnd <= mapped.count else {
            throw EngineError.truncatedFile(path: path, expectedBytes: dataStart + dataEnd, foundBytes: mapped.count)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Tensor names in byte order.
    public var names: [String] { tensors.keys.sorted() }

    /// Converts tensor `name` to fp32 into `destination`, checking its shape against `expectedShape`.
    public func read(_ name: String, expectedShape: [Int], into destination: UnsafeMutablePointer<Float>) throws {
        guard let info = tensors[name] else { throw EngineError.missingTensor(path: path, name: name) }
        guard info.shape == expectedShape else {
            throw EngineError.shapeMismatch(path: path, name: name, expected: expectedShape, found: info.shape)
        }
        guard let dtype = SafeTensorsDType(rawValue: info.dtype) else {
            throw EngineError.unsupportedDType(path: path, name: name, dtype: info.dtype)
        }
        let count = info.elementCount
        let start = dataStart + info.dataRange.lowerBound
        data.withUnsafeBytes { raw in
            let source = raw.baseAddress! + start
            switch dtype {
            case .f32:
                // The data section need not be 4-byte aligned: copy bytes.
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    destination[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .f16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    destination[i] = Float(Float16(bitPattern: bits))
                }
            }
        }
    }

    /// Tensor `name` as fp32 values (any shape).
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensors[name] else { throw EngineError.missingTensor(path: path, name: name) }
        var values = [Float](repeating: 0, count: info.elementCount)
        try values.withUnsafeMutableBufferPointer {
            try read(name, expectedShape: info.shape, into: $0.baseAddress!)
        }
        return values
    }
}

/// A tensor to write: fp32 values with a row-major shape.
public struct SafeTensorRecord {
    public let name: String
    public let shape: [Int]
    public let values: UnsafeBufferPointer<Float>

    public init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Writes safetensors files deterministically: tensors in byte order of name, header JSON with sorted keys,
/// padded with spaces to 8 bytes, written to a temporary file and renamed (nothing half-written on error).
public enum SafeTensorsWriter {
    /// BF16 from fp32 with round-to-nearest-even (NaN stays NaN).
    @inline(__always)
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }

    public static func write(_ records: [SafeTensorRecord], dtype: SafeTensorsDType = .f32,
                             metadata: [String: String] = [:], to url: URL) throws {
        guard dtype != .f16 else {
            throw EngineError.writeFailed(path: url.path, reason: "writing F16 is not supported; use F32 or BF16")
        }
        let sorted = records.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for record in sorted {
            guard record.shape.reduce(1, *) == record.values.count else {
                throw EngineError.writeFailed(path: url.path, reason: "tensor '\(record.name)' has \(record.values.count) values for shape \(record.shape)")
            }
            let bytes = record.values.count * dtype.byteSize
            header[record.name] = ["dtype": dtype.rawValue, "shape": record.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var file = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        for record in sorted {
            switch dtype {
            case .f32:
                file.append(UnsafeBufferPointer(start: UnsafeRawPointer(record.values.baseAddress!)
                    .assumingMemoryBound(to: UInt8.self), count: record.values.count * 4))
            case .bf16:
                var half = [UInt16](repeating: 0, count: record.values.count)
                for i in 0..<record.values.count { half[i] = bfloat16Bits(record.values[i]).littleEndian }
                half.withUnsafeBytes { file.append(contentsOf: $0) }
            case .f16:
                break
            }
        }
        try writeAtomically(file, to: url)
    }

    /// Writes `data` to a sibling temporary file, then renames it over `url`.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            try data.write(to: temporary)
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw EngineError.writeFailed(path: url.path, reason: "\(error)")
        }
    }
}
