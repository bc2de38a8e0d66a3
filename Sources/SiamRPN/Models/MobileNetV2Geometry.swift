// Mirrors pysot/models/backbone/mobile_v2.py: MobileNetV2.__init__'s layer and block construction
/// The shapes of pysot's MobileNetV2 variant, shared by the inference network (`MobileNetV2`)
/// and the training one (`MobileNetV2Training` in SiamTrain).
///
/// `layer0`: 3x3/2 conv without padding to `int(32 w)` channels. `layer1`...`layer7`: one layer of
/// inverted residual blocks per (t, c, n, s, d) setting, output channels `int(c * w)` (Python
/// truncation); block `i` of a layer has stride `s` for `i = 0`, else 1; the first block of a
/// layer takes dilation `d` when `d` equals the previous layer's, else `max(d / 2, 1)`, the
/// others `d`; its depth-wise padding is the dilation when above 1, else `2 - stride`; the input
/// is added when the stride is 1 and the channels stay.
package enum MobileNetV2Geometry {
    /// pysot's `interverted_residual_setting` (the second, dilated table that it uses).
    package static let settings: [(t: Int, c: Int, n: Int, s: Int, d: Int)] = [
        (1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2),
        (6, 96, 3, 1, 2), (6, 160, 3, 1, 4), (6, 320, 1, 1, 4)
    ]

    /// One `InvertedResidual(inp, oup, stride, expand_ratio, dilation)`.
    package struct Block: Sendable, Equatable {
        package var input: Int, hidden: Int, output: Int
        package var stride: Int, padding: Int, dilation: Int
        package var residual: Bool
    }

    /// `layer0`'s output channels.
    package static func stemChannels(widthMult: Double) -> Int { Int(32 * widthMult) }

    /// Channels of outputs 0...7.
    package static func channels(widthMult: Double) -> [Int] {
        [stemChannels(widthMult: widthMult)] + settings.map { Int(Double($0.c) * widthMult) }
    }

    /// The blocks of `layer1`...`layer7`.
    package static func layers(widthMult: Double) -> [[Block]] {
        var input = stemChannels(widthMult: widthMult)
        var lastDilation = 1
        return settings.map { s in
            let output = Int(Double(s.c) * widthMult)
            let blocks = (0..<s.n).map { i in
                let stride = i == 0 ? s.s : 1
                let dilation = i == 0 && s.d != lastDilation ? max(s.d / 2, 1) : s.d
                let block = Block(
                    input: input, hidden: input * s.t, output: output, stride: stride, padding: dilation > 1 ? dilation : 2 - stride,
                    dilation: dilation, residual: stride == 1 && input == output)
                input = output
                return block
            }
            lastDilation = s.d
            return blocks
        }
    }
}
