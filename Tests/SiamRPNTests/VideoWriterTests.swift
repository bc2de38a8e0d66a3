import Foundation
import Testing

@testable import SiamRPN

/// VideoWriter must produce files ffprobe reads back with the frames and size written, pick
/// libx264 when present, pad odd sizes, and report every failure as a `VideoWriterError`.
struct VideoWriterTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("siamrpn-writer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// ffprobe's codec name, width, height and nb_frames of the first video stream
    /// (nb_frames counted by decoding, so it holds for every container).
    static func probe(_ url: URL) throws -> (codec: String, width: Int, height: Int, frames: Int) {
        let ffprobe = try #require(FFmpegTools().executable("ffprobe"))
        let result = try Subprocess.run(
            ffprobe,
            [
                "-v", "error", "-select_streams", "v:0", "-count_frames",
                "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                "-of", "json", url.path
            ])
        try #require(result.status == 0, "ffprobe: \(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let stream = try #require((root["streams"] as? [[String: Any]])?.first)
        return (
            try #require(stream["codec_name"] as? String), try #require(stream["width"] as? Int),
            try #require(stream["height"] as? Int), try #require(Int(stream["nb_read_frames"] as? String ?? ""))
        )
    }

    /// Frame `i` of a moving gradient, `size` pixels.
    static func frame(_ i: Int, _ size: ImageSize) -> Image {
        var image = Image(width: size.width, height: size.height)
        image.withUnsafeMutablePixels { p in
            for y in 0..<size.height {
                for x in 0..<size.width {
                    let k = (y * size.width + x) * 3
                    p[k] = UInt8(truncatingIfNeeded: x + 4 * i)
                    p[k + 1] = UInt8(truncatingIfNeeded: y * 2)
                    p[k + 2] = UInt8(truncatingIfNeeded: 128 + i * 3)
                }
            }
        }
        return image
    }

    static func expectWriterError(_ expected: VideoWriterError, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(expected)")
        } catch let error as VideoWriterError {
            #expect(error == expected)
        } catch {
            Issue.record("expected \(expected), got \(error)")
        }
    }

    @Test func writesAnMp4ThatFfprobeReadsBackWithTheRightFramesAndSize() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.mp4")
        let size = ImageSize(width: 480, height: 360)
        let writer = try VideoWriter(url: url, frameSize: size, fps: 25)
        let ffmpeg = try #require(FFmpegTools().executable("ffmpeg"))
        #expect(writer.codec == (FFmpegTools.hasEncoder("libx264", ffmpeg: ffmpeg) ? .h264 : .mpeg4))
        for i in 0..<30 { try writer.write(Self.frame(i, size)) }
        try writer.finish()
        #expect(writer.framesWritten == 30)
        let info = try Self.probe(url)
        #expect(info.codec == (writer.codec == .h264 ? "h264" : "mpeg4"))
        #expect(info.width == 480 && info.height == 360 && info.frames == 30)

        // Read back: same count, close to what was written (lossy).
        let source = try FFmpegFrameSource(video: url)
        var index = 0
        while let decoded = try source.next() {
            if index == 10 {
                let original = Self.frame(10, size)
                var total = 0
                for k in 0..<original.pixels.count { total += abs(Int(original.pixels[k]) - Int(decoded.pixels[k])) }
                #expect(Double(total) / Double(original.pixels.count) < 3)
            }
            index += 1
        }
        #expect(index == 30)
    }

    @Test func oddSizesArePaddedToEvenAndMpeg4CanBeForced() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("odd.avi")
        let size = ImageSize(width: 101, height: 75)
        let writer = try VideoWriter(url: url, frameSize: size, fps: 12.5, codec: .mpeg4)
        for i in 0..<7 { try writer.write(Self.frame(i, size)) }
        try writer.finish()
        let info = try Self.probe(url)
        #expect(info.codec == "mpeg4" && info.width == 102 && info.height == 76 && info.frames == 7)
    }

    @Test func encodeArgumentsDescribeRawBGRInput() {
        let out = URL(fileURLWithPath: "/tmp/a.mp4")
        let even = VideoWriter.encodeArguments(output: out, frameSize: ImageSize(width: 480, height: 360), fps: 25, codec: .h264)
        #expect(
            even == [
                "-hide_banner", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", "480x360",
                "-r", "25", "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "file:/tmp/a.mp4"
            ])
        let odd = VideoWriter.encodeArguments(
            output: URL(fileURLWithPath: "/tmp/b.mkv"), frameSize: ImageSize(width: 5, height: 4),
            fps: 29.97, codec: .mpeg4)
        #expect(odd.contains("pad=ceil(iw/2)*2:ceil(ih/2)*2") && odd.contains("29.97") && !odd.contains("-movflags"))
    }

    @Test func droppingAnUnfinishedWriterStillCompletesTheFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("dropped.mkv")
        let size = ImageSize(width: 64, height: 48)
        do {
            let writer = try VideoWriter(url: url, frameSize: size, fps: 10)
            for i in 0..<5 { try writer.write(Self.frame(i, size)) }
        }
        #expect(try Self.probe(url).frames == 5)
    }

    @Test func misuseIsReportedWithSpecificErrors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.mp4")
        let size = ImageSize(width: 32, height: 24)
        let writer = try VideoWriter(url: url, frameSize: size, fps: 25)
        Self.expectWriterError(.frameSizeMismatch(path: url.path, expected: size, found: ImageSize(width: 30, height: 24))) {
            try writer.write(Image(width: 30, height: 24))
        }
        try writer.write(Self.frame(0, size))
        try writer.finish()
        Self.expectWriterError(.alreadyFinished(path: url.path)) { try writer.write(Self.frame(1, size)) }
        Self.expectWriterError(.alreadyFinished(path: url.path)) { try writer.finish() }

        Self.expectWriterError(.invalidSize(ImageSize(width: 0, height: 10))) {
            _ = try VideoWriter(url: url, frameSize: ImageSize(width: 0, height: 10))
        }
        Self.expectWriterError(.invalidFrameRate(0)) { _ = try VideoWriter(url: url, frameSize: size, fps: 0) }
        Self.expectWriterError(.toolNotInstalled("ffmpeg")) {
            _ = try VideoWriter(url: url, frameSize: size, tools: FFmpegTools(searchPath: "/nonexistent-bin"))
        }
        Self.expectWriterError(.encoderFailed(path: "/nonexistent-dir/v.mp4", reason: "folder /nonexistent-dir does not exist")) {
            _ = try VideoWriter(url: URL(fileURLWithPath: "/nonexistent-dir/v.mp4"), frameSize: size)
        }
        #expect(
            VideoWriterError.toolNotInstalled("ffmpeg").description
                == "ffmpeg is not installed: run `sudo apt-get install ffmpeg` (Debian/Ubuntu) or `brew install ffmpeg` (macOS)")
    }

    @Test func ffmpegFailureIsReportedWithItsStderr() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("video.unknownformat")
        let size = ImageSize(width: 32, height: 24)
        let writer = try VideoWriter(url: url, frameSize: size, fps: 25)
        do {
            // ffmpeg exits at once; the failure shows on a write (broken pipe) or at finish.
            for i in 0..<50 { try writer.write(Self.frame(i, size)) }
            try writer.finish()
            Issue.record("expected encoderFailed")
        } catch let error as VideoWriterError {
            guard case .encoderFailed(let path, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(path == url.path)
            #expect(reason.contains("output format"), "ffmpeg's stderr: \(reason)")
        }
    }
}
