import Foundation
import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Creates `dir` and its parents with mkdir(2), so that a failure carries the system's reason
/// ("Not a directory", "Permission denied"; Foundation's own call says "error 512" on Linux).
func createDirectory(_ dir: URL) throws {
    let path = dir.standardizedFileURL.path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue { return }
        throw CLIError("cannot create the folder '\(dir.path)': \(String(cString: strerror(ENOTDIR))) (a file of that name is in the way)")
    }
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty && parent != path { try createDirectory(URL(fileURLWithPath: parent)) }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw CLIError("cannot create the folder '\(dir.path)': \(String(cString: strerror(errno)))")
    }
}

/// Whether `a` and `b` name the same file: the same path once symbolic links and `..` are
/// resolved, or — when both exist — the same device and inode (hard links).
func sameFile(_ a: URL, _ b: URL) -> Bool {
    if a.resolvingSymlinksInPath().standardizedFileURL.path == b.resolvingSymlinksInPath().standardizedFileURL.path {
        return true
    }
    var sa = stat()
    var sb = stat()
    guard stat(a.path, &sa) == 0, stat(b.path, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
}

/// Throws when any of `outputs` would replace one of `inputs` (a video, a frame, the ground
/// truth, the config or the checkpoint being read), naming both.
func refuseOverwritingInputs(outputs: [URL], inputs: [(role: String, url: URL)]) throws {
    for output in outputs {
        for input in inputs where sameFile(output, input.url) {
            throw CLIError("the output '\(output.path)' is the \(input.role) being read; choose another --output folder")
        }
    }
}
