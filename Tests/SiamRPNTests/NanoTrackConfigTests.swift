import Foundation
import Testing

@testable import SiamRPN

/// NanoTrack configs are read by the typed reader pysot's configs use: NanoTrack's declared keys
/// (nanotrack/core/config.py), type-checked with the key and line named, unknown keys warned.
struct NanoTrackConfigTests {
    @Test func theBundledConfigIsNanoTrackV3WithoutWarnings() throws {
        let text = try String(contentsOf: TrackingModel.bundledConfig, encoding: .utf8)
        let (config, warnings) = try NanoTrackConfig.read(yaml: text, source: "nanotrackv3.yaml")
        #expect(config == .v3)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func nanoTracksTrainingSectionsAreAcceptedAndUnknownKeysWarnWithTheirPath() throws {
        let yaml = """
            META_ARC: "nanotrack"
            BACKBONE:
                TYPE: "mobilenetv3_small_v3"
                KWARGS: {}
                LAYERS_LR: 0.1
                COLOR: red
            TRAIN:
                EPOCH: 50
                BASE_LR: 0.005
            DATASET:
                NAMES: ['GOT']
            POINT:
                STRIDE: 16
            TRACK:
                TYPE: 'NanoTracker'
                LR: 0.3
                WINDOW_INFLUNCE: 0.4
            EXTRA: 1
            """
        let (config, warnings) = try NanoTrackConfig.read(yaml: yaml, source: "c.yaml")
        #expect(config.lr == 0.3 && config.windowInfluence == NanoTrackConfig.v3.windowInfluence)
        #expect(
            warnings == [
                "unknown key BACKBONE.COLOR (ignored; NanoTrack's config.py does not declare it)",
                "unknown key TRACK.WINDOW_INFLUNCE (ignored; NanoTrack's config.py does not declare it)",
                "unknown key EXTRA (ignored; NanoTrack's config.py does not declare it)"
            ])
    }

    @Test func aBadValueNamesTheKeyAndItsLine() throws {
        let cases: [(String, String)] = [
            ("META_ARC: nanotrack\nTRACK:\n    LR: fast\n", "c.yaml: TRACK.LR (line 3): expected a number"),
            ("META_ARC: nanotrack\nTRACK:\n    OUTPUT_SIZE: 0\n", "c.yaml: TRACK.OUTPUT_SIZE: 0 is not valid; expected a positive integer"),
            ("META_ARC: nanotrack\nTRACK:\n    TYPE: SiamRPNTracker\n", "c.yaml: TRACK.TYPE: 'SiamRPNTracker' is not valid; expected 'NanoTracker'"),
            (
                "META_ARC: nanotrack\nBACKBONE:\n    TYPE: mobilenetv3_small\n",
                "c.yaml: BACKBONE.TYPE: NanoTrack backbone 'mobilenetv3_small' is not supported"
            )
        ]
        for (yaml, message) in cases {
            do {
                _ = try NanoTrackConfig.read(yaml: yaml, source: "c.yaml")
                Issue.record("\(yaml) should be refused")
            } catch let error as ConfigError {
                #expect("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }
}
