/// Kernels that work per channel on `C x H x W` buffers (batch 1): squeeze-excitation /
/// channel attention gates (with the small fully connected layers they use), window crops and
/// stand-alone activations. Channel concatenation needs no kernel: `Workspace.run` copies the
/// inputs one after the other.

/// Sum of `count` floats (eight SIMD lanes, then the tail).
@inline(__always)
func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < count {
        s += p[i]
        i += 1
    }
    return s
}

/// `y = layer(x)` for a 1x1 convolution on a 1x1 map (a fully connected layer), with its activation.
@inline(__always)
func fullyConnected(_ layer: Conv2D, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>) {
    let n = layer.inChannels
    layer.weight.withUnsafeBufferPointer { w in
        layer.bias.withUnsafeBufferPointer { b in
            for o in 0..<layer.outChannels {
                let row = w.baseAddress! + o * n
                var acc = b[o]
                for i in 0..<n { acc += row[i] * x[i] }
                y[o] = acc
            }
        }
    }
    layer.activation.apply(y, count: layer.outChannels)
}

/// Squeeze-excitation / channel attention: `output[c] = act(input[c] * g[c])` with
/// `g = expand(reduce(mean over the plane of input))`. `scratch` holds `2C + R` floats.
func channelGate(
    input: UnsafePointer<Float>, channels: Int, plane: Int, reduce: Conv2D, expand: Conv2D,
    activation: Activation, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    let mean = scratch
    let hidden = scratch + channels
    let gate = scratch + channels + reduce.outChannels
    let minChunk = minimumChunk(workPerItem: plane)
    parallelChunks(channels, minChunk: minChunk, ChannelMeans(input: input, plane: plane, means: mean))
    fullyConnected(reduce, input: mean, output: hidden)
    fullyConnected(expand, input: hidden, output: gate)
    parallelChunks(channels, minChunk: minChunk, GatedChannels(input: input, plane: plane, gate: gate, activation: activation, output: output))
}

/// `means[c] = mean of input[c]` (`plane` values each) on a range of channels.
private struct ChannelMeans: ChunkedWork {
    let input: UnsafePointer<Float>
    let plane: Int
    let means: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        let scale = 1 / Float(plane)
        for c in range { means[c] = sum(input + c * plane, count: plane) * scale }
    }
}

/// `output[c] = activation(input[c] * gate[c])` on a range of channels.
private struct GatedChannels: ChunkedWork {
    let input: UnsafePointer<Float>
    let plane: Int
    let gate: UnsafePointer<Float>
    let activation: Activation
    let output: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        for c in range {
            let src = input + c * plane
            let dst = output + c * plane
            let g = gate[c]
            for i in 0..<plane { dst[i] = src[i] * g }
            activation.apply(dst, count: plane)
        }
    }
}

/// The window `[top, top + h) x [left, left + w)` of every channel of a `C x H x W` input.
func cropWindow(
    input: UnsafePointer<Float>, channels: Int, h: Int, w: Int, top: Int, left: Int,
    height: Int, width: Int, output: UnsafeMutablePointer<Float>
) {
    for c in 0..<channels {
        for y in 0..<height {
            (output + (c * height + y) * width).update(from: input + (c * h + top + y) * w + left, count: width)
        }
    }
}

/// `output = act(input)` over `count` values.
func activate(_ activation: Activation, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
    output.update(from: input, count: count)
    activation.apply(output, count: count)
}

/// `output += weight * input` over `count` values (the weighted sum of MultiRPN's levels).
func accumulate(_ weight: Float, _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int) {
    for e in 0..<count { output[e] += weight * input[e] }
}

/// Copies one input of a channel concatenation to its place in the output.
func concatenate(_ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
    output.update(from: input, count: count)
}
