// swift-tools-version:6.1
// The s1 runner: one YAML experiment → a planned, cached, deterministic run of the s1 recipe.
// Layers (dependencies point down only): CLI → Runner → Report → Method → Engine → Store → Spec → C shims.
import PackageDescription

let package = Package(
    name: "s1",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "s1", targets: ["S1CLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian packages, found through pkg-config.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // The start-up check of the reference instruction set: C, compiled for the baseline CPU, so that it runs
        // before any Swift code compiled for x86-64-v3 could (see Sources/S1Engine/ReferenceISA.swift).
        .target(name: "CReferenceISA"),

        .target(name: "S1Spec", dependencies: ["CYAML"]),
        .target(name: "S1Store", dependencies: [
            "CArchive",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "S1Engine", dependencies: ["CReferenceISA"]),
        // The CUDA backend: libcuda, libnvrtc and libcublasLt are opened at run time (dlopen), so nothing here
        // needs CUDA to build; kernels are CUDA C resources compiled by NVRTC on the device.
        .target(name: "S1CUDA", dependencies: [
            "S1Engine",
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("Kernels")]),
        .target(name: "S1Method", dependencies: ["S1Engine"]),
        .target(name: "S1Report", dependencies: ["S1Store", "S1Method"]),
        .target(name: "S1Runner", dependencies: [
            "S1Spec", "S1Store", "S1Engine", "S1CUDA", "S1Method", "S1Report",
            .product(name: "Logging", package: "swift-log"),
        ], plugins: ["CodeDigests"]),
        // Step keys hash the sources a step is built from (BuildCodeDigests), never the executable's bytes.
        .plugin(name: "CodeDigests", capability: .buildTool()),
        .executableTarget(name: "S1CLI", dependencies: [
            "S1Runner", "S1Method", "S1Engine", "S1CUDA", "S1Store",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // One test target per module.
        .testTarget(name: "S1SpecTests", dependencies: ["S1Spec"], resources: [.copy("Fixtures")]),
        .testTarget(name: "S1StoreTests", dependencies: ["S1Store"]),
        .testTarget(name: "S1EngineTests", dependencies: ["S1Engine"], resources: [.copy("Fixtures")]),
        .testTarget(name: "S1CUDATests", dependencies: ["S1CUDA"]),
        .testTarget(name: "S1MethodTests", dependencies: ["S1Method"], resources: [.copy("Fixtures")]),
        .testTarget(name: "S1ReportTests", dependencies: ["S1Report"]),
        .testTarget(name: "S1RunnerTests", dependencies: ["S1Runner"]),
        .testTarget(name: "S1CLITests", dependencies: ["S1CLI"]),
    ],
    swiftLanguageModes: [.v5]
)
