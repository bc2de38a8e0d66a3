/// Max pooling with PyTorch `nn.MaxPool2d` semantics: floor-mode output size, padding never wins
/// (implicit -inf). Input and output are `C x H x W` / `C x OH x OW`.
func maxPool2D(
    input: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
    kernel: Int, stride: Int, padding: Int, output: UnsafeMutablePointer<Float>
) {
    parallelChunks(
        channels,
        minChunk: minimumChunk(
            workPerItem: ((h + 2 * padding - kernel) / stride + 1) * ((w + 2 * padding - kernel) / stride + 1) * kernel * kernel, atLeast: 8),
        MaxPoolChannels(input: input, h: h, w: w, kernel: kernel, stride: stride, padding: padding, output: output))
}

/// Copies the centre `size x size` window (origin `(W - size) / 2` on both axes, as pysot's
/// AdjustLayer uses the width for both) of every channel, or the whole map when sizes agree.
func centerCrop(input: UnsafePointer<Float>, channels c: Int, h: Int, w: Int, size: Int, output: UnsafeMutablePointer<Float>) {
    if size == w && size == h {
        output.update(from: input, count: c * h * w)
        return
    }
    let l = (w - size) / 2
    for ch in 0..<c {
        for y in 0..<size {
            (output + (ch * size + y) * size).update(from: input + (ch * h + l + y) * w + l, count: size)
        }
    }
}

/// `maxPool2D` on a range of channels.
private struct MaxPoolChannels: ChunkedWork {
    let input: UnsafePointer<Float>
    let h: Int, w: Int, kernel: Int, stride: Int, padding: Int
    let output: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        let oh = (h + 2 * padding - kernel) / stride + 1
        let ow = (w + 2 * padding - kernel) / stride + 1
        for c in range {
            let src = input + c * h * w
            let dst = output + c * oh * ow
            for oy in 0..<oh {
                let y0 = max(oy * stride - padding, 0)
                let y1 = min(oy * stride - padding + kernel, h)
                for ox in 0..<ow {
                    let x0 = max(ox * stride - padding, 0)
                    let x1 = min(ox * stride - padding + kernel, w)
                    var m = -Float.infinity
                    for y in y0..<y1 {
                        for x in x0..<x1 { m = max(m, src[y * w + x]) }
                    }
                    dst[oy * ow + ox] = m
                }
            }
        }
    }
}
