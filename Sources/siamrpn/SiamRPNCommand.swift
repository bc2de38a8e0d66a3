import ArgumentParser
import Foundation
import SiamNN
import SiamRPN

@main
struct SiamRPNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siamrpn",
        abstract: "SiamRPN++ visual object tracking: load pysot configs and checkpoints, run the networks.",
        version: "siamrpn 0.4.0",
        subcommands: [
            Demo.self, Test.self, Eval.self, DatasetCommand.self, HPSearch.self, Prepare.self, VOT.self, Bench.self, Forward.self,
            Inspect.self, Convert.self, TrainStep.self, Train.self
        ]
    )

    /// Makes sure OpenBLAS's kernels fit the CPU (may restart the process), then runs the command.
    static func main() {
        KernelRelaunch.checkAtStartup()
        main(nil)
    }
}

/// Runs a command body; a thrown error becomes one line on stderr and exit status 1 (no stack
/// trace: every error of the library describes itself in one sentence).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

/// Prints a line on stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// An error of the command line itself, shown as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Applies `--threads` (or the model's preferred count when it is not given). A count above the
/// machine's cores only adds contention, so it is capped with a warning.
func applyThreads(_ requested: Int?, preferred: Int?) throws {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard let requested else {
        if let preferred { ComputeThreads.set(min(preferred, cores)) }
        return
    }
    guard requested >= 1 else { throw CLIError("--threads \(requested): the thread count must be at least 1") }
    if requested > cores {
        printError("warning: --threads \(requested) is more than the \(cores) cores of this machine; using \(cores)")
    }
    ComputeThreads.set(min(requested, cores))
}
