/// The CUDA driver API functions the backend calls, resolved once from libcuda.so.1.
/// Types follow cuda.h: CUresult = Int32, CUdevice = Int32, CUdeviceptr = UInt64, handles are opaque pointers.
final class DriverAPI: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary
    let cuInit: @convention(c) (UInt32) -> Int32
    let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32
    let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<Handle>, Int32) -> Int32
    let cuCtxSetCurrent: @convention(c) (Handle) -> Int32
    let cuCtxSynchronize: @convention(c) () -> Int32
    let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> Int32
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Int32
    let cuMemFree: @convention(c) (UInt64) -> Int32
    let cuMemcpyHtoD: @convention(c) (UInt64, UnsafeRawPointer, Int) -> Int32
    let cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Int32
    let cuMemcpyDtoD: @convention(c) (UInt64, UInt64, Int) -> Int32
    let cuMemsetD8: @convention(c) (UInt64, UInt8, Int) -> Int32
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<Handle>, UnsafeRawPointer) -> Int32
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<Handle>, Handle, UnsafePointer<CChar>) -> Int32
    let cuLaunchKernel: @convention(c) (Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    let cuGetErrorString: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32
    let cuStreamCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> Int32
    let cuStreamBeginCapture: @convention(c) (Handle, Int32) -> Int32
    let cuStreamEndCapture: @convention(c) (Handle, UnsafeMutablePointer<Handle>) -> Int32
    let cuGraphInstantiateWithFlags: @convention(c) (UnsafeMutablePointer<Handle>, Handle, UInt64) -> Int32
    let cuGraphLaunch: @convention(c) (Handle, Handle) -> Int32
    let cuGraphExecDestroy: @convention(c) (Handle) -> Int32
    let cuGraphDestroy: @convention(c) (Handle) -> Int32
    let cuEventCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> Int32
    let cuEventRecord: @convention(c) (Handle, Handle) -> Int32
    let cuEventSynchronize: @convention(c) (Handle) -> Int32
    let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> Int32
    let cuEventDestroy: @convention(c) (Handle) -> Int32

    // cuda.h enumerators used here.
    static let attributeMultiprocessorCount: Int32 = 16
    static let attributeComputeCapabilityMajor: Int32 = 75
    static let attributeComputeCapabilityMinor: Int32 = 76
    static let errorOutOfMemory: Int32 = 2
    static let captureModeThreadLocal: Int32 = 1

    init() throws {
        library = try DynamicLibrary.open(names: ["libcuda.so.1", "libcuda.so"])
        cuInit = try library.function("cuInit")
        cuDriverGetVersion = try library.function("cuDriverGetVersion")
        cuDeviceGetCount = try library.function("cuDeviceGetCount")
        cuDeviceGet = try library.function("cuDeviceGet")
        cuDeviceGetName = try library.function("cuDeviceGetName")
        cuDeviceGetAttribute = try library.function("cuDeviceGetAttribute")
        cuDevicePrimaryCtxRetain = try library.function("cuDevicePrimaryCtxRetain")
        cuCtxSetCurrent = try library.function("cuCtxSetCurrent")
        cuCtxSynchronize = try library.function("cuCtxSynchronize")
        cuMemGetInfo = try library.function("cuMemGetInfo_v2")
        cuMemAlloc = try library.function("cuMemAlloc_v2")
        cuMemFree = try library.function("cuMemFree_v2")
        cuMemcpyHtoD = try library.function("cuMemcpyHtoD_v2")
        cuMemcpyDtoH = try library.function("cuMemcpyDtoH_v2")
        cuMemcpyDtoD = try library.function("cuMemcpyDtoD_v2")
        cuMemsetD8 = try library.function("cuMemsetD8_v2")
        cuModuleLoadData = try library.function("cuModuleLoadData")
        cuModuleGetFunction = try library.function("cuModuleGetFunction")
        cuLaunchKernel = try library.function("cuLaunchKernel")
        cuGetErrorString = try library.function("cuGetErrorString")
        cuStreamCreate = try library.function("cuStreamCreate")
        cuStreamBeginCapture = try library.function("cuStreamBeginCapture_v2")
        cuStreamEndCapture = try library.function("cuStreamEndCapture")
        cuGraphInstantiateWithFlags = try library.function("cuGraphInstantiateWithFlags")
        cuGraphLaunch = try library.function("cuGraphLaunch")
        cuGraphExecDestroy = try library.function("cuGraphExecDestroy")
        cuGraphDestroy = try library.function("cuGraphDestroy")
        cuEventCreate = try library.function("cuEventCreate")
        cuEventRecord = try library.function("cuEventRecord")
        cuEventSynchronize = try library.function("cuEventSynchronize")
        cuEventElapsedTime = try library.function("cuEventElapsedTime_v2")
        cuEventDestroy = try library.function("cuEventDestroy_v2")
    }

    /// Turns a CUresult into a typed error naming the call.
    func check(_ result: Int32, _ call: String) throws {
        guard result != 0 else { return }
        var message: UnsafePointer<CChar>?
        _ = cuGetErrorString(result, &message)
        throw CUDAError.driver(call: call, code: result, message: message.map { String(cString: $0) } ?? "unknown error")
    }
}
