import Foundation
import Testing

@testable import SiamRPN

/// Image decoding must give `cv2.imread`'s bytes (Tests/Fixtures/README.md section 12: the decoded PNGs and
/// SHA-256 digests in `jpeg/jpeg.json`, produced by OpenCV 4.6.0 with libjpeg-turbo 2.1.5), PNG
/// must round-trip losslessly, and no input — truncated, garbage, hostile — may crash.
struct ImageTests {
    static let jpegNames = ["Crossing_0001.jpg", "Girl_0001.jpg", "Surfer_0100.jpg"]

    static func jpegEntry(_ name: String) throws -> [String: Any] {
        let json = try #require(try Fixtures.json("jpeg/jpeg.json") as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        return try #require(files.first { $0["jpeg"] as? String == name })
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("siamrpn-image-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A deterministic image with smooth gradients plus some noise.
    static func testImage(width: Int = 67, height: Int = 41, seed: UInt64 = 7) -> Image {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let noise = Int(state >> 60)
                let i = (y * width + x) * 3
                pixels[i] = UInt8(clamping: x * 255 / max(1, width - 1) + noise - 8)
                pixels[i + 1] = UInt8(clamping: y * 255 / max(1, height - 1) + noise - 8)
                pixels[i + 2] = UInt8(clamping: (x + y) * 2 + noise)
            }
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    static func expectImageError(_ expected: ImageError, _ body: () throws -> Image) {
        do {
            let image = try body()
            Issue.record("expected \(expected), got a \(image.size) image")
        } catch let error as ImageError {
            #expect(error == expected)
        } catch {
            Issue.record("expected \(expected), got \(error)")
        }
    }

    /// Runs `body` and returns the ImageError it throws (recording an issue otherwise).
    static func imageError(_ body: () throws -> Image) -> ImageError? {
        do {
            let image = try body()
            Issue.record("expected an ImageError, got a \(image.size) image")
        } catch let error as ImageError {
            return error
        } catch {
            Issue.record("expected an ImageError, got \(error)")
        }
        return nil
    }

    // MARK: JPEG parity with cv2.imread

    @Test(arguments: jpegNames)
    func jpegDecodesToOpenCVImreadBytes(name: String) throws {
        let entry = try Self.jpegEntry(name)
        let image = try Image.load(contentsOf: Fixtures.url("jpeg/\(name)"))
        #expect(image.width == entry["width"] as? Int)
        #expect(image.height == entry["height"] as? Int)
        #expect(SHA256.hex(image.pixels) == entry["sha256_of_decoded_bytes"] as? String)
        var sums = [0, 0, 0]
        for i in 0..<image.pixels.count { sums[i % 3] += Int(image.pixels[i]) }
        #expect(sums == entry["sum_bgr"] as? [Int])
        let reference = try Image.load(contentsOf: Fixtures.url("jpeg/\(name).decoded.png"))
        #expect(image == reference)
    }

    @Test func fastUpsamplingOrFastIDCTWouldBreakParity() throws {
        // Why the decoder runs with flags 0 (ISLOW IDCT, fancy upsampling): the fast variants
        // move pixels by several levels. (TJFLAG_ACCURATEDCT gives the same bytes as 0.)
        let name = "Crossing_0001.jpg"
        let data = try Fixtures.data("jpeg/\(name)")
        let reference = try Image.load(contentsOf: Fixtures.url("jpeg/\(name).decoded.png"))
        // 4096 = TJFLAG_ACCURATEDCT, 256 = TJFLAG_FASTUPSAMPLE, 2048 = TJFLAG_FASTDCT.
        for (flags, same) in [(Int32(0), true), (4096, true), (256, false), (2048, false)] {
            let image = try data.withUnsafeBytes { try JPEGCodec.decode($0, source: name, strict: true, flags: flags) }
            #expect((image == reference) == same, "flags \(flags)")
        }
    }

    @Test func decodedPNGFixturesMatchTheirRecordedDigests() throws {
        // Checks the PNG decoder independently of the JPEG one: the stored PNGs hold cv2's pixels.
        for name in Self.jpegNames {
            let entry = try Self.jpegEntry(name)
            let reference = try Image.load(contentsOf: Fixtures.url("jpeg/\(name).decoded.png"))
            #expect(SHA256.hex(reference.pixels) == entry["sha256_of_decoded_bytes"] as? String, "\(name)")
        }
    }

    @Test func sha256HelperMatchesKnownDigests() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // MARK: channel means

    @Test func channelMeansEqualPysotChannelAverageOfFrameZero() throws {
        let frame = try Image.load(contentsOf: Fixtures.url("frames/frame_0000.png"))
        #expect(frame.size == ImageSize(width: 480, height: 360))
        // `channel_average` as pysot's tracker computed it (`tracker/*/steps.json`
        // "init.channel_average" and `models/*/io.json`, Tests/Fixtures/README.md sections 3 and
        // 6): the exact sums divided once.
        let pysot = [124.75519675925926, 130.94169560185185, 131.91252314814815]
        #expect(frame.channelMeans() == pysot)
        // frames.json records the same means (section 2); read with the package's JSON reader they
        // are exact, and the check allows one ulp (sum * (1 / n) would be one ulp low in blue).
        let json = try #require(try Fixtures.json("frames/frames.json") as? [String: Any])
        let recorded = try #require(json["init_frame_channel_average_bgr"] as? [Double])
        for (mine, theirs) in zip(frame.channelMeans(), recorded) { #expect(abs(mine - theirs) <= mine.ulp) }
    }

    // MARK: round trips

    @Test func pngRoundTripIsLossless() throws {
        let image = Self.testImage()
        let decoded = try Image.decode(try image.pngData())
        #expect(decoded == image)
        for level in [0, 9] {
            #expect(try Image.decode(try image.pngData(compressionLevel: level)) == image)
        }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("round.PNG")
        try image.write(to: url)
        #expect(try Image.load(contentsOf: url) == image)
    }

    @Test func jpegRoundTripStaysWithinAFewLevels() throws {
        let frame = try Image.load(contentsOf: Fixtures.url("frames/frame_0000.png"))
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("frame.jpeg")
        try frame.write(to: url)  // quality 95, 4:2:0
        let decoded = try Image.load(contentsOf: url)
        #expect(decoded.size == frame.size)
        var total = 0
        for i in 0..<frame.pixels.count { total += abs(Int(frame.pixels[i]) - Int(decoded.pixels[i])) }
        let meanError = Double(total) / Double(frame.pixels.count)
        #expect(meanError < 2.5, "mean |error| \(meanError)")
        for (a, b) in zip(frame.channelMeans(), decoded.channelMeans()) { #expect(abs(a - b) < 1) }
        // Lower quality gives a smaller file.
        #expect(try frame.jpegData(quality: 50).count < frame.jpegData(quality: 95).count)
    }

    @Test func jpeg444And420RoundTripsStayWithinAFewLevels() throws {
        let image = Self.testImage(width: 64, height: 48)
        func meanError(_ s: JPEGCodec.Subsampling) throws -> Double {
            let decoded = try Image.decode(try JPEGCodec.encode(image, quality: 95, subsampling: s))
            var total = 0
            for i in 0..<image.pixels.count { total += abs(Int(image.pixels[i]) - Int(decoded.pixels[i])) }
            return Double(total) / Double(image.pixels.count)
        }
        let e444 = try meanError(.s444)
        let e420 = try meanError(.s420)
        #expect(e444 < 3 && e420 < 4, "4:4:4 \(e444), 4:2:0 \(e420)")
    }

    @Test func grayscaleJpegExpandsToThreeEqualChannels() throws {
        let image = Self.testImage(width: 33, height: 17)
        let decoded = try Image.decode(try JPEGCodec.encode(image, quality: 90, subsampling: .gray))
        #expect(decoded.size == image.size)
        for i in stride(from: 0, to: decoded.pixels.count, by: 3) {
            #expect(decoded.pixels[i] == decoded.pixels[i + 1] && decoded.pixels[i] == decoded.pixels[i + 2])
        }
    }

    // MARK: PNG variants (OpenCV IMREAD_COLOR semantics)

    @Test func pngGrayIsReplicatedAndLowBitDepthsAreScaled() throws {
        let gray8 = HandMadePNG.make(width: 3, height: 1, bitDepth: 8, colorType: .gray, rows: [[0, 100, 255]])
        #expect(try Image.decode(Data(gray8)).pixels == [0, 0, 0, 100, 100, 100, 255, 255, 255])
        // 1-bit: 1 -> 255; 2-bit: 1 -> 85, 2 -> 170 (libpng's expansion, as OpenCV asks for).
        let gray1 = HandMadePNG.make(width: 3, height: 1, bitDepth: 1, colorType: .gray, rows: [[0b1010_0000]])
        #expect(try Image.decode(Data(gray1)).pixels == [255, 255, 255, 0, 0, 0, 255, 255, 255])
        let gray2 = HandMadePNG.make(width: 3, height: 1, bitDepth: 2, colorType: .gray, rows: [[0b0110_1100]])
        #expect(try Image.decode(Data(gray2)).pixels == [85, 85, 85, 170, 170, 170, 255, 255, 255])
    }

    @Test func pngAlphaAndTransparencyAreDroppedWithoutCompositing() throws {
        let rgba = HandMadePNG.make(
            width: 2, height: 1, bitDepth: 8, colorType: .rgba,
            rows: [[10, 20, 30, 0, 40, 50, 60, 128]])
        #expect(try Image.decode(Data(rgba)).pixels == [30, 20, 10, 60, 50, 40])
        let grayAlpha = HandMadePNG.make(width: 1, height: 1, bitDepth: 8, colorType: .grayAlpha, rows: [[77, 0]])
        #expect(try Image.decode(Data(grayAlpha)).pixels == [77, 77, 77])
        let palette = HandMadePNG.make(
            width: 3, height: 1, bitDepth: 8, colorType: .palette, rows: [[2, 0, 1]],
            palette: [255, 0, 0, 0, 255, 0, 1, 2, 3], transparency: [0, 128, 255])
        #expect(try Image.decode(Data(palette)).pixels == [3, 2, 1, 0, 0, 255, 0, 255, 0])
    }

    @Test func png16BitKeepsTheHighByte() throws {
        // RGB 16-bit: R = 0x12FF, G = 0xAB01, B = 0x0080 -> BGR (0x00, 0xAB, 0x12).
        let rgb16 = HandMadePNG.make(
            width: 1, height: 1, bitDepth: 16, colorType: .rgb,
            rows: [[0x12, 0xFF, 0xAB, 0x01, 0x00, 0x80]])
        #expect(try Image.decode(Data(rgb16)).pixels == [0x00, 0xAB, 0x12])
    }

    // MARK: EXIF orientation

    /// Inserts an APP1 Exif segment holding orientation `value` right after SOI.
    static func withOrientation(_ jpeg: Data, _ value: UInt16, bigEndian: Bool) -> Data {
        var tiff: [UInt8] = bigEndian ? [0x4D, 0x4D, 0, 42, 0, 0, 0, 8] : [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        tiff += u16(1)  // one IFD entry
        tiff += u16(0x0112) + u16(3) + (bigEndian ? [0, 0, 0, 1] : [1, 0, 0, 0]) + u16(value) + [0, 0]
        tiff += [0, 0, 0, 0]  // no next IFD
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        var out = Data(jpeg.prefix(2))
        out += [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        out += jpeg.dropFirst(2)
        return out
    }

    @Test(arguments: [(UInt16(1), false), (2, false), (3, true), (4, false), (5, true), (6, false), (7, false), (8, true)])
    func exifOrientationIsAppliedLikeImread(value: UInt16, bigEndian: Bool) throws {
        let plain = try Self.testImage(width: 20, height: 12).jpegData()
        let base = try Image.decode(plain)
        let rotated = try Image.decode(Self.withOrientation(plain, value, bigEndian: bigEndian))
        // OpenCV's ExifTransform: 2 flipH, 3 flip both, 4 flipV, 5 transpose, 6 transpose+flipH,
        // 7 transpose+flip both, 8 transpose+flipV.
        let transposes = value >= 5
        #expect(rotated.size == (transposes ? ImageSize(width: base.height, height: base.width) : base.size))
        let flipH = [2, 3, 6, 7].contains(value)
        let flipV = [3, 4, 7, 8].contains(value)
        for y in 0..<rotated.height {
            for x in 0..<rotated.width {
                var sx = flipH ? rotated.width - 1 - x : x
                var sy = flipV ? rotated.height - 1 - y : y
                if transposes { swap(&sx, &sy) }
                #expect(rotated[x, y] == base[sx, sy])
            }
        }
    }

    // MARK: errors

    @Test func missingFileIsFileNotFound() {
        let url = URL(fileURLWithPath: "/nonexistent/frame.jpg")
        Self.expectImageError(.fileNotFound(path: "/nonexistent/frame.jpg")) { try Image.load(contentsOf: url) }
        #expect(ImageError.fileNotFound(path: "/x.jpg").description == "no such image file: /x.jpg")
    }

    @Test func folderIsUnreadable() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.expectImageError(.unreadable(path: dir.path, reason: "it is a folder, not a file")) {
            try Image.load(contentsOf: dir)
        }
    }

    @Test func emptyAndGarbageFilesAreNotImages() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        Self.expectImageError(.notAnImage(source: empty.path, firstBytes: [])) { try Image.load(contentsOf: empty) }
        let text = dir.appendingPathComponent("notes.png")
        try Data("hello, world".utf8).write(to: text)
        Self.expectImageError(.notAnImage(source: text.path, firstBytes: Array("hello, w".utf8))) {
            try Image.load(contentsOf: text)
        }
        #expect(
            ImageError.notAnImage(source: "a.png", firstBytes: Array("hello, w".utf8)).description
                == "a.png is not an image: it starts with bytes 68 65 6c 6c 6f 2c 20 77, which is neither a JPEG nor a PNG signature")
        #expect(ImageError.notAnImage(source: "a.png", firstBytes: []).description == "a.png is not an image: it is empty")
    }

    @Test func otherImageFormatsAreUnsupported() {
        let bmp = Data([0x42, 0x4D, 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0])
        Self.expectImageError(.unsupportedFormat(source: "<memory>", format: "BMP")) { try Image.decode(bmp) }
        Self.expectImageError(.unsupportedFormat(source: "<memory>", format: "GIF")) { try Image.decode(Data("GIF89a\u{1}\u{0}".utf8)) }
        let webp = Data("RIFF".utf8) + Data([0, 0, 0, 0]) + Data("WEBPVP8 ".utf8)
        Self.expectImageError(.unsupportedFormat(source: "<memory>", format: "WebP")) { try Image.decode(webp) }
    }

    @Test func truncatedJpegHeaderIsCorrupt() throws {
        let jpeg = try Fixtures.data("jpeg/Crossing_0001.jpg")
        for cut in [3, 20, 200] {
            let error = Self.imageError { try Image.decode(jpeg.prefix(cut)) }
            guard case .corrupt(let source, let format, let reason)? = error else {
                Issue.record("cut at \(cut): \(String(describing: error))")
                continue
            }
            #expect(source == "<memory>" && format == "JPEG" && !reason.isEmpty)
        }
    }

    @Test func jpegCutInsideTheScanDecodesLikeImreadUnlessStrict() throws {
        let jpeg = try Fixtures.data("jpeg/Crossing_0001.jpg")
        let cut = jpeg.prefix(jpeg.count / 2)
        // cv2.imread returns such a file with a warning, the missing blocks grey; so do we.
        let lenient = try Image.decode(cut)
        #expect(lenient.size == ImageSize(width: 360, height: 240))
        #expect(lenient[359, 239] == Image.Color(b: 128, g: 128, r: 128))
        let full = try Image.decode(jpeg)
        #expect(lenient[0, 0] == full[0, 0])
        let error = Self.imageError { try Image.decode(cut, strict: true) }
        guard case .corrupt(_, "JPEG", let reason)? = error else {
            Issue.record("strict: \(String(describing: error))")
            return
        }
        #expect(reason.contains("Premature end"))
    }

    @Test func truncatedPngIsCorrupt() throws {
        let png = try Fixtures.data("frames/frame_0001.png")
        for cut in [8, 30, 1000, png.count - 13] {
            let error = Self.imageError { try Image.decode(png.prefix(cut)) }
            guard case .corrupt("<memory>", "PNG", let reason)? = error else {
                Issue.record("cut at \(cut): \(String(describing: error))")
                continue
            }
            #expect(!reason.isEmpty)
        }
        let error = Self.imageError { try Image.decode(png.prefix(png.count / 2)) }
        #expect(error?.description.hasPrefix("<memory> is a truncated or corrupt PNG file: ") == true)
    }

    @Test func pngWithBadChecksumIsCorrupt() throws {
        var png = HandMadePNG.make(width: 2, height: 2, bitDepth: 8, colorType: .gray, rows: [[1, 2], [3, 4]])
        png[png.count - 20] ^= 0xFF  // inside the IDAT data: its CRC no longer matches
        let error = Self.imageError { try Image.decode(Data(png)) }
        guard case .corrupt(_, "PNG", _)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    @Test func hugeDeclaredSizesAreRejectedBeforeAllocating() throws {
        var png = HandMadePNG.make(width: 2, height: 2, bitDepth: 8, colorType: .gray, rows: [[1, 2], [3, 4]])
        let ihdr = HandMadePNG.chunk("IHDR", HandMadePNG.be32(100_000) + HandMadePNG.be32(20_000) + [8, 0, 0, 0, 0])
        png.replaceSubrange(8..<(8 + 25), with: ihdr)
        Self.expectImageError(.tooLarge(source: "<memory>", width: 100_000, height: 20_000)) { try Image.decode(Data(png)) }

        var jpeg = [UInt8](try Fixtures.data("jpeg/Crossing_0001.jpg"))
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])  // height, width = 60000
        Self.expectImageError(.tooLarge(source: "<memory>", width: 60000, height: 60000)) { try Image.decode(Data(jpeg)) }
    }

    @Test func randomlyDamagedFilesNeverCrash() throws {
        var state: UInt64 = 12345
        func random(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let originals = [
            try Fixtures.data("jpeg/Girl_0001.jpg"),
            try Image.decode(try Fixtures.data("jpeg/Girl_0001.jpg")).pngData()
        ]
        var decoded = 0
        var rejected = 0
        for original in originals {
            for _ in 0..<150 {
                var bytes = [UInt8](original)
                for _ in 0..<(1 + random(8)) {
                    let at = 3 + random(bytes.count - 3)  // keep the signature so a decoder runs
                    bytes[at] = UInt8(random(256))
                }
                if random(4) == 0 { bytes.removeLast(random(bytes.count - 8)) }
                do {
                    let image = try Image.decode(Data(bytes))
                    #expect(image.pixels.count == image.width * image.height * 3)
                    decoded += 1
                } catch is ImageError {
                    rejected += 1
                }
            }
        }
        #expect(decoded + rejected == 300)
    }

    @Test func writeNeedsAKnownExtensionAndAnExistingFolder() throws {
        let image = Self.testImage(width: 4, height: 4)
        do {
            try image.write(to: URL(fileURLWithPath: "/tmp/out.bmp"))
            Issue.record("expected unsupportedExtension")
        } catch let error as ImageError {
            #expect(error == .unsupportedExtension(path: "/tmp/out.bmp"))
        }
        do {
            try image.write(to: URL(fileURLWithPath: "/nonexistent-folder/out.png"))
            Issue.record("expected writeFailed")
        } catch let error as ImageError {
            guard case .writeFailed(let path, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(path == "/nonexistent-folder/out.png")
        }
        #expect(throws: ImageError.encodingFailed(format: "JPEG", reason: "quality must be in 1...100, got 0")) {
            try image.jpegData(quality: 0)
        }
    }

    @Test func loadChoosesTheDecoderByContentNotByName() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = Self.testImage(width: 9, height: 5)
        let misnamed = dir.appendingPathComponent("really-a-png.jpg")
        try image.pngData().write(to: misnamed)
        #expect(try Image.load(contentsOf: misnamed) == image)
    }

    // MARK: pixels and drawing

    @Test func pixelAccessIsBGRRowMajor() {
        var image = Image(width: 4, height: 3, color: Image.Color(b: 1, g: 2, r: 3))
        #expect(image.pixels.count == 36 && image.pixels[0...2] == [1, 2, 3])
        image[2, 1] = .red
        #expect(Array(image.pixels[((1 * 4 + 2) * 3)..<((1 * 4 + 2) * 3 + 3)]) == [0, 0, 255])
        #expect(image[2, 1] == .red && image[1, 2] == Image.Color(b: 1, g: 2, r: 3))
        #expect(image.contains(x: 3, y: 2) && !image.contains(x: 4, y: 0) && !image.contains(x: 0, y: -1))
    }

    @Test func rectangleOutlineHasTheRequestedThicknessAndIsClipped() {
        var image = Image(width: 40, height: 30)
        image.drawRectangle(x: 10, y: 5, width: 20, height: 10, color: .green, thickness: 3)
        // Edges at x = 10 and 30, y = 5 and 15, each covering edge-1...edge+1.
        for x in [9, 10, 11, 29, 30, 31] { #expect(image[x, 10] == .green, "x \(x)") }
        for y in [4, 5, 6, 14, 15, 16] { #expect(image[20, y] == .green, "y \(y)") }
        for (x, y) in [(8, 10), (12, 10), (28, 10), (32, 10), (20, 3), (20, 7), (20, 13), (20, 17)] {
            #expect(image[x, y] == .black, "(\(x), \(y))")
        }
        #expect(image[9, 4] == .green && image[31, 16] == .green)  // corners are filled
        // Partly and wholly outside: clipped, no trap.
        image.drawRectangle(x: -5, y: -5, width: 100, height: 100, color: .red, thickness: 1)
        image.drawRectangle(x: 500, y: 500, width: 10, height: 10, color: .red, thickness: 7)
        #expect(image[0, 20] == .black && image[20, 0] == .black)
        var one = Image(width: 10, height: 10)
        one.drawRectangle(x: 2, y: 2, width: 5, height: 5, color: .white, thickness: 1)
        let lit = stride(from: 0, to: one.pixels.count, by: 3).filter { one.pixels[$0] == 255 }.count
        #expect(lit == 4 * 5)  // a 6x6 ring
    }

    @Test func textIsDrawnInsideItsMeasuredBox() {
        var image = Image(width: 200, height: 40)
        let text = "frame 12 score 0.98 #3 a/b:"
        let size = Image.textSize(text, scale: 1)
        #expect(size == ImageSize(width: text.count * 6 - 1, height: 7))
        image.drawText(text, x: 2, y: 3, color: .yellow, scale: 1)
        var inkXs: [Int] = []
        var inkYs: [Int] = []
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] != .black {
                #expect(image[x, y] == .yellow)
                inkXs.append(x)
                inkYs.append(y)
            }
        }
        #expect(inkXs.min() == 2 && inkYs.min() == 3)
        #expect(inkXs.max()! <= 2 + size.width - 1 && inkYs.max()! <= 3 + size.height - 1)
        // The glyph for "1" at scale 1: its stem is column 2 of the cell.
        let one = BitmapFont.glyph(for: "1")
        #expect(one.count == 7 && one.allSatisfy { $0 & 0b00100 != 0 })
        #expect(BitmapFont.glyph(for: "a") == BitmapFont.glyph(for: "A"))
        #expect(BitmapFont.glyph(for: "€") == BitmapFont.glyph(for: "?"))
    }

    @Test func textWithBackgroundAndScaleIsClipped() {
        var image = Image(width: 50, height: 20, color: .white)
        image.drawText("SCORE 0.98", x: 30, y: 10, color: .red, scale: 3, background: .black)
        #expect(image[29, 9] == .black)  // background margin starts one scale unit before
        #expect(image[0, 0] == .white)
        let red = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0 + 2] == 255 && image.pixels[$0] == 0 }
        #expect(!red.isEmpty)
    }
}
