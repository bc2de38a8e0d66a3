import ArgumentParser

@main
struct SiamRPNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siamrpn",
        abstract: "SiamRPN++ visual object tracking: load pysot configs and checkpoints, run the networks.",
        subcommands: []
    )
}
