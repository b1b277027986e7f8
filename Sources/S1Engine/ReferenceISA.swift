import CReferenceISA

/// The instruction set the engine is compiled for: x86-64-v3 on x86-64 (`-target-cpu haswell` in the Makefile:
/// AVX2 and FMA, so that `addingProduct` compiles to one `vfmadd` instead of a libm call per lane), aarch64
/// elsewhere.
///
/// A CPU without it never reaches Swift code: the C target `CReferenceISA` checks CPUID in an ELF constructor and
/// exits with a message naming the missing feature (tested under qemu with an older CPU model). Why the bits are
/// the same on every CPU that runs: the kernels use only IEEE-754 operations that every such CPU rounds the same
/// way (add, multiply, divide, square root and fused multiply-add, which rounds once by definition), in a fixed
/// order with fixed vector lanes, and the compiler never reassociates or contracts Swift floating point. The same
/// holds on aarch64, whose base architecture has the same operations; the architecture is still keyed, so that no
/// result is assumed equal across architectures before a test has shown it.
public enum ReferenceISA {
    /// "x86-64-v3", "aarch64", or "unknown".
    public static var name: String { String(cString: s1_reference_isa_name()) }

    /// Whether this CPU has the reference instruction set (always true in a process that got this far).
    public static var isSupported: Bool { s1_reference_isa_supported() != 0 }
}
