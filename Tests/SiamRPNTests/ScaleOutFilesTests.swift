import Foundation
import XCTest
import Yams

/// The shipped cluster files (Examples/kubernetes, Examples/slurm) hold what their scheduler needs
/// to run `siamrpn test` one shard per task: checked on the files themselves, no cluster needed.
/// (SlurmClusterTests runs the Slurm scripts on a real one-node cluster.)
final class ScaleOutFilesTests: XCTestCase {
    static let repository = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    static func yaml(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(try Yams.load(yaml: text(path)) as? [String: Any], "\(path) is not one YAML mapping")
    }

    /// The value after `flag` in a command line (`--shards 8` -> "8").
    static func value(of flag: String, in command: [String]) -> String? {
        guard let i = command.firstIndex(of: flag), i + 1 < command.count else { return nil }
        return command[i + 1]
    }

    /// `dictionary[a][b]...` as `T`.
    static func get<T>(_ value: Any?, _ keys: String..., as type: T.Type = T.self) -> T? {
        var v = value
        for key in keys { v = (v as? [String: Any])?[key] }
        return v as? T
    }

    struct Pod {
        var spec: [String: Any]
        var container: [String: Any]
        var command: [String]
        /// mountPath -> (claimName, subPath, readOnly)
        var mounts: [String: (claim: String, subPath: String?, readOnly: Bool)]
    }

    /// The Job's pod: its one container's command, and where each mount's claim lands.
    static func pod(_ job: [String: Any], file: String) throws -> Pod {
        let spec = try XCTUnwrap(get(job, "spec", "template", "spec", as: [String: Any].self), "\(file): spec.template.spec")
        let containers = try XCTUnwrap(spec["containers"] as? [[String: Any]], "\(file): containers")
        XCTAssertEqual(containers.count, 1, "\(file): one container")
        let container = try XCTUnwrap(containers.first)
        let command = try XCTUnwrap(container["command"] as? [Any], "\(file): command").map { "\($0)" }
        XCTAssertEqual((container["command"] as? [Any])?.allSatisfy { $0 is String }, true, "\(file): every argument is a string (quote numbers)")
        var claims: [String: String] = [:]
        for volume in spec["volumes"] as? [[String: Any]] ?? [] {
            if let name = volume["name"] as? String, let claim = get(volume, "persistentVolumeClaim", "claimName", as: String.self) {
                claims[name] = claim
            }
        }
        var mounts: [String: (claim: String, subPath: String?, readOnly: Bool)] = [:]
        for mount in container["volumeMounts"] as? [[String: Any]] ?? [] {
            let name = try XCTUnwrap(mount["name"] as? String)
            let path = try XCTUnwrap(mount["mountPath"] as? String)
            let claim = try XCTUnwrap(claims[name], "\(file): volumeMount \(name) names no persistentVolumeClaim volume")
            mounts[path] = (claim, mount["subPath"] as? String, mount["readOnly"] as? Bool ?? false)
        }
        return Pod(spec: spec, container: container, command: command, mounts: mounts)
    }

    /// The mount that holds `path` (the longest mountPath that is `path` or a folder above it).
    static func mount(of path: String, in pod: Pod) -> (path: String, claim: String, subPath: String?, readOnly: Bool)? {
        pod.mounts.filter { path == $0.key || path.hasPrefix($0.key.hasSuffix("/") ? $0.key : $0.key + "/") }
            .max { $0.key.count < $1.key.count }
            .map { ($0.key, $0.value.claim, $0.value.subPath, $0.value.readOnly) }
    }

    func testTheKubernetesTestJobIsAnIndexedJobWithOneShardPerIndex() throws {
        let file = "Examples/kubernetes/test-job.yaml"
        let job = try Self.yaml(file)
        XCTAssertEqual(job["apiVersion"] as? String, "batch/v1")
        XCTAssertEqual(job["kind"] as? String, "Job")
        let spec = try XCTUnwrap(job["spec"] as? [String: Any])
        XCTAssertEqual(spec["completionMode"] as? String, "Indexed", "JOB_COMPLETION_INDEX is set only in Indexed Jobs")
        let completions = try XCTUnwrap(spec["completions"] as? Int, "completions: the number of shards")
        XCTAssertGreaterThan(completions, 0)
        let parallelism = try XCTUnwrap(spec["parallelism"] as? Int)
        XCTAssert((1...completions).contains(parallelism), "parallelism \(parallelism) is in 1...\(completions)")

        let pod = try Self.pod(job, file: file)
        XCTAssertEqual(Array(pod.command.prefix(2)), ["siamrpn", "test"])
        XCTAssertEqual(Self.value(of: "--shard", in: pod.command), "auto", "each pod takes its shard from JOB_COMPLETION_INDEX")
        XCTAssertEqual(
            Self.value(of: "--shards", in: pod.command), "\(completions)", "--shards must equal completions, or videos are skipped or doubled")
        let env = pod.container["env"] as? [[String: Any]] ?? []
        XCTAssertFalse(
            env.contains { $0["name"] as? String == "JOB_COMPLETION_INDEX" && $0["value"] != nil },
            "a fixed index would give every pod the same shard")

        // backoffLimitPerIndex and podFailurePolicy need restartPolicy Never; a pod that fails is
        // then replaced by a new pod for the same index, which resumes from the shared results.
        let restart = try XCTUnwrap(pod.spec["restartPolicy"] as? String)
        XCTAssert(["Never", "OnFailure"].contains(restart), "a Job's pods may not use restartPolicy \(restart)")
        if spec["backoffLimitPerIndex"] != nil || spec["podFailurePolicy"] != nil { XCTAssertEqual(restart, "Never") }
        if let perIndex = spec["backoffLimitPerIndex"] { XCTAssertGreaterThanOrEqual(perIndex as? Int ?? -1, 0) }

        // The exit statuses of `siamrpn test`: 1 user error (stop the Job), 3 a video failed (give
        // up on that index only; FailIndex needs backoffLimitPerIndex).
        let rules = Self.get(spec, "podFailurePolicy", "rules", as: [[String: Any]].self) ?? []
        func action(forExitCode code: Int) -> String? {
            rules.first { rule in
                Self.get(rule, "onExitCodes", "operator", as: String.self) == "In"
                    && (Self.get(rule, "onExitCodes", "values", as: [Int].self) ?? []).contains(code)
            }?["action"] as? String
        }
        if !rules.isEmpty {
            XCTAssertEqual(action(forExitCode: 1), "FailJob")
            if let three = action(forExitCode: 3) {
                XCTAssert(["FailIndex", "FailJob"].contains(three), "exit 3 is not worth a retry: \(three)")
                if three == "FailIndex" { XCTAssertNotNil(spec["backoffLimitPerIndex"], "FailIndex needs backoffLimitPerIndex") }
            }
            XCTAssertNil(action(forExitCode: 0), "exit 0 is success")
            for rule in rules {
                if let name = Self.get(rule, "onExitCodes", "containerName", as: String.self) {
                    XCTAssertEqual(name, pod.container["name"] as? String, "the rule names the container")
                }
            }
        }

        // Dataset and results on a shared claim (every pod reads the dataset and writes results).
        let root = try XCTUnwrap(Self.value(of: "--dataset_root", in: pod.command))
        let results = try XCTUnwrap(Self.value(of: "--results", in: pod.command), "--results: the shared folder, not the pod's own disk")
        let data = try XCTUnwrap(Self.mount(of: root, in: pod), "--dataset_root \(root) is on no persistentVolumeClaim mount")
        let out = try XCTUnwrap(Self.mount(of: results, in: pod), "--results \(results) is on no persistentVolumeClaim mount")
        XCTAssertFalse(out.readOnly, "results are written")
        XCTAssertEqual(data.claim, out.claim, "one claim for dataset and results (see the file's steps)")
    }

    func testTheKubernetesEvalJobScoresWhatTheTestJobWrites() throws {
        let test = try Self.pod(try Self.yaml("Examples/kubernetes/test-job.yaml"), file: "test-job.yaml")
        let evalJob = try Self.yaml("Examples/kubernetes/eval-job.yaml")
        XCTAssertEqual(evalJob["kind"] as? String, "Job")
        XCTAssertNil(Self.get(evalJob, "spec", "completionMode", as: String.self), "one pod scores everything")
        let eval = try Self.pod(evalJob, file: "eval-job.yaml")
        XCTAssertEqual(Array(eval.command.prefix(2)), ["siamrpn", "eval"])
        for flag in ["--dataset", "--dataset_root"] {
            XCTAssertEqual(Self.value(of: flag, in: eval.command), Self.value(of: flag, in: test.command), flag)
        }
        let written = try XCTUnwrap(Self.value(of: "--results", in: test.command))
        let read = try XCTUnwrap(Self.value(of: "--tracker_path", in: eval.command))
        XCTAssertEqual(read, written, "eval reads the folder test writes")
        let a = try XCTUnwrap(Self.mount(of: written, in: test))
        let b = try XCTUnwrap(Self.mount(of: read, in: eval))
        XCTAssertEqual(a.claim, b.claim)
        XCTAssertEqual(a.subPath, b.subPath)
        XCTAssertEqual(a.path, b.path)
    }

    /// The `#SBATCH` options of a batch script. sbatch reads them only up to the first line
    /// that is neither blank nor a comment, so a directive after that is an error here.
    static func sbatchOptions(_ path: String) throws -> [String] {
        var options: [String] = []
        var inHeader = true
        for (n, raw) in try text(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#SBATCH") {
                XCTAssert(inHeader, "\(path):\(n + 1): #SBATCH after the first command is ignored by sbatch")
                options += line.dropFirst("#SBATCH".count).split(separator: " ").map(String.init)
            } else if !line.isEmpty && !line.hasPrefix("#") {
                inHeader = false
            }
        }
        return options
    }

    static func option(_ name: String, in options: [String]) -> String? {
        options.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    func testTheSlurmArrayScriptRunsOneRequeueableShardPerTask() throws {
        let options = try Self.sbatchOptions("Examples/slurm/test.sbatch")
        let array = try XCTUnwrap(Self.option("--array", in: options), "test.sbatch is a job array")
        XCTAssertNotNil(array.range(of: #"^\d+-\d+$"#, options: .regularExpression), "--array=\(array): a plain range (one task per shard)")
        XCTAssert(options.contains("--requeue"), "a task that loses its node is requeued and resumes")
        XCTAssertFalse(options.contains("--no-requeue"))
        XCTAssertEqual(Self.option("--cpus-per-task", in: options), "1", "one CPU per task by default")
        XCTAssertEqual(Self.option("--ntasks", in: options), "1")
        let output = try XCTUnwrap(Self.option("--output", in: options))
        XCTAssert(output.contains("%A") && output.contains("%a"), "one log per task: \(output)")
        XCTAssertEqual(Self.option("--open-mode", in: options), "append", "a requeued task's log keeps the first attempt")

        let script = try Self.text("Examples/slurm/test.sbatch")
        XCTAssert(script.contains("--shard auto"), "the shard comes from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT")
        XCTAssertFalse(script.contains("--shards"), "under Slurm the array size is the shard count")
        XCTAssert(script.contains("--jobs \"$JOBS\""))
        XCTAssert(script.hasPrefix("#!/usr/bin/env bash\n") && script.contains("set -euo pipefail"))
    }

    func testTheSlurmEvalScriptRunsOnceAfterTheWholeArray() throws {
        let options = try Self.sbatchOptions("Examples/slurm/eval.sbatch")
        XCTAssertNil(Self.option("--array", in: options), "one eval for all shards")
        XCTAssertEqual(Self.option("--ntasks", in: options), "1")
        let script = try Self.text("Examples/slurm/eval.sbatch")
        XCTAssert(script.contains("\"$SIAMRPN\" eval --tracker_path \"$RESULTS\""))

        let submit = try Self.text("Examples/slurm/submit.sh")
        // The settings a user edits, at the top.
        for variable in ["DATASET", "DATASET_ROOT", "RESULTS", "CONFIG", "SNAPSHOT", "SHARDS", "SIAMRPN"] {
            XCTAssertNotNil(submit.range(of: "\n\(variable)=\\$\\{\(variable):-", options: .regularExpression), "submit.sh sets \(variable)")
        }
        XCTAssert(submit.contains("--array=1-\"$SHARDS\""), "one task per shard")
        // afterany (not afterok, which never fires again once a task was cancelled and requeued).
        XCTAssert(submit.contains("--dependency=afterany:\"$array\""), "eval waits for every task of the array")
        XCTAssert(submit.contains("\"$here/test.sbatch\"") && submit.contains("\"$here/eval.sbatch\""))
    }
}
