// swift-tools-version:6.0
// A libFuzzer harness for the checkpoint loaders, kept out of the main package's build.
// Build and run with ./run.sh (Linux; needs a toolchain with -sanitize=fuzzer).
import PackageDescription

let package = Package(
    name: "CheckpointFuzz",
    dependencies: [.package(name: "swift-siamrpn", path: "..")],
    targets: [
        .executableTarget(
            name: "CheckpointFuzz",
            dependencies: [.product(name: "SiamRPN", package: "swift-siamrpn")]
        ),
    ]
)
