import Foundation
import SiamNN
import SiamRPN
import SiamTrain
import Testing

/// pysot's `CropAugmentation` with the fixture's recorded draws (fixture section 5; tolerances of
/// section 6: uint8 crops exact, float32 outputs exact except after a blur, <= 1e-4).
@Suite struct AugmentationTests {
    static func draws(_ list: JSONValue?) -> [RecordedDraw] {
        (list?.arrayValue ?? []).map { d in
            let kind = d.arrayValue?[0].stringValue ?? ""
            let v = d.arrayValue?[1]
            switch kind {
            case "random": return .random(v?.double ?? .nan)
            case "randn": return .randn(v?.doubles ?? [])
            default: return .choice(v?.int ?? -1)
            }
        }
    }

    static func augmentation(_ a: JSONValue?) -> CropAugmentation {
        CropAugmentation(
            shift: a?["shift"]?.double ?? .nan, scale: a?["scale"]?.double ?? .nan, blur: a?["blur"]?.double ?? .nan,
            flip: a?["flip"]?.double ?? .nan, color: a?["color"]?.double ?? .nan)
    }

    static func floats(_ path: String) throws -> [Double] { try TrainFixtures.npy(path).doubles() }

    @Test func shiftAndScaleGeometryOfEveryCaseEqualsPysots() throws {
        let json = try TrainFixtures.json("augmentation/augmentation.json")
        let geometry = try #require(json["geometry"])
        let image = try TrainFixtures.image("par_crop/000049.00.x.png")
        let box = cropBox(imageWidth: image.width, imageHeight: image.height, shape: geometry["input"]!["train_json_box_x1y1x2y2"]!.doubles)
        #expect(close(box.values, geometry["input"]!["bbox_from_get_bbox"]!.doubles, relative: 1e-12))
        let cases = try #require(geometry["cases"]?.arrayValue)
        #expect(cases.count == 8)
        for c in cases {
            let name = c["name"]!.stringValue!
            var random = RecordedDraws(Self.draws(c["random_draws"]))
            let out = Self.augmentation(c["augmentation"])(image, box: box, size: c["out_size"]!.int, random: &random)
            #expect(random.mismatches.isEmpty && random.isExhausted, "\(name): \(random.mismatches)")
            #expect(
                close(
                    [out.scaleBeforeClamp.x, out.scaleBeforeClamp.y], [c["scale_x_before_clamp"]!.double, c["scale_y_before_clamp"]!.double],
                    relative: 1e-12))
            #expect(close(out.cropBox.values, c["crop_bbox_passed_to_crop_roi"]!.doubles, relative: 1e-12), "\(name)")
            let m = cropMatrix(box: out.cropBox, outSize: c["out_size"]!.int)
            let expected = (c["affine_matrix"]!.arrayValue ?? []).flatMap(\.doubles)
            #expect(close(m, expected, relative: 1e-12), "\(name)")
            #expect(close(out.box.values, c["bbox_out_x1y1x2y2"]!.doubles, relative: 1e-12), "\(name)")
            let reference = try TrainFixtures.npy("augmentation/\(c["output"]!.stringValue!)").doubles()
            #expect(out.image.isUInt8)
            let d = difference(out.image.values, reference)
            #expect(d.count == 0, "\(name): \(d.count) values differ, up to \(d.max)")
        }
    }

    @Test func colourSubtractsThePCAOffsetInFloat64WithoutClipping() throws {
        let json = try TrainFixtures.json("augmentation/augmentation.json")
        let color = try #require(json["photometric"]?["color"])
        let rgbVar = (color["rgbVar_float32"]?.arrayValue ?? []).map(\.doubles)
        #expect(rgbVar == PhotometricAugmentation.rgbVar)
        let base = TrainingImage(try TrainFixtures.npyImage("augmentation/geom_5_template_typical.npy"))
        for (i, c) in (color["cases"]?.arrayValue ?? []).enumerated() {
            let randn = c["randn"]!.doubles
            #expect(close(PhotometricAugmentation.colorOffset(randn: randn), c["offset_subtracted_bgr"]!.doubles, relative: 1e-12))
            let out = PhotometricAugmentation.color(base, randn: randn)
            let ck = c["output_f64_checksum"]!
            #expect(
                close(
                    [out.values.reduce(0, +), out.values.min()!, out.values.max()!], [ck["sum"]!.double, ck["min"]!.double, ck["max"]!.double],
                    relative: 1e-12), "case \(i)")
            let samples = ck["sample_idx"]!.doubles.map { out.values[Int($0)] }
            #expect(close(samples, ck["samples"]!.doubles, relative: 1e-12), "case \(i)")
            if let file = c["output"]?.stringValue {
                // Stored as float32 (the dataset's .astype(np.float32)): exact.
                let d = difference(out.values.map { Double(Float($0)) }, try Self.floats("augmentation/\(file)"))
                #expect(d.count == 0, "\(file): \(d.count) values differ, up to \(d.max)")
            }
        }
    }

    @Test func blurIsOpenCVsFilter2DOfTheCrossKernelWithReflect101Borders() throws {
        let json = try TrainFixtures.json("augmentation/augmentation.json")
        let blur = try #require(json["photometric"]?["blur"])
        let base = TrainingImage(try TrainFixtures.npyImage("augmentation/geom_5_template_typical.npy"))
        let colored = PhotometricAugmentation.color(base, randn: [0.5, -1.2, 2.0])
        for c in blur["cases"]?.arrayValue ?? [] {
            let k = c["kernel_size"]!.int
            let out = PhotometricAugmentation.blur(colored, size: k, wx: c["wx"]!.double)
            let ck = c["output_f64_checksum"]!
            // float64 against OpenCV's float64 (a DFT for k >= 9): measured <= 1.8e-12 apart.
            let samples = ck["sample_idx"]!.doubles.map { out.values[Int($0)] }
            #expect(
                close(
                    samples + [out.values.min()!, out.values.max()!], ck["samples"]!.doubles + [ck["min"]!.double, ck["max"]!.double], relative: 1e-9),
                "k\(k)")
            #expect(abs(out.values.reduce(0, +) - ck["sum"]!.double) <= 1e-9 * Double(out.values.count), "k\(k)")
            if let file = c["output"]?.stringValue, file == "blur_0_k5.npy" {
                let d = difference(out.values.map { Double(Float($0)) }, try Self.floats("augmentation/\(file)"))
                #expect(d.max <= 1e-4, "\(file): up to \(d.max)")
            }
        }
        // The uint8 case (not reached in training): exact on this image.
        let u8 = blur["uint8_case"]!
        let out = PhotometricAugmentation.blur(base, size: u8["kernel_size"]!.int, wx: u8["wx"]!.double)
        let d = difference(out.values, try Self.floats("augmentation/blur_u8_k7.npy"))
        #expect(d.count == 0, "uint8 blur: \(d.count) values differ, up to \(d.max)")
    }

    @Test func grayIsOpenCVsFixedPointBGR2GRAYAndFlipMirrorsImageAndBox() throws {
        let json = try TrainFixtures.json("augmentation/augmentation.json")
        let image = try TrainFixtures.npyImage("augmentation/geom_1_search_typical.npy")
        let gray = PhotometricAugmentation.gray(image)
        let reference = try Self.floats("augmentation/gray_of_geom_1.npy")
        let channels = (0..<3).map { c in stride(from: c, to: gray.pixels.count, by: 3).map { Double(gray.pixels[$0]) } }
        for c in 0..<3 { #expect(difference(channels[c], reference).count == 0) }
        let flip = try #require(json["photometric"]?["flip"])
        let b = flip["bbox_in"]!.doubles
        let (flipped, box) = PhotometricAugmentation.flip(TrainingImage(image), box: Corner(b[0], b[1], b[2], b[3]))
        #expect(close(box.values, flip["bbox_out"]!.doubles, relative: 1e-12))
        #expect(flipped.values[0..<3] == TrainingImage(image).values[(254 * 3)..<(255 * 3)])
    }

    @Test func fullItemOfTheEightGPUConfigEqualsTrkDatasetsOutput() throws {
        let json = try TrainFixtures.json("augmentation/augmentation.json")
        let item = try #require(json["full_item"])
        let pipeline = PairPipeline(
            exemplarSize: 127, searchSize: 255,
            template: CropAugmentation(shift: 4, scale: 0.05, blur: 0, flip: 0, color: 1.0),
            search: CropAugmentation(shift: 64, scale: 0.18, blur: 0.2, flip: 0, color: 1.0))
        var random = RecordedDraws(Self.draws(item["template_draws"]) + Self.draws(item["search_draws"]))
        let pair = pipeline.makePair(
            templateImage: try TrainFixtures.image("par_crop/000000.00.x.png"), templateShape: item["template_box_in_frame"]!.doubles,
            searchImage: try TrainFixtures.image("par_crop/000099.00.x.png"), searchShape: item["search_box_in_frame"]!.doubles,
            gray: false, random: &random)
        #expect(random.mismatches.isEmpty && random.isExhausted, "\(random.mismatches)")
        #expect(close(pair.templateAugmentation.cropBox.values, item["template_crop_bbox"]!.doubles, relative: 1e-12))
        #expect(close(pair.searchAugmentation.cropBox.values, item["search_crop_bbox"]!.doubles, relative: 1e-12))
        #expect(close(pair.templateBox.values, item["template_bbox_out"]!.doubles, relative: 1e-12))
        #expect(close(pair.searchBox.values, item["search_bbox_out"]!.doubles, relative: 1e-12))
        // Template: colour, no blur -> exact; search: colour then a 13-tap blur -> <= 1e-4.
        let t = difference(pair.template.map(Double.init), try Self.floats("augmentation/item_template.npy"))
        #expect(t.count == 0, "template: \(t.count) values differ, up to \(t.max)")
        let s = difference(pair.search.map(Double.init), try Self.floats("augmentation/item_search.npy"))
        #expect(s.max <= 1e-4, "search: up to \(s.max) (\(s.count) values differ)")
    }
}
