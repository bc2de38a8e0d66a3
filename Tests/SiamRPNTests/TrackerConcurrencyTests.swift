import Dispatch
import Foundation
import Testing

@testable import SiamRPN

/// One model serves several trackers at once: the model holds no tracking state, each tracker
/// its own target and buffers, so trackers running on parallel threads give exactly the boxes
/// they give alone.
struct TrackerConcurrencyTests {
    @Test func trackersSharingOneModelOnParallelThreadsMatchSequentialRuns() throws {
        let run = try TrackerStepTests.Run("siamrpn_alex_dwxcorr")
        let frames = try (0..<6).map { try TrackerStepTests.frame($0) }
        let targets = [run.initBox, Box(x: 100, y: 80, width: 60, height: 90), Box(x: 20, y: 200, width: 120, height: 70)]

        // The parallel threads capture only Sendable values: the shared model, the settings and
        // the frames (not `run`, whose parsed JSON steps are not Sendable).
        let model = run.model
        let trackConfig = run.track
        let anchor = run.anchor
        @Sendable func track(_ box: Box) throws -> [Box] {
            let tracker = SiamRPNTracker(model: model, track: trackConfig, anchor: anchor)
            try tracker.initialize(image: frames[0], box: box)
            return try frames.dropFirst().map { try tracker.update(image: $0).box }
        }
        let sequential = try targets.map(track)

        // @unchecked Sendable: `boxes` and `errors` are written only inside `lock.withLock` by the
        // concurrent iterations, and read only after `concurrentPerform` has returned (all
        // iterations finished), so no access races.
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var boxes: [Int: [Box]] = [:]
            var errors: [String] = []
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: targets.count) { i in
            do {
                let boxes = try track(targets[i])
                results.lock.withLock { results.boxes[i] = boxes }
            } catch {
                results.lock.withLock { results.errors.append("\(error)") }
            }
        }
        #expect(results.errors.isEmpty)
        for i in targets.indices {
            #expect(results.boxes[i] == sequential[i], "target \(i)")
        }
        #expect(sequential[0] != sequential[1], "different targets give different trajectories")
    }
}
