// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-siamrpn",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SiamRPN", targets: ["SiamRPN"]),
        // The numerics (tensors, graphs, plans, workspaces) that SiamRPN's network API exposes.
        .library(name: "SiamNN", targets: ["SiamNN"]),
        .executable(name: "siamrpn", targets: ["siamrpn"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1")
    ],
    targets: [
        // OpenBLAS on Linux (pkg-config openblas); Accelerate on Apple platforms (see SiamNN/BLAS.swift).
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        // libjpeg-turbo's TurboJPEG API and libpng, for image decoding/encoding (SiamRPN/IO).
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"]), .brew(["jpeg-turbo"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]
        ),
        // cpuid / xgetbv: the CPU's usable vector features (SiamNN/CPUFeatures.swift).
        .target(name: "CCPUFeatures"),
        // Winograd F(4x4, 3x3) transforms, compiled for AVX-512, AVX2+FMA and portable, chosen at run time (SiamNN/WinogradConvolution.swift).
        .target(name: "CConvolutionKernels"),
        // Open MPI loaded at run time (dlopen): no MPI to build, none to run alone (SiamTrain/Distributed/ProcessGroup.swift).
        .target(name: "CMPIShim", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Counts heap allocations by interposing malloc & co. in the executable (siamrpn bench); never in a library.
        .target(name: "CAllocationCounter"),
        .target(
            name: "SiamNN",
            dependencies: ["CCPUFeatures", "CConvolutionKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(
            name: "SiamRPN",
            dependencies: ["SiamNN", "CTurboJPEG", "CPNG", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/demo"), .copy("Resources/nanotrack")]
        ),
        // pysot's benchmark toolkit: datasets, the test protocols, and the metrics (OPE, VOT AR/EAO, long-term F1).
        .target(name: "SiamEval", dependencies: ["SiamRPN"]),
        // pysot's training data pipeline: crop preparation (par_crop.py, gen_json.py), train.json, augmentation, pairs.
        .target(name: "SiamTrain", dependencies: ["SiamRPN", "CMPIShim"]),
        .executableTarget(
            name: "siamrpn",
            dependencies: [
                "SiamRPN", "SiamNN", "SiamEval", "SiamTrain", "CAllocationCounter", .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // The README's library example, built and run by the tests.
        .executableTarget(name: "TrackVideo", dependencies: ["SiamRPN"], path: "Examples/TrackVideo"),
        .testTarget(name: "SiamNNTests", dependencies: ["SiamNN"]),
        .testTarget(name: "SiamRPNTests", dependencies: ["SiamRPN", "SiamNN", "siamrpn", "TrackVideo", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "SiamEvalTests", dependencies: ["SiamEval", "SiamRPN", "SiamNN"]),
        .testTarget(name: "SiamTrainTests", dependencies: ["SiamTrain", "SiamRPN", "SiamNN", "siamrpn"])
    ],
    swiftLanguageModes: [.v6]
)
