import Foundation
import SiamRPN
import SiamTrain
import Testing

/// pysot's training_dataset/vid/par_crop.py on OTB Dog frames 1, 50, 100 (fixture section 4).
@Suite struct CropLikeSiamFCTests {
    @Test func parCropsCropsOfDogEqualPysotsArraysBitForBit() throws {
        let info = try TrainFixtures.json("par_crop/par_crop.json")
        let frames = try #require(info["frames"]?.arrayValue)
        #expect(frames.count == 3)
        for f in frames {
            let n = f["otb_frame"]!.int
            let image = try Image.load(contentsOf: TrainFixtures.dogFrame(n))
            let sum = image.pixels.reduce(0) { $0 + Int($1) }
            #expect(sum == f["frame_checksum"]!["sum"]!.int, "Dog frame \(n) is not the frame the fixture was made from")
            // np.mean(im, axis=(0, 1)): the padding par_crop passes.
            let avg = image.channelMeans()
            #expect(avg == f["avg_chans_padding"]!.doubles)
            let xml = f["xml_bndbox_xmin_ymin_xmax_ymax"]!.doubles
            let box = Corner(xml[0], xml[1], xml[2], xml[3])
            let crops = cropLikeSiamFC(image, box: box, instanceSize: 511, padding: avg)
            let g = crops.geometry
            #expect([g.targetPosition.x, g.targetPosition.y] == f["target_pos"]!.doubles)
            #expect(close([g.sZ, g.scaleZ, g.sX], [f["s_z"]!.double, f["scale_z"]!.double, f["s_x"]!.double], relative: 1e-12))
            let geometry = f["geometry"]!
            #expect(close(g.exemplarBox.values, geometry["z"]!["crop_box_x1y1x2y2"]!.doubles, relative: 1e-12))
            #expect(close(g.instanceBox.values, geometry["x"]!["crop_box_x1y1x2y2"]!.doubles, relative: 1e-12))
            let mz = cropMatrix(box: g.exemplarBox, outSize: 127)
            #expect(close([mz[0], mz[4], mz[2], mz[5]], geometry["z"]!["affine_a_b_c_d"]!.doubles, relative: 1e-12))
            // The crops cv2.warpAffine made (lossless PNG copies of the arrays handed to cv2.imwrite): exact.
            let z = try TrainFixtures.image("par_crop/\(f["z_png"]!.stringValue!)")
            let x = try TrainFixtures.image("par_crop/\(f["x_png"]!.stringValue!)")
            let dz = difference(crops.z, z)
            let dx = difference(crops.x, x)
            #expect(dz.count == 0, "z crop of frame \(n): \(dz.count) values differ, up to \(dz.max)")
            #expect(dx.count == 0, "x crop of frame \(n): \(dx.count) values differ, up to \(dx.max)")
        }
    }

    @Test func warpAffineRoundsTheBorderValueAsOpenCVDoes() throws {
        // Frame 1's mean is [146.92, 153.31, 167.50]; OpenCV pads with rint(avg) = [147, 153, 168]
        // (fixture `border_value_as_cv2_uses_it`): the x crop's corner pixel is pure padding.
        let info = try TrainFixtures.json("par_crop/par_crop.json")
        let f = try #require(info["frames"]?.arrayValue?.first)
        let image = try Image.load(contentsOf: TrainFixtures.dogFrame(1))
        let xml = f["xml_bndbox_xmin_ymin_xmax_ymax"]!.doubles
        let x = cropLikeSiamFC(image, box: Corner(xml[0], xml[1], xml[2], xml[3]), padding: image.channelMeans()).x
        #expect(x[0, 0] == Image.Color(b: 147, g: 153, r: 168))
        #expect(f["border_value_as_cv2_uses_it"]!.doubles == [147, 153, 168])
    }
}
