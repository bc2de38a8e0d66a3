import ArgumentParser
import Foundation
import SiamNN

@main
struct SiamRPNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siamrpn",
        abstract: "SiamRPN++ visual object tracking: load pysot configs and checkpoints, run the networks.",
        subcommands: [Demo.self, Forward.self, Inspect.self, Convert.self]
    )
}

/// Runs a command body; a thrown error becomes one line on stderr and exit status 1 (no stack
/// trace: every error of the library describes itself in one sentence).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Prints a line on stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Applies `--threads`.
func setThreads(_ n: Int) throws {
    guard n >= 1 else { throw CLIError("--threads \(n): the thread count must be at least 1") }
    ComputeThreads.set(n)
}
