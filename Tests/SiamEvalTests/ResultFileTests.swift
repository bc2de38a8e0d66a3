import Foundation
import SiamEval
import Testing

/// pysot's result files are read as its `load_tracker` reads them: `list(map(float, line.split(',')))`
/// per line, glob `*0*.txt` for the repetitions (all only when there are exactly 15), the long-term
/// confidence file's first line replaced by NaN.
struct ResultFileTests {
    @Test func linesBecomeNumberListsAndABadLineIsNamed() throws {
        let rows = try PysotResultFiles.parseTrajectory("1\n10.5000,20.0000,30.0000,40.0000\n2\n0\n", path: "a.txt")
        #expect(rows == [[1], [10.5, 20, 30, 40], [2], [0]])
        #expect(calculateFailures(rows) == [2])
        #expect(throws: ResultFileError.self) { try PysotResultFiles.parseTrajectory("1\n2,3\n\n4\n", path: "a.txt") }
        do {
            _ = try PysotResultFiles.parseTrajectory("1\n1,2,x,4\n", path: "a.txt")
            Issue.record("no error")
        } catch let e as ResultFileError {
            #expect(e.line == 2 && e.description.contains("a.txt line 2"))
        }
    }

    @Test func repetitionsAreAllFifteenFilesOrElseTheFirstSortedOne() throws {
        let tracker = FileManager.default.temporaryDirectory.appendingPathComponent("siameval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tracker) }
        let dir = tracker.appendingPathComponent("baseline/v")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write(_ name: String) throws { try Data("1\n".utf8).write(to: dir.appendingPathComponent(name)) }
        for name in ["v_003.txt", "v_001.txt", "v_002.txt", "notes.txt", "v_001_time.log"] { try write(name) }
        // 'notes.txt' has no '0', the log is not .txt: 3 candidates, pysot uses one.
        #expect(try PysotResultFiles.votBaselineFiles(trackerDirectory: tracker, video: "v").map(\.lastPathComponent) == ["v_001.txt"])
        for k in 4...15 { try write(String(format: "v_%03d.txt", k)) }
        let all = try PysotResultFiles.votBaselineFiles(trackerDirectory: tracker, video: "v").map(\.lastPathComponent)
        #expect(all == (1...15).map { String(format: "v_%03d.txt", $0) })
        try write("v_016.txt")
        #expect(try PysotResultFiles.votBaselineFiles(trackerDirectory: tracker, video: "v").count == 1)
    }
}
