import Foundation
import Testing

@testable import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frame sources must give the frames pysot gets: `cv2.VideoCapture` on the bundled bag.avi
/// (Tests/Fixtures/README.md sections 2 and 13; frames 0-5 and 100-102 of `frames/` are cv2's,
/// compared byte for byte) and
/// pysot's demo ordering for image folders. Every failure is a specific `FrameSourceError`.
struct FrameSourceTests {
    static let bag = BundledDemo.video
    static let referenceFrames = [0, 1, 2, 3, 4, 5, 100, 101, 102]

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("siamrpn-frame-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func ffmpeg() throws -> URL { try #require(FFmpegTools().executable("ffmpeg")) }
    static func ffprobe() throws -> URL { try #require(FFmpegTools().executable("ffprobe")) }

    /// Runs ffmpeg (to build test videos); fails the test with its stderr if it fails.
    static func runFFmpeg(_ arguments: [String]) throws {
        let result = try Subprocess.run(try ffmpeg(), ["-hide_banner", "-v", "error", "-nostdin", "-y"] + arguments)
        try #require(result.status == 0, "ffmpeg \(arguments): \(result.stderr)")
    }

    static func expectFrameSourceError(_ expected: FrameSourceError, _ body: () throws -> Any) {
        do {
            let value = try body()
            Issue.record("expected \(expected), got \(value)")
        } catch let error as FrameSourceError {
            #expect(error == expected)
        } catch {
            Issue.record("expected \(expected), got \(error)")
        }
    }

    static func frameSourceError(_ body: () throws -> Any) -> FrameSourceError? {
        do {
            let value = try body()
            Issue.record("expected a FrameSourceError, got \(value)")
        } catch let error as FrameSourceError {
            return error
        } catch {
            Issue.record("expected a FrameSourceError, got \(error)")
        }
        return nil
    }

    // MARK: video files

    @Test func bagAviGives196FramesEqualToOpenCVVideoCapture() throws {
        let source = try FFmpegFrameSource(video: Self.bag)
        #expect(source.name == "bag")
        #expect(source.frameSize == ImageSize(width: 480, height: 360))
        #expect(source.frameCount == 196)
        var index = 0
        var matched = 0
        while let frame = try source.next() {
            #expect(frame.size == source.frameSize)
            if Self.referenceFrames.contains(index) {
                let name = "frames/frame_" + String(repeating: "0", count: 4 - String(index).count) + "\(index).png"
                let reference = try Image.load(contentsOf: Fixtures.url(name))
                #expect(frame == reference, "frame \(index)")
                matched += 1
            }
            index += 1
        }
        #expect(index == 196 && matched == Self.referenceFrames.count)
        #expect(source.framesRead == 196)
        #expect(try source.next() == nil)  // stays at the end
    }

    @Test func openRoutesFilesFoldersAndCameraNumbers() throws {
        let video = try FrameSources.open(Self.bag.path)
        #expect(video is FFmpegFrameSource)
        let folder = try FrameSources.open(Fixtures.url("frames").path)
        let pngs = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("frames").path).filter { $0.hasSuffix(".png") }
        #expect(folder is ImageFolderSource && folder.name == "frames" && folder.frameCount == pngs.count)
        Self.expectFrameSourceError(.pathNotFound("/nonexistent/clip.mp4")) { try FrameSources.open("/nonexistent/clip.mp4") }
        // A camera number that is not a path goes to the webcam; this machine has no /dev/video57.
        let error = Self.frameSourceError { try FrameSources.open("57") }
        guard case .unreadableVideo(let path, let reason)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(path == FFmpegFrameSource.deviceName(57) && !reason.isEmpty)
    }

    @Test func droppingASourceEarlyStopsAndReapsFFmpeg() throws {
        var source: FFmpegFrameSource? = try FFmpegFrameSource(video: Self.bag)
        _ = try source?.next()
        let pid = try #require(source?.processIdentifier)
        #expect(kill(pid, 0) == 0)  // running (blocked on the full pipe)
        source = nil
        #expect(kill(pid, 0) == -1 && errno == ESRCH)  // gone and reaped (no zombie left)

        let closed = try FFmpegFrameSource(video: Self.bag)
        let pid2 = try #require(closed.processIdentifier)
        closed.close()
        #expect(kill(pid2, 0) == -1 && errno == ESRCH)
        #expect(try closed.next() == nil)
    }

    @Test func variableFrameRateFramesComeOutOnceEachAndCountFallsBackToPackets() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vfr = dir.appendingPathComponent("vfr.mkv")
        // 12 frames of bag.avi, lossless (FFV1), with a 0.4 s gap after frame 4. ffmpeg's default
        // constant-rate output would duplicate frames into the gap; VideoCapture does not.
        try Self.runFFmpeg([
            "-i", Self.bag.path, "-frames:v", "12",
            "-vf", "setpts='(N+if(gte(N,5),10,0))/25/TB'", "-fps_mode", "vfr",
            "-c:v", "ffv1", vfr.path
        ])
        let source = try FFmpegFrameSource(video: vfr)
        #expect(source.frameCount == 12)  // Matroska records no nb_frames: counted packets
        var frames: [Image] = []
        while let frame = try source.next() { frames.append(frame) }
        #expect(frames.count == 12)
        let frame0 = try Image.load(contentsOf: Fixtures.url("frames/frame_0000.png"))
        let frame5 = try Image.load(contentsOf: Fixtures.url("frames/frame_0005.png"))
        #expect(frames.first == frame0)
        #expect(frames[5] == frame5)
    }

    @Test func rotatedVideoReportsAndDeliversTheRotatedSize() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.mkv")
        let rotated = dir.appendingPathComponent("rotated.mp4")
        try Self.runFFmpeg(["-i", Self.bag.path, "-frames:v", "3", "-c:v", "mpeg4", "-q:v", "2", plain.path])
        try Self.runFFmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.path])
        let probe = try Subprocess.run(try Self.ffprobe(), FFmpegFrameSource.probeArguments(for: .file(rotated)))
        guard String(decoding: probe.stdout, as: UTF8.self).contains("rotat") else {
            return  // this ffmpeg version does not write the rotation that way; nothing to check
        }
        let source = try FFmpegFrameSource(video: rotated)
        #expect(source.frameSize == ImageSize(width: 360, height: 480))
        var count = 0
        while let frame = try source.next() {
            #expect(frame.size == ImageSize(width: 360, height: 480))
            count += 1
        }
        #expect(count == 3)
    }

    @Test func probeParsingHandlesRotationAndMissingCounts() {
        func parse(_ json: String) -> FFmpegFrameSource.ProbeInfo? { FFmpegFrameSource.parseProbe(Data(json.utf8)) }
        #expect(
            parse(#"{"streams":[{"width":480,"height":360,"nb_frames":"196"}]}"#)
                == .init(size: ImageSize(width: 480, height: 360), frameCount: 196))
        #expect(
            parse(#"{"streams":[{"width":480,"height":360,"side_data_list":[{"rotation":-90}]}]}"#)
                == .init(size: ImageSize(width: 360, height: 480), frameCount: nil))
        #expect(
            parse(#"{"streams":[{"width":480,"height":360,"nb_frames":"N/A","tags":{"rotate":"270"}}]}"#)
                == .init(size: ImageSize(width: 360, height: 480), frameCount: nil))
        #expect(
            parse(#"{"streams":[{"width":480,"height":360,"side_data_list":[{"rotation":180}]}]}"#)?.size
                == ImageSize(width: 480, height: 360))
        #expect(parse(#"{"programs":[],"streams":[]}"#) == nil)
        #expect(parse("not json") == nil)
    }

    @Test func webcamCommandUsesVideo4Linux2() {
        let arguments = FFmpegFrameSource.decodeArguments(for: .webcam(index: 0))
        #if os(Linux)
            #expect(
                arguments == [
                    "-hide_banner", "-v", "error", "-nostdin", "-f", "v4l2", "-i", "/dev/video0",
                    "-map", "0:v:0", "-fps_mode", "passthrough",
                    "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"
                ])
        #endif
        let file = FFmpegFrameSource.decodeArguments(
            for: .file(URL(fileURLWithPath: "/data/a:b.avi")),
            passthrough: ["-vsync", "passthrough"])
        #expect(
            file == [
                "-hide_banner", "-v", "error", "-nostdin", "-i", "file:/data/a:b.avi",
                "-map", "0:v:0", "-vsync", "passthrough",
                "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"
            ])
    }

    @Test func passthroughOptionDependsOnTheFFmpegVersion() throws {
        #expect(FFmpegTools.passthroughOptions(for: (4, 4)) == ["-vsync", "passthrough"])
        #expect(FFmpegTools.passthroughOptions(for: (5, 0)) == ["-vsync", "passthrough"])
        #expect(FFmpegTools.passthroughOptions(for: (5, 1)) == ["-fps_mode", "passthrough"])
        #expect(FFmpegTools.passthroughOptions(for: (7, 0)) == ["-fps_mode", "passthrough"])
        #expect(FFmpegTools.passthroughOptions(for: nil) == ["-fps_mode", "passthrough"])
        let version = try #require(FFmpegTools.version(of: try Self.ffmpeg()))
        #expect(version.major >= 4)
    }

    // MARK: video errors

    @Test func missingToolsAreReportedWithTheInstallCommand() throws {
        let nowhere = FFmpegTools(searchPath: "/nonexistent-bin")
        Self.expectFrameSourceError(.toolNotInstalled("ffmpeg")) { try FFmpegFrameSource(video: Self.bag, tools: nowhere) }
        #expect(
            FrameSourceError.toolNotInstalled("ffmpeg").description
                == "ffmpeg is not installed: run `sudo apt-get install ffmpeg` (Debian/Ubuntu) or `brew install ffmpeg` (macOS)")
        // ffmpeg present but ffprobe missing.
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("ffmpeg"), withDestinationURL: try Self.ffmpeg())
        Self.expectFrameSourceError(.toolNotInstalled("ffprobe")) {
            try FFmpegFrameSource(video: Self.bag, tools: FFmpegTools(searchPath: dir.path))
        }
    }

    @Test func missingAndGarbageVideosAreReported() throws {
        Self.expectFrameSourceError(.pathNotFound("/nonexistent/bag.avi")) {
            try FFmpegFrameSource(video: URL(fileURLWithPath: "/nonexistent/bag.avi"))
        }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.avi")
        try Data("this is not a video at all".utf8).write(to: garbage)
        let error = Self.frameSourceError { try FFmpegFrameSource(video: garbage) }
        guard case .unreadableVideo(let path, let reason)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(path == garbage.path)
        #expect(reason.contains("Invalid data found"), "ffprobe's stderr is the reason: \(reason)")
        Self.expectFrameSourceError(.unreadableVideo(path: dir.path, reason: "it is a folder (open it with ImageFolderSource)")) {
            try FFmpegFrameSource(video: dir)
        }
    }

    @Test func truncatedVideoGivesItsCompleteFramesWithoutCrashing() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = dir.appendingPathComponent("cut.avi")
        try Data(try Data(contentsOf: Self.bag).prefix(200_000)).write(to: cut)
        let source = try FFmpegFrameSource(video: cut)
        let frame0 = try Image.load(contentsOf: Fixtures.url("frames/frame_0000.png"))
        var count = 0
        do {
            while let frame = try source.next() {
                #expect(frame.size == ImageSize(width: 480, height: 360))
                if count == 0 { #expect(frame == frame0) }
                count += 1
            }
        } catch let error as FrameSourceError {
            guard case .decoderFailed = error else {
                Issue.record("\(error)")
                return
            }
        }
        #expect(count > 0 && count < 196)
    }

    // MARK: image folders

    /// Writes a 4x2 PNG of one grey level under `name` (content decides the decoder, so any
    /// image extension works).
    static func writeFrame(_ dir: URL, _ name: String, level: UInt8, width: Int = 4) throws {
        try Image(width: width, height: 2, color: Image.Color(b: level, g: level, r: level)).pngData()
            .write(to: dir.appendingPathComponent(name))
    }

    @Test func folderFramesFollowPysotNumericOrder() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFrame(dir, "10.jpg", level: 10)
        try Self.writeFrame(dir, "2.jpg", level: 2)
        try Self.writeFrame(dir, "1.jpg", level: 1)
        try Self.writeFrame(dir, "3.JPEG", level: 3)
        try Self.writeFrame(dir, "4.png", level: 4)
        try Self.writeFrame(dir, ".5.jpg", level: 5)  // hidden: skipped
        try Data("notes".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let source = try ImageFolderSource(folder: dir)
        #expect(source.files.map(\.lastPathComponent) == ["1.jpg", "2.jpg", "3.JPEG", "4.png", "10.jpg"])
        #expect(source.frameCount == 5 && source.frameSize == ImageSize(width: 4, height: 2))
        var levels: [UInt8] = []
        while let frame = try source.next() { levels.append(frame.pixels[0]) }
        #expect(levels == [1, 2, 3, 4, 10])
        #expect(try source.next() == nil)
    }

    @Test func frameOrderIsNumericThenNatural() {
        #expect(ImageFolderSource.frameOrder(["10.jpg", "2.jpg", "1.jpg"]) == ["1.jpg", "2.jpg", "10.jpg"])
        #expect(ImageFolderSource.frameOrder(["0010.jpg", "0002.jpg", "0001.jpg"]) == ["0001.jpg", "0002.jpg", "0010.jpg"])
        #expect(ImageFolderSource.frameOrder(["img10.png", "img2.png", "img1.jpg"]) == ["img1.jpg", "img2.png", "img10.png"])
        #expect(ImageFolderSource.frameOrder(["b.jpg", "a10.jpg", "a9.jpg", "1.jpg"]) == ["1.jpg", "a9.jpg", "a10.jpg", "b.jpg"])
        #expect(
            ImageFolderSource.frameOrder(["frame_01.jpg", "frame_1.jpg", "frame_001.jpg"])
                == ["frame_1.jpg", "frame_01.jpg", "frame_001.jpg"])
        #expect(ImageFolderSource.naturalLess("a", "ab") && !ImageFolderSource.naturalLess("ab", "a"))
        #expect(!ImageFolderSource.naturalLess("x2", "x2"))
    }

    @Test func folderErrorsAreSpecific() throws {
        Self.expectFrameSourceError(.pathNotFound("/nonexistent/seq")) { try ImageFolderSource(folder: URL(fileURLWithPath: "/nonexistent/seq")) }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.expectFrameSourceError(.noImages(folder: dir.path)) { try ImageFolderSource(folder: dir) }
        try Data("x".utf8).write(to: dir.appendingPathComponent("readme.txt"))
        Self.expectFrameSourceError(.noImages(folder: dir.path)) { try FrameSources.open(dir.path) }
        #expect(FrameSourceError.noImages(folder: "/d").description == "folder /d contains no images (files ending in .jpg, .jpeg or .png)")
    }

    @Test func folderFrameWithAnotherSizeIsRejected() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFrame(dir, "1.png", level: 1)
        try Self.writeFrame(dir, "2.png", level: 2, width: 6)
        let source = try ImageFolderSource(folder: dir)
        _ = try source.next()
        let second = dir.appendingPathComponent("2.png").path
        Self.expectFrameSourceError(
            .frameSizeChanged(
                source: second, index: 1, expected: ImageSize(width: 4, height: 2),
                found: ImageSize(width: 6, height: 2))
        ) { try source.next() as Any }
        #expect(
            FrameSourceError.frameSizeChanged(
                source: "s/2.png", index: 1, expected: ImageSize(width: 4, height: 2),
                found: ImageSize(width: 6, height: 2)
            ).description
                == "frame 1 of s/2.png is 6x2 but the frames before it are 4x2; every frame of a sequence must have the same size")
    }

    @Test func folderWithAnUndecodableImageThrowsItsImageError() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFrame(dir, "1.jpg", level: 1)
        let bad = dir.appendingPathComponent("2.jpg")
        try Data("GARBAGE!".utf8).write(to: bad)
        let source = try ImageFolderSource(folder: dir)
        _ = try source.next()
        #expect(throws: ImageError.notAnImage(source: bad.path, firstBytes: Array("GARBAGE!".utf8))) { try source.next() }
    }
}
