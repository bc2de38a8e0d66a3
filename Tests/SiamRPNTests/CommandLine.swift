import Foundation

/// Runs the built `siamrpn` executable (a sibling of the test bundle in the build folder).
enum SiamRPNBinary {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var url: URL { executable("siamrpn") }

    /// A product of this package built next to the test bundle (`siamrpn`, `TrackVideo`).
    static func executable(_ name: String) -> URL {
        let bundle = Bundle.main.bundleURL
        var dir = bundle
        // The test runner lives in the build folder itself or inside the .xctest bundle.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return bundle.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `name` with `arguments`; `environment` entries replace (a nil value removes) the
    /// test process's variables.
    static func run(_ arguments: [String], executable name: String = "siamrpn", environment: [String: String?] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable(name)
        process.arguments = arguments
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (key, value) in environment { env[key] = value }
            process.environment = env
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs so neither fills up.
        // @unchecked Sendable: `data` is written once by the background block before it calls
        // `group.leave()`, and read only after `group.wait()` returns, which orders the write
        // before the read; nothing else touches it.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
