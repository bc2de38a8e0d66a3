// Winograd F(4x4, 3x3) transforms with CPU dispatch (SiamNN/WinogradConvolution.swift).
#ifndef SIAM_WINOGRAD_H
#define SIAM_WINOGRAD_H

#include <stdint.h>

/// Tiles transformed together: one vector of 16 floats on AVX-512, two on AVX2, four on SSE/NEON.
enum { SIAM_WINOGRAD_LANES = 16 };

/// Kernel variants: `siam_winograd_*` run the one compiled for `isa` (or the widest below it).
enum {
    SIAM_ISA_PORTABLE = 0,
    SIAM_ISA_AVX2 = 2,
    SIAM_ISA_AVX512 = 3,
};

/// Fused epilogue activations (SiamNN's `Activation`, same formulas and operation order).
enum {
    SIAM_ACT_NONE = 0,
    SIAM_ACT_RELU = 1,
    SIAM_ACT_RELU6 = 2,
    SIAM_ACT_HARDSWISH = 3,
    SIAM_ACT_HARDSIGMOID = 4,
    SIAM_ACT_SIGMOID = 5,
    SIAM_ACT_EXP = 6,
};

/// Geometry of a 3x3 stride-1 convolution seen as `dilation^2` undilated convolutions on the
/// sub-sampled grids (output rows/cols congruent to a, b mod dilation), cut in 4x4 output tiles.
/// Tiles are numbered image by image of a channel-major batch of `batch` images (image n's
/// planes start at `n * in_h * in_w` inside a channel's `batch * in_h * in_w` floats, and
/// likewise for the output), then sub-grid by sub-grid (a, then b), row-major inside a sub-grid.
typedef struct {
    int in_h, in_w, out_h, out_w, padding, dilation, batch;
} siam_winograd_geometry;

/// Number of 4x4 output tiles of `g` (all images).
int siam_winograd_tile_count(const siam_winograd_geometry *g);

/// Offsets of tiles `first ..< first + count` (count a multiple of 16; tiles past the last are
/// empty), in groups of 16 tiles: `in_offsets[(group * 36 + p) * 16 + lane]` is the input plane
/// offset of the 6x6 input position p (row-major) of that tile, or -1 where it is padding;
/// `out_offsets[(group * 16 + p) * 16 + lane]` the output plane offset of its output position p,
/// or -1 outside the output (offsets within a channel's planes of all images).
void siam_winograd_tile_offsets(
    const siam_winograd_geometry *g, int first, int count, int32_t *in_offsets, int32_t *out_offsets);

/// Input transform `B^T d B` of input channels `c0 ..< c1` (`plane` floats apart) for
/// `groups` groups of 16 tiles: `v[(p * channels + c) * ld + tile]` for the 36 positions p,
/// `ld` >= 16 * groups.
void siam_winograd_input(
    int isa, const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups,
    float *v, int ld);

/// Output transform `A^T m A` of output channels `k0 ..< k1` from `m[(p * channels + k) * ld +
/// tile]`, then `act(y + bias[k] (+ residual))` stored at `out_offsets` into `output`
/// (`residual`, when not NULL, has the output's layout; channels `plane` floats apart).
void siam_winograd_output(
    int isa, const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups,
    const float *bias, const float *residual, int activation, float *output, long plane);

#endif
