// Winograd F(4x4, 3x3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016)
import CConvolutionKernels
import Foundation

/// A 3x3 convolution's weights in the Winograd domain, `U = G g G^T` for every output/input
/// channel pair: `36 x outChannels x inChannels` Float32, position-major (`u[(p * K + k) * C + c]`,
/// p = row * 6 + column of the 6x6 transform), so that position p is one row-major `K x C`
/// sgemm operand. Computed in Double from the Float weights and rounded once.
///
/// `G` belongs to the interpolation points 0, 1, -1, 2, -2 and infinity; the input and output
/// transforms (`B^T`, `A^T`) are in the C kernels (CConvolutionKernels/winograd.c).
final class WinogradWeights: Sendable {
    let values: [Float]

    init(_ layer: Conv2D) {
        precondition(layer.kernelH == 3 && layer.kernelW == 3 && layer.groups == 1, "Winograd F(4x4, 3x3) needs 3x3 groups-1 weights")
        let g: [[Double]] = [
            [1.0 / 4, 0, 0],
            [-1.0 / 6, -1.0 / 6, -1.0 / 6],
            [-1.0 / 6, 1.0 / 6, -1.0 / 6],
            [1.0 / 24, 1.0 / 12, 1.0 / 6],
            [1.0 / 24, -1.0 / 12, 1.0 / 6],
            [0, 0, 1]
        ]
        let k = layer.outChannels
        let c = layer.inChannels
        var u = [Float](repeating: 0, count: 36 * k * c)
        layer.weight.withUnsafeBufferPointer { w in
            for o in 0..<k {
                for i in 0..<c {
                    let f = w.baseAddress! + (o * c + i) * 9
                    // gw = G f (6 x 3), then U = gw G^T (6 x 6)
                    var gw = [Double](repeating: 0, count: 18)
                    for r in 0..<6 {
                        for j in 0..<3 {
                            gw[r * 3 + j] = g[r][0] * Double(f[j]) + g[r][1] * Double(f[3 + j]) + g[r][2] * Double(f[6 + j])
                        }
                    }
                    for r in 0..<6 {
                        for s in 0..<6 {
                            let v = gw[r * 3] * g[s][0] + gw[r * 3 + 1] * g[s][1] + gw[r * 3 + 2] * g[s][2]
                            u[((r * 6 + s) * k + o) * c + i] = Float(v)
                        }
                    }
                }
            }
        }
        values = u
    }
}

/// The transformed weights of one `Conv2D`, made at most once and shared by every graph built
/// from that layer (a model's template and search graphs share their backbone's layers).
final class WinogradWeightCache: @unchecked Sendable {
    // @unchecked Sendable: `weights` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var weights: WinogradWeights?

    func weights(of layer: Conv2D) -> WinogradWeights {
        lock.lock()
        defer { lock.unlock() }
        if let weights { return weights }
        let w = WinogradWeights(layer)
        weights = w
        return w
    }
}

/// How a Winograd convolution of one input shape and batch is cut: its tiles (those of all
/// images of a channel-major batch in one list), the tiles transformed
/// together (one block: `blockTiles`, a multiple of 16), and the scratch layout of a block:
/// `V` (`36 x C x ld` transformed inputs), `M` (`36 x K x ld` products), then the tile offsets
/// (`ld * 36` + `ld * 16` Int32), `ld` = the block's tiles rounded up to 16.
struct WinogradLayout {
    var geometry: siam_winograd_geometry
    let inChannels: Int
    let outChannels: Int
    let tiles: Int
    let blockTiles: Int
    /// Images in the batch (the tile list spans them all).
    let batch: Int

    /// Floats of `V` + `M` one block may take per image of the batch: 8 Mi floats (32 MiB). Every
    /// layer of the bundled networks fits in one block (r50's largest, layer4's 1024 -> 2048
    /// downsample, takes 7 Mi per image), so the transformed weights (up to 288 MiB there) are
    /// streamed once per run, and a batch of N images makes each of the 36 products N times
    /// wider instead of N times more frequent (OpenBLAS packs `U_p` once per call).
    static let blockBudget = 8 << 20

    /// The layout of `batch` `h` x `w` inputs; a block holds at most `blockBudget` floats of `V` +
    /// `M` (default `WinogradLayout.blockBudget` per image).
    init(_ layer: Conv2D, h: Int, w: Int, batch: Int = 1, blockBudget: Int? = nil) {
        let blockBudget = blockBudget ?? Self.blockBudget * batch
        let o = layer.outputSize(h: h, w: w)
        geometry = siam_winograd_geometry(
            in_h: Int32(h), in_w: Int32(w), out_h: Int32(o.h), out_w: Int32(o.w),
            padding: Int32(layer.padding), dilation: Int32(layer.dilation), batch: Int32(batch))
        self.batch = batch
        inChannels = layer.inChannels
        outChannels = layer.outChannels
        var g = geometry
        tiles = Int(siam_winograd_tile_count(&g))
        let lanes = Int(SIAM_WINOGRAD_LANES)
        let perTile = 36 * (inChannels + outChannels)
        let fit = max(lanes, blockBudget / perTile / lanes * lanes)
        blockTiles = min(fit, (tiles + lanes - 1) / lanes * lanes)
    }

    /// Whether Winograd does markedly fewer multiplies than the direct convolution here: 36 per
    /// tile against 9 per output, at most 0.6 of them (the tiles beyond the output's edges and
    /// the transforms are paid for by the margin), and at least 16 tiles: with fewer, the 36
    /// products are too thin (`n` < 16 columns) to run near the GEMM rate of the direct path's one
    /// product (AlexNet's template-side layers on 10x10 maps and smaller ran 2x slower). Decided
    /// per image, so a batch runs every layer by the algorithm its batch-1 plan uses.
    var pays: Bool {
        let outputs = Int(geometry.out_h) * Int(geometry.out_w)
        let imageTiles = tiles / batch
        return inChannels >= 8 && outChannels >= 8 && imageTiles >= 16 && Double(36 * imageTiles) <= 0.6 * Double(9 * outputs)
    }

    /// Blocks of one run and the tiles of block `b`.
    var blocks: Int { (tiles + blockTiles - 1) / blockTiles }
    func tiles(ofBlock b: Int) -> Int { min(blockTiles, tiles - b * blockTiles) }

    var vFloats: Int { 36 * inChannels * blockTiles }
    var mFloats: Int { 36 * outChannels * blockTiles }
    var scratchCount: Int { vFloats + mFloats + blockTiles * (36 + 16) }

    /// The sgemm calls of one run: per block, 36 of `K x tiles x C`.
    var gemms: [(m: Int, n: Int, k: Int, count: Int)] {
        let full = tiles / blockTiles
        let rest = tiles % blockTiles
        var list: [(m: Int, n: Int, k: Int, count: Int)] = []
        if full > 0 { list.append((outChannels, blockTiles, inChannels, 36 * full)) }
        if rest > 0 { list.append((outChannels, rest, inChannels, 36)) }
        return list
    }
}

extension Activation {
    /// The C kernels' code of this activation (`SIAM_ACT_*`).
    var kernelCode: Int32 {
        switch self {
        case .none: return Int32(SIAM_ACT_NONE)
        case .relu: return Int32(SIAM_ACT_RELU)
        case .relu6: return Int32(SIAM_ACT_RELU6)
        case .hardSwish: return Int32(SIAM_ACT_HARDSWISH)
        case .hardSigmoid: return Int32(SIAM_ACT_HARDSIGMOID)
        case .sigmoid: return Int32(SIAM_ACT_SIGMOID)
        case .exp: return Int32(SIAM_ACT_EXP)
        }
    }
}

extension VectorClass {
    /// The C kernels' variant for this vector unit (`SIAM_ISA_*`): AVX-512, AVX2+FMA, or portable.
    var kernelISA: Int32 {
        switch self {
        case .avx512: return Int32(SIAM_ISA_AVX512)
        case .avx2: return Int32(SIAM_ISA_AVX2)
        case .sse, .avx: return Int32(SIAM_ISA_PORTABLE)
        }
    }
}

/// `output = act(conv(input) + bias [+ residual])` by Winograd F(4x4, 3x3): per block of tiles,
/// the input transform (channels split over the threads), 36 sgemm `M_p = U_p V_p`, and the
/// output transform with the fused epilogue (output channels split over the threads).
/// `scratch` holds `layout.scratchCount` floats; `isa` picks the kernels' variant.
func convolveWinograd(
    _ layout: WinogradLayout, weights: WinogradWeights, bias: UnsafePointer<Float>, activation: Activation,
    input: UnsafePointer<Float>, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, isa: Int32
) {
    let c = layout.inChannels
    let k = layout.outChannels
    let lanes = Int(SIAM_WINOGRAD_LANES)
    // A channel's planes of all images, one after the other (the tile offsets span them).
    let inPlane = layout.batch * Int(layout.geometry.in_h) * Int(layout.geometry.in_w)
    let outPlane = layout.batch * Int(layout.geometry.out_h) * Int(layout.geometry.out_w)
    let v = scratch
    let m = scratch + layout.vFloats
    let offsets = scratch + layout.vFloats + layout.mFloats
    let act = activation.kernelCode
    var geometry = layout.geometry
    offsets.withMemoryRebound(to: Int32.self, capacity: layout.blockTiles * 52) { offsets in
        weights.values.withUnsafeBufferPointer { u in
            for block in 0..<layout.blocks {
                let count = layout.tiles(ofBlock: block)
                let ld = (count + lanes - 1) / lanes * lanes
                let groups = Int32(ld / lanes)
                let inOffsets = offsets
                let outOffsets = offsets + ld * 36
                siam_winograd_tile_offsets(&geometry, Int32(block * layout.blockTiles), Int32(ld), inOffsets, outOffsets)
                // Per channel and tile: the 6x6 input transform, ~100 operations; per output
                // channel and tile the 4x4 output transform and epilogue, about as many.
                parallelChunks(
                    c, minChunk: minimumChunk(workPerItem: 100 * count, atLeast: 8),
                    WinogradInputChannels(
                        isa: isa, input: input, inPlane: inPlane, channels: c, offsets: inOffsets, groups: groups, v: v, ld: ld))
                for p in 0..<36 {
                    sgemm(
                        m: k, n: count, k: c, a: u.baseAddress! + p * k * c, lda: c, b: v + p * c * ld, ldb: ld,
                        beta: 0, c: m + p * k * ld, ldc: ld)
                }
                parallelChunks(
                    k, minChunk: minimumChunk(workPerItem: 100 * count, atLeast: 8),
                    WinogradOutputChannels(
                        isa: isa, m: m, channels: k, ld: ld, offsets: outOffsets, groups: groups, bias: bias, residual: residual,
                        activation: act, output: output, outPlane: outPlane))
            }
        }
    }
}

/// The input transform of a range of input channels (`siam_winograd_input`).
private struct WinogradInputChannels: ChunkedWork {
    let isa: Int32
    let input: UnsafePointer<Float>
    let inPlane: Int
    let channels: Int
    let offsets: UnsafeMutablePointer<Int32>
    let groups: Int32
    let v: UnsafeMutablePointer<Float>
    let ld: Int

    func run(_ r: Range<Int>) {
        siam_winograd_input(isa, input, inPlane, Int32(r.lowerBound), Int32(r.upperBound), Int32(channels), offsets, groups, v, Int32(ld))
    }
}

/// The output transform and fused epilogue of a range of output channels (`siam_winograd_output`).
private struct WinogradOutputChannels: ChunkedWork {
    let isa: Int32
    let m: UnsafeMutablePointer<Float>
    let channels: Int
    let ld: Int
    let offsets: UnsafeMutablePointer<Int32>
    let groups: Int32
    let bias: UnsafePointer<Float>
    let residual: UnsafePointer<Float>?
    let activation: Int32
    let output: UnsafeMutablePointer<Float>
    let outPlane: Int

    func run(_ r: Range<Int>) {
        siam_winograd_output(
            isa, m, Int32(r.lowerBound), Int32(r.upperBound), Int32(channels), Int32(ld), offsets, groups, bias, residual, activation,
            output, outPlane)
    }
}
