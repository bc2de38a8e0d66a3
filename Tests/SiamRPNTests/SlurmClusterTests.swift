import Foundation
import XCTest

/// The shipped Slurm scripts (Examples/slurm) on a real cluster: `submit.sh` runs `siamrpn test`
/// as a job array, one shard per task, and `siamrpn eval` after it; the merged results must be
/// the one-process run's, byte for byte, also when a task is cancelled mid-run and requeued.
///
/// Needs a Slurm cluster that `sinfo` reaches (`scripts/slurm-local.sh up` starts a one-node one
/// on this machine; `.ci/run` does that around the suite) and finds it through SLURM_CONF, else
/// `${SLURM_STATE:-/tmp/siamrpn-slurm}/slurm.conf`. Without one every test here is skipped (XCTSkip,
/// counted as skipped). The tests build nothing: the jobs run the `siamrpn` built for the suite.
final class SlurmClusterTests: XCTestCase {
    static let repository = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
    static let dataset = "OTBmini"
    static let tracker = "NanoTrackV3"
    static let datasetRoot = Fixtures.url("cluster/OTBmini")
    /// The built binary, as the other CLI tests find it; the jobs run it too (same file system).
    static var siamrpn: String { SiamRPNBinary.url.path }

    static var slurmConf: String {
        let env = ProcessInfo.processInfo.environment
        if let conf = env["SLURM_CONF"], !conf.isEmpty { return conf }
        return (env["SLURM_STATE"] ?? "/tmp/siamrpn-slurm") + "/slurm.conf"
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `command` under `timeout` (no Slurm command may hang the suite) with SLURM_CONF set.
    static func run(_ command: [String], environment extra: [String: String] = [:], seconds: Int = 30) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["\(seconds)"] + command
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = slurmConf
        environment.merge(extra) { $1 }
        process.environment = environment
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-test-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outFile) }
        let out = try FileHandle(forWritingTo: outFile)
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try out.close()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outFile), as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Why the cluster cannot be used (nil when `sinfo` answers), asked once for all tests.
    static let unavailable: String? = {
        guard FileManager.default.fileExists(atPath: slurmConf) else { return "no \(slurmConf)" }
        guard let info = try? run(["sinfo", "-h", "-o", "%a %D %t"], seconds: 10) else { return "sinfo is not runnable" }
        guard info.status == 0, info.stdout.hasPrefix("up") else {
            return "`sinfo` with SLURM_CONF=\(slurmConf) says: \((info.stderr + info.stdout).prefix(300))"
        }
        return nil
    }()

    override func setUpWithError() throws {
        if let reason = Self.unavailable {
            throw XCTSkip("no Slurm cluster to submit to (\(reason)); start one with scripts/slurm-local.sh up")
        }
        guard FileManager.default.isExecutableFile(atPath: SiamRPNBinary.url.path) else {
            throw XCTSkip("no built siamrpn at \(SiamRPNBinary.url.path)")
        }
    }

    // MARK: helpers

    /// `scontrol -o show job ID` as key=value fields, one dictionary per job (or array task).
    static func jobs(_ id: String) throws -> [[String: String]] {
        let r = try run(["scontrol", "-o", "show", "job", id], seconds: 10)
        guard r.status == 0 else { throw NSError(domain: "scontrol", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        return r.stdout.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let kv = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            return fields
        }
    }

    static func job(_ id: String) throws -> [String: String] { try XCTUnwrap(try jobs(id).first, "no job \(id)") }

    /// Polls until no job of `ids` is pending or running (bounded).
    static func waitUntilDone(_ ids: [String], seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let q = try run(["squeue", "-h", "-o", "%i %t", "-j", ids.joined(separator: ",")], seconds: 10)
            if q.status == 0 && q.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(250_000)
        }
        let q = try? run(["squeue", "-j", ids.joined(separator: ",")], seconds: 10)
        _ = try? run(["scancel"] + ids, seconds: 10)
        throw Timeout(description: "jobs \(ids) still queued after \(Int(seconds)) s (cancelled now):\n\(q?.stdout ?? "")")
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Every file under `dir` (hidden ones too: a leftover partial file is a difference), by path.
    static func files(in dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return files }
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path, isDirectory: &isDir), !isDir.boolValue {
                files[path] = try Data(contentsOf: dir.appendingPathComponent(path))
            }
        }
        return files
    }

    /// The one-process reference: `siamrpn test` over `root` and its `eval --format json`.
    static func reference(root: URL, in dir: URL) throws -> (files: [String: Data], eval: [String: Any]) {
        let results = dir.appendingPathComponent("reference")
        let test = try SiamRPNBinary.run(["test", "--dataset", dataset, "--dataset_root", root.path, "--results", results.path])
        XCTAssertEqual(test.status, 0, test.stderr)
        return (try files(in: results.appendingPathComponent(dataset)), try eval(results, root: root))
    }

    static func eval(_ results: URL, root: URL) throws -> [String: Any] {
        let r = try run([
            siamrpn, "eval", "--tracker_path", results.path, "--dataset", dataset, "--dataset_root", root.path, "--format", "json"
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try parse(Data(r.stdout.utf8))
    }

    static func parse(_ json: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any], String(decoding: json, as: UTF8.self))
    }

    /// The scores must be equal numbers (same dataset, protocol, trackers, every value).
    static func assertSameScores(_ a: [String: Any], _ b: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a["dataset"] as? String, dataset, file: file, line: line)
        XCTAssertEqual(a["protocol"] as? String, "ope", file: file, line: line)
        XCTAssertEqual(a["protocol"] as? String, b["protocol"] as? String, file: file, line: line)
        let ta = a["trackers"] as? [String: Any]
        let tb = b["trackers"] as? [String: Any]
        XCTAssertNotNil((ta?[tracker] as? [String: Any])?["success_auc"] as? Double, "\(a)", file: file, line: line)
        XCTAssertNotNil((ta?[tracker] as? [String: Any])?["precision"] as? Double, "\(a)", file: file, line: line)
        XCTAssertEqual(ta.map { NSDictionary(dictionary: $0) }, tb.map { NSDictionary(dictionary: $0) }, file: file, line: line)
    }

    /// Runs Examples/slurm/submit.sh; returns the array job and the eval job.
    static func submit(root: URL, results: URL, logs: URL, shards: Int, jobs: Int = 1) throws -> (array: String, eval: String) {
        let r = try run(
            [repository.appendingPathComponent("Examples/slurm/submit.sh").path],
            environment: [
                "DATASET": dataset, "DATASET_ROOT": root.path, "RESULTS": results.path, "SHARDS": "\(shards)", "JOBS": "\(jobs)",
                "SIAMRPN": siamrpn, "LOGS": logs.path
            ], seconds: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        let last = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init), r.stdout)
        let ids = Dictionary(
            uniqueKeysWithValues: last.split(separator: " ").compactMap { word -> (String, String)? in
                let kv = word.split(separator: "=", maxSplits: 1)
                return kv.count == 2 ? (String(kv[0]), String(kv[1])) : nil
            })
        return (try XCTUnwrap(ids["ARRAY_JOB"], last), try XCTUnwrap(ids["EVAL_JOB"], last))
    }

    /// Watches `dir` from a background thread: every file under a final result name
    /// (`<video>.txt`) must hold exactly the reference bytes whenever it is visible.
    final class FinalNameWatcher: @unchecked Sendable {
        private let lock = NSLock()
        private var stop = false
        private var violations: [String] = []
        private var looks = 0
        private let finished = DispatchSemaphore(value: 0)

        private func locked<T>(_ body: () -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body()
        }

        init(dir: URL, reference: [String: Data]) {
            DispatchQueue.global().async { [self] in
                while !locked({ stop }) {
                    for (name, bytes) in reference {
                        guard let seen = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { continue }
                        if seen != bytes { locked { violations.append("\(name): \(seen.count) bytes, not the \(bytes.count) of the result") } }
                    }
                    locked { looks += 1 }
                    usleep(5_000)
                }
                finished.signal()
            }
        }

        /// Stops watching; returns what it saw under final names that was not the result, and how often it looked.
        func finish() -> (violations: [String], looks: Int) {
            locked { stop = true }
            finished.wait()
            return locked { (violations, looks) }
        }
    }

    // MARK: tests

    func testAnArrayOfShardsAndItsEvalJobGiveTheOneProcessResults() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let reference = try Self.reference(root: Self.datasetRoot, in: dir)
        XCTAssertEqual(Set(reference.files.keys), ["\(Self.tracker)/vot_ball1.txt", "\(Self.tracker)/uav_wakeboard7.txt"])

        let results = dir.appendingPathComponent("slurm")
        let logs = dir.appendingPathComponent("logs")
        let started = Date()
        let (array, eval) = try Self.submit(root: Self.datasetRoot, results: results, logs: logs, shards: 2)
        try Self.waitUntilDone([array, eval], seconds: 90)
        print("SlurmClusterTests: array \(array) (2 tasks) and eval \(eval) done in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        let tasks = try Self.jobs(array)
        XCTAssertEqual(tasks.map { $0["ArrayTaskId"] }.sorted { ($0 ?? "") < ($1 ?? "") }, ["1", "2"])
        for task in tasks {
            XCTAssertEqual(task["JobState"], "COMPLETED", "\(task)")
            XCTAssertEqual(task["ExitCode"], "0:0", "\(task)")
            let log = try String(contentsOf: logs.appendingPathComponent("siamrpn-test-\(array)_\(task["ArrayTaskId"] ?? "?").out"), encoding: .utf8)
            XCTAssert(log.contains("shard \(task["ArrayTaskId"] ?? "?")/2"), log)
            XCTAssertEqual(log.components(separatedBy: " Video: ").count - 1, 1, "one of the two videos per shard:\n\(log)")
        }
        let evalJob = try Self.job(eval)
        XCTAssertEqual(evalJob["JobState"], "COMPLETED", "\(evalJob)")
        XCTAssertEqual(evalJob["ExitCode"], "0:0")

        XCTAssertEqual(
            try Self.files(in: results.appendingPathComponent(Self.dataset)), reference.files, "the merged results are the one-process results")
        let merged = try Self.parse(Data(contentsOf: results.appendingPathComponent("\(Self.dataset).eval.json")))
        Self.assertSameScores(merged, reference.eval)
    }

    func testATaskCancelledMidRunAndRequeuedResumesToTheSameResults() throws {
        // 24 videos (12 names for each fixture video's frames), 3 shards of 8 on the 2-CPU node: a
        // task runs for seconds (0.2-0.3 s a video), and while task 1 is cancelled the others work on.
        let dir = try SiamRPNBinary.temporaryFolder()
        let root = dir.appendingPathComponent(Self.dataset)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for k in 1...12 {
            for video in ["vot_ball1", "uav_wakeboard7"] {
                try FileManager.default.createSymbolicLink(
                    at: root.appendingPathComponent("\(video)_\(k)"), withDestinationURL: Self.datasetRoot.appendingPathComponent(video))
            }
        }
        let reference = try Self.reference(root: root, in: dir)
        XCTAssertEqual(reference.files.count, 24)

        let results = dir.appendingPathComponent("slurm")
        let trackerDir = results.appendingPathComponent(Self.dataset).appendingPathComponent(Self.tracker)
        let logs = dir.appendingPathComponent("logs")
        let watcher = FinalNameWatcher(
            dir: trackerDir,
            reference: Dictionary(uniqueKeysWithValues: reference.files.map { (String($0.key.split(separator: "/").last!), $0.value) }))
        let (array, eval) = try Self.submit(root: root, results: results, logs: logs, shards: 3)
        let task1 = "\(array)_1"
        let log1 = logs.appendingPathComponent("siamrpn-test-\(task1).out")

        // Cancel task 1 once it has completed a video (its log names it) and while it still runs.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOf: log1, encoding: .utf8)) ?? "").components(separatedBy: " Video: ").count < 2 {
            usleep(20_000)
        }
        XCTAssertEqual(try Self.job(task1)["JobState"], "RUNNING", "task 1 has more videos to do")
        let cancel = try Self.run(["scancel", task1])
        XCTAssertEqual(cancel.status, 0, cancel.stderr)
        let cancelledBy = Date().addingTimeInterval(30)
        while Date() < cancelledBy, try Self.job(task1)["JobState"] != "CANCELLED" { usleep(50_000) }
        let cancelled = try Self.job(task1)
        XCTAssertEqual(cancelled["JobState"], "CANCELLED", "\(cancelled)")
        // What was complete when the task stopped must be kept, not tracked again.
        let kept = try FileManager.default.contentsOfDirectory(atPath: trackerDir.path).filter { !$0.hasPrefix(".") }
        var before: [String: [FileAttributeKey: Any]] = [:]
        for name in kept { before[name] = try FileManager.default.attributesOfItem(atPath: trackerDir.appendingPathComponent(name).path) }
        let firstAttempt = try String(contentsOf: log1, encoding: .utf8)

        let requeued = Date()
        let requeue = try Self.run(["scontrol", "requeue", task1])
        XCTAssertEqual(requeue.status, 0, requeue.stderr)
        try Self.waitUntilDone([array, eval], seconds: 120)
        let seen = watcher.finish()

        let task = try Self.job(task1)
        XCTAssertEqual(task["JobState"], "COMPLETED", "\(task)")
        XCTAssertEqual(task["ExitCode"], "0:0")
        XCTAssertEqual(task["Restarts"], "1")
        if let start = task["StartTime"], let startTime = ISO8601DateFormatter.local.date(from: start) {
            print(
                "SlurmClusterTests: task \(task1) cancelled, requeued; it started again \(String(format: "%.0f", startTime.timeIntervalSince(requeued))) s after `scontrol requeue`"
            )
        }
        for other in try Self.jobs(array) where other["ArrayTaskId"] != "1" {
            XCTAssertEqual(other["JobState"], "COMPLETED", "\(other)")
            XCTAssertEqual(other["Restarts"], "0")
        }
        let evalJob = try Self.job(eval)
        XCTAssertEqual(evalJob["JobState"], "COMPLETED", "eval ran after the requeued task: \(evalJob)")

        XCTAssertEqual(
            try Self.files(in: results.appendingPathComponent(Self.dataset)), reference.files, "the merged results are the one-process results")
        Self.assertSameScores(try Self.parse(Data(contentsOf: results.appendingPathComponent("\(Self.dataset).eval.json"))), reference.eval)
        XCTAssertEqual(seen.violations, [], "a result file was visible under its final name before it was complete")
        XCTAssertGreaterThan(seen.looks, 100)

        // The requeued task skipped the videos it had finished and tracked only the rest.
        XCTAssertFalse(kept.isEmpty)
        for name in kept {
            let after = try FileManager.default.attributesOfItem(atPath: trackerDir.appendingPathComponent(name).path)
            XCTAssertNotNil(after[.systemFileNumber] as? Int)
            XCTAssertEqual(after[.systemFileNumber] as? Int, before[name]?[.systemFileNumber] as? Int, "\(name) was written again")
            XCTAssertEqual(after[.modificationDate] as? Date, before[name]?[.modificationDate] as? Date, "\(name) was written again")
        }
        let log = try String(contentsOf: log1, encoding: .utf8)
        XCTAssert(firstAttempt.contains("(restart 0)") && log.contains("(restart 1)"), log)
        XCTAssert(log.contains("CANCELLED AT"), log)
        let secondAttempt = String(log.dropFirst(firstAttempt.count))
        XCTAssert(secondAttempt.contains("already complete"), secondAttempt)
        func videos(_ text: String) -> Set<String> {
            Set(text.components(separatedBy: " Video: ").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
        }
        XCTAssertFalse(videos(firstAttempt).isEmpty, "task 1 was cancelled mid-run, after a complete video")
        XCTAssert(videos(firstAttempt).isSubset(of: Set(kept.map { String($0.dropLast(".txt".count)) })), "its complete videos were kept")
        XCTAssert(videos(firstAttempt).isDisjoint(with: videos(secondAttempt)), "no video tracked twice:\n\(log)")
        XCTAssertEqual(videos(firstAttempt).count + videos(secondAttempt).count, 8, "shard 1 of 3 has 8 of the 24 videos:\n\(log)")
    }
}

extension ISO8601DateFormatter {
    /// Slurm's times (`2026-12-02T00:13:12`): local time, no zone.
    static var local: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate, .withTime, .withDashSeparatorInDate, .withColonSeparatorInTime]
        f.timeZone = .current
        return f
    }
}
