import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The `siamrpn` executable end to end: pysot checkpoints in, pysot's numbers out; user errors
/// as one sentence on stderr with a non-zero status.
struct CommandLineTests {
    static let r50 = "siamrpn_r50_l234_dwxcorr"

    /// Largest violation of |a - t| <= 1e-4 + 1e-4 |t| (0 when within tolerance).
    static func violations(_ got: URL, truth: URL) throws -> (count: Int, worst: Double) {
        let a = try NumPyArray(contentsOf: got)
        let t = try NumPyArray(contentsOf: truth)
        #expect(a.shape == t.shape && a.dtype == .float32)
        let av = a.doubles()
        let tv = t.doubles()
        var count = 0
        var worst = 0.0
        for (x, y) in zip(av, tv) {
            worst = max(worst, abs(x - y))
            if abs(x - y) > 1e-4 + 1e-4 * abs(y) { count += 1 }
        }
        return (count, worst)
    }

    @Test(arguments: [
        ("small_zip.pth", "initial"), ("small_legacy.pth", "initial"), ("small_snapshot.pth", "snapshot"),
        ("small_mixed.pth", "mixed"), ("small_mixed_legacy.pth", "mixed")
    ])
    func forwardOfEveryCheckpointFileGivesPysotsOutputs(file: String, expected: String) throws {
        let out = try SiamRPNBinary.temporaryFolder()
        let r = try SiamRPNBinary.run([
            "forward", "--config", Fixtures.url("configs/small_alex_dw.yaml").path,
            "--snapshot", Fixtures.url("checkpoints/\(file)").path,
            "--template", Fixtures.url("models/\(Self.r50)/z.npy").path,
            "--search", Fixtures.url("models/\(Self.r50)/x.npy").path, "--output", out.path
        ])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["cls", "loc"] {
            let v = try Self.violations(
                out.appendingPathComponent("\(name).npy"),
                truth: Fixtures.url("checkpoints/expected_\(expected)_\(name)_f64.npy"))
            #expect(v.count == 0, "\(file) \(name): \(v.count) values outside tolerance (max abs error \(v.worst))")
        }
    }

    @Test func forwardOfTheR50FixtureFromSafetensorsMatchesPysot() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let weights = dir.appendingPathComponent("r50.safetensors")
        try Safetensors.write(DeterministicWeights.stateDict(Self.r50), to: weights)
        let r = try SiamRPNBinary.run([
            "forward", "--config", Fixtures.url("configs/\(Self.r50).yaml").path, "--snapshot", weights.path,
            "--template", Fixtures.url("models/\(Self.r50)/z.npy").path,
            "--search", Fixtures.url("models/\(Self.r50)/x.npy").path, "--output", dir.path
        ])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["cls", "loc"] {
            let v = try Self.violations(
                dir.appendingPathComponent("\(name).npy"),
                truth: Fixtures.url("models/\(Self.r50)/\(name)_f64.npy"))
            #expect(v.count == 0, "\(name): \(v.count) values outside tolerance (max abs error \(v.worst))")
        }
    }

    @Test func convertWritesSafetensorsThatForwardIdentically() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let st = dir.appendingPathComponent("small.safetensors")
        let c = try SiamRPNBinary.run(["convert", Fixtures.url("checkpoints/small_legacy.pth").path, st.path])
        #expect(c.status == 0, "\(c.stderr)")
        let original = try StateDict.load(contentsOf: Fixtures.url("checkpoints/small_legacy.pth"))
        let converted = try StateDict.load(contentsOf: st)
        #expect(converted.keys.sorted() == original.keys.sorted())
        for e in original.entries {
            #expect(converted[e.name]?.tensor == e.tensor, "\(e.name) changed in conversion")
        }
    }

    @Test func inspectListsKeysShapesAndTheGuessedArchitecture() throws {
        let r = try SiamRPNBinary.run(["inspect", Fixtures.url("checkpoints/small_snapshot.pth").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("training snapshot"))
        #expect(r.stdout.contains("backbone.features.0.weight"))
        #expect(r.stdout.contains("[19, 3, 11, 11]"))
        #expect(r.stdout.contains("looks like: siamrpn_alex_dwxcorr"))
        #expect(r.stdout.contains("parameters:"))
    }

    @Test func aMismatchedConfigNamesTheMissingKeysAndTheFilesArchitecture() throws {
        let out = try SiamRPNBinary.temporaryFolder()
        let r = try SiamRPNBinary.run([
            "forward", "--config", Fixtures.url("configs/\(Self.r50).yaml").path,
            "--snapshot", Fixtures.url("checkpoints/small_zip.pth").path,
            "--template", Fixtures.url("models/\(Self.r50)/z.npy").path,
            "--search", Fixtures.url("models/\(Self.r50)/x.npy").path, "--output", out.path
        ])
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("error: checkpoint does not match the ResNet-50"))
        #expect(r.stderr.contains("missing key(s): 'backbone.conv1.weight'"))
        #expect(r.stderr.contains("unexpected key(s): 'backbone.features.0.weight'"))
        #expect(r.stderr.contains("looks like siamrpn_alex_dwxcorr"))
        #expect(r.stderr.split(separator: "\n").count == 1, "one line, no stack trace")
    }

    @Test func badInputsFailWithOneSentence() throws {
        let out = try SiamRPNBinary.temporaryFolder()
        let garbage = out.appendingPathComponent("garbage.pth")
        try Data("this is not a checkpoint".utf8).write(to: garbage)
        let z = Fixtures.url("models/\(Self.r50)/z.npy").path
        let tiny = out.appendingPathComponent("tiny.npy")
        try NumPyArray(shape: [1, 3, 64, 64], dtype: .uint8, data: [UInt8](repeating: 100, count: 3 * 64 * 64)).write(to: tiny)
        let emptyFolder = out.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        let frames = out.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("frames/frame_0000.png"), to: frames.appendingPathComponent("1.png"))
        let config = Fixtures.url("configs/small_alex_dw.yaml").path
        let snapshot = Fixtures.url("checkpoints/small_zip.pth").path
        let cases: [([String], String)] = [
            (
                ["forward", "--config", config, "--snapshot", "/nonexistent/model.pth", "--template", z, "--search", z, "--output", out.path],
                "/nonexistent/model.pth"
            ),
            (
                ["forward", "--config", "/nonexistent/config.yaml", "--snapshot", snapshot, "--template", z, "--search", z, "--output", out.path],
                "/nonexistent/config.yaml"
            ),
            (
                ["forward", "--config", config, "--snapshot", garbage.path, "--template", z, "--search", z, "--output", out.path],
                "garbage.pth"
            ),
            (
                ["forward", "--config", config, "--snapshot", snapshot, "--template", snapshot, "--search", z, "--output", out.path],
                "not a NumPy .npy file"
            ),
            (
                ["forward", "--config", config, "--snapshot", snapshot, "--template", z, "--search", tiny.path, "--output", out.path],
                "too small"
            ),
            (["inspect", garbage.path], "garbage.pth"),
            (
                ["demo", "--config", config, "--snapshot", snapshot, "--video_name", "/nonexistent/video.avi", "--init", "1,2,3,4"],
                "/nonexistent/video.avi"
            ),
            (
                ["demo", "--config", config, "--snapshot", snapshot, "--video_name", out.path, "--init", "1,2,3"],
                "four numbers"
            ),
            (
                ["demo", "--config", config, "--snapshot", snapshot, "--video_name", out.path, "--init", "1,2,0,4"],
                "non-positive"
            ),
            (
                ["demo", "--config", config, "--snapshot", snapshot, "--video_name", emptyFolder.path, "--init", "1,2,3,4"],
                "no images"
            ),
            (
                [
                    "demo", "--config", config, "--snapshot", snapshot, "--video_name", frames.path, "--init", "500,100,30,30",
                    "--output", out.appendingPathComponent("o").path
                ], "outside"
            )
        ]
        for (arguments, mention) in cases {
            let r = try SiamRPNBinary.run(arguments)
            #expect(r.status != 0, "\(arguments) should fail")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(mention), "\(arguments): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
        }
    }
}
