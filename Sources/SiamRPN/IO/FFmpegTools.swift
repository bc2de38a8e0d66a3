import Foundation

/// Finds the `ffmpeg` and `ffprobe` executables that `FFmpegFrameSource` and `VideoWriter` run.
///
/// Both come from the same package (Debian/Ubuntu `ffmpeg`, Homebrew `ffmpeg`), which
/// `scripts/install-deps.sh` installs.
public struct FFmpegTools: Sendable, Hashable {
    /// Folders searched in order (from `$PATH` by default, then the usual install locations).
    public var searchPath: [String]

    /// - Parameter searchPath: colon-separated folders; nil means `$PATH` followed by
    ///   `/usr/local/bin`, `/opt/homebrew/bin`, `/usr/bin`.
    public init(searchPath: String? = nil) {
        var folders: [String]
        if let searchPath {
            folders = searchPath.split(separator: ":").map(String.init)
        } else {
            folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            for extra in ["/usr/local/bin", "/opt/homebrew/bin", "/usr/bin"] where !folders.contains(extra) {
                folders.append(extra)
            }
        }
        self.searchPath = folders.filter { !$0.isEmpty }
    }

    /// The executable named `tool` in the first folder of `searchPath` that has one, or nil.
    public func executable(_ tool: String) -> URL? {
        for folder in searchPath {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(tool)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        return nil
    }

    /// "`tool` is not installed: run ..." — the sentence both error types use.
    static func notInstalledMessage(_ tool: String) -> String {
        "\(tool) is not installed: run `sudo apt-get install ffmpeg` (Debian/Ubuntu) or `brew install ffmpeg` (macOS)"
    }

    /// `ffmpeg -version`'s (major, minor), or nil when unparseable (git builds say "N-12345-g...").
    static func version(of ffmpeg: URL) -> (major: Int, minor: Int)? {
        guard let result = try? Subprocess.run(ffmpeg, ["-hide_banner", "-version"]), result.status == 0 else { return nil }
        let firstLine = String(decoding: result.stdout.prefix(200), as: UTF8.self).split(separator: "\n").first ?? ""
        // "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." or "ffmpeg version n7.0.2 ..."
        let words = firstLine.split(separator: " ")
        guard let index = words.firstIndex(of: "version"), index + 1 < words.count else { return nil }
        var text = Substring(words[index + 1])
        if text.first == "n" { text = text.dropFirst() }
        let numbers = text.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2, text.first?.isNumber == true else { return nil }
        return (numbers[0], numbers[1])
    }

    /// The ffmpeg option that passes every decoded frame through once, neither duplicated nor
    /// dropped: `-fps_mode passthrough` (ffmpeg >= 5.1; also assumed for unparseable git
    /// versions), `-vsync passthrough` before that.
    static func passthroughOptions(for version: (major: Int, minor: Int)?) -> [String] {
        guard let version else { return ["-fps_mode", "passthrough"] }
        if version.major > 5 || (version.major == 5 && version.minor >= 1) {
            return ["-fps_mode", "passthrough"]
        }
        return ["-vsync", "passthrough"]
    }

    /// Whether `ffmpeg -encoders` lists `encoder` (e.g. "libx264").
    static func hasEncoder(_ encoder: String, ffmpeg: URL) -> Bool {
        guard let result = try? Subprocess.run(ffmpeg, ["-hide_banner", "-encoders"]), result.status == 0 else { return false }
        return String(decoding: result.stdout, as: UTF8.self)
            .split(separator: "\n")
            .contains { line in line.split(separator: " ").dropFirst().first.map(String.init) == encoder }
    }
}
