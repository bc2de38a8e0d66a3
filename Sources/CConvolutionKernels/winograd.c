// Winograd F(4x4, 3x3) input/output transforms (Lavin & Gray 2016, points 0, 1, -1, 2, -2, inf).
//
// The element-wise products between the transforms are 36 sgemm calls done by the caller.
// Each transform works on 16 tiles at a time, lanes innermost, so that the compiler vectorises
// the lane loops; the same bodies are compiled three times (AVX-512, AVX2+FMA, portable) and
// chosen at run time from the `isa` argument (SiamNN passes its CPUFeatures).
#include "winograd.h"

#include <math.h>

#define LANES SIAM_WINOGRAD_LANES

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Tiles of one image.
static int image_tile_count(const siam_winograd_geometry *g) {
    int d = g->dilation, total = 0;
    for (int a = 0; a < d; a++) {
        int rows = ceil_div(g->out_h - a, d);
        for (int b = 0; b < d; b++) {
            int cols = ceil_div(g->out_w - b, d);
            total += ceil_div(rows, 4) * ceil_div(cols, 4);
        }
    }
    return total;
}

int siam_winograd_tile_count(const siam_winograd_geometry *g) { return g->batch * image_tile_count(g); }

// The offsets of image n's tiles that fall in `first ..< first + count` (tile numbers of the batch).
static void image_tile_offsets(
    const siam_winograd_geometry *g, int n, int first, int count, int32_t *in_offsets, int32_t *out_offsets) {
    int d = g->dilation, t = n * image_tile_count(g);
    int32_t in_base = n * g->in_h * g->in_w, out_base = n * g->out_h * g->out_w;
    for (int a = 0; a < d; a++) {
        int rows = ceil_div(g->out_h - a, d);
        for (int b = 0; b < d; b++) {
            int cols = ceil_div(g->out_w - b, d);
            for (int ty = 0; ty < ceil_div(rows, 4); ty++) {
                for (int tx = 0; tx < ceil_div(cols, 4); tx++, t++) {
                    if (t < first || t >= first + count) continue;
                    int j = t - first, group = j / LANES, lane = j % LANES;
                    for (int r = 0; r < 6; r++) {
                        int iy = a - g->padding + d * (4 * ty + r);
                        for (int s = 0; s < 6; s++) {
                            int ix = b - g->padding + d * (4 * tx + s);
                            int ok = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
                            in_offsets[(group * 36 + r * 6 + s) * LANES + lane] = ok ? in_base + iy * g->in_w + ix : -1;
                        }
                    }
                    for (int r = 0; r < 4; r++) {
                        int oy = a + d * (4 * ty + r);
                        for (int s = 0; s < 4; s++) {
                            int ox = b + d * (4 * tx + s);
                            int ok = oy < g->out_h && ox < g->out_w;
                            out_offsets[(group * 16 + r * 4 + s) * LANES + lane] = ok ? out_base + oy * g->out_w + ox : -1;
                        }
                    }
                }
            }
        }
    }
}

void siam_winograd_tile_offsets(
    const siam_winograd_geometry *g, int first, int count, int32_t *in_offsets, int32_t *out_offsets) {
    for (int i = 0; i < count * 36; i++) in_offsets[i] = -1;
    for (int i = 0; i < count * 16; i++) out_offsets[i] = -1;
    int per_image = image_tile_count(g);
    int n_last = (first + count - 1) / per_image;
    if (n_last >= g->batch) n_last = g->batch - 1;
    for (int n = first / per_image; n <= n_last; n++) image_tile_offsets(g, n, first, count, in_offsets, out_offsets);
}

// B^T applied to six values (one column or row of a 6x6 tile).
#define BT6(x0, x1, x2, x3, x4, x5, y)          \
    do {                                         \
        y[0] = 4 * x0 - 5 * x2 + x4;             \
        y[1] = -4 * x1 - 4 * x2 + x3 + x4;       \
        y[2] = 4 * x1 - 4 * x2 - x3 + x4;        \
        y[3] = -2 * x1 - x2 + 2 * x3 + x4;       \
        y[4] = 2 * x1 - x2 - 2 * x3 + x4;        \
        y[5] = 4 * x1 - 5 * x3 + x5;             \
    } while (0)

// A^T applied to six values.
#define AT6(x0, x1, x2, x3, x4, x5, y)          \
    do {                                         \
        y[0] = x0 + x1 + x2 + x3 + x4;           \
        y[1] = x1 - x2 + 2 * x3 - 2 * x4;        \
        y[2] = x1 + x2 + 4 * x3 + 4 * x4;        \
        y[3] = x1 - x2 + 8 * x3 - 8 * x4 + x5;   \
    } while (0)

static inline __attribute__((always_inline)) void input_body(
    const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups, float *v,
    int ld) {
    long pstride = (long)channels * ld;
    for (int c = c0; c < c1; c++) {
        const float *src = input + (long)c * plane;
        for (int grp = 0; grp < groups; grp++) {
            const int32_t *off = in_offsets + (long)grp * 36 * LANES;
            float d[36][LANES], t[36][LANES];
            for (int p = 0; p < 36; p++) {
                for (int l = 0; l < LANES; l++) {
                    int32_t q = off[p * LANES + l];
                    float x = src[q < 0 ? 0 : q];
                    d[p][l] = q < 0 ? 0.0f : x;
                }
            }
            // columns: t[r][s] = sum_k BT[r][k] d[k][s]
            for (int s = 0; s < 6; s++) {
                for (int l = 0; l < LANES; l++) {
                    float y[6];
                    BT6(d[s][l], d[6 + s][l], d[12 + s][l], d[18 + s][l], d[24 + s][l], d[30 + s][l], y);
                    for (int r = 0; r < 6; r++) t[r * 6 + s][l] = y[r];
                }
            }
            // rows: v[r][s] = sum_k t[r][k] BT[s][k]
            float *dst = v + (long)c * ld + grp * LANES;
            for (int r = 0; r < 6; r++) {
                for (int l = 0; l < LANES; l++) {
                    float y[6];
                    const int o = r * 6;
                    BT6(t[o][l], t[o + 1][l], t[o + 2][l], t[o + 3][l], t[o + 4][l], t[o + 5][l], y);
                    for (int s = 0; s < 6; s++) dst[(o + s) * pstride + l] = y[s];
                }
            }
        }
    }
}

static inline __attribute__((always_inline)) float activate(float x, int activation) {
    switch (activation) {
    case SIAM_ACT_RELU: return x > 0 ? x : 0;
    case SIAM_ACT_RELU6: return fminf(fmaxf(x, 0), 6);
    case SIAM_ACT_HARDSWISH: return x * fminf(fmaxf(x + 3, 0), 6) / 6;
    case SIAM_ACT_HARDSIGMOID: return fminf(fmaxf(x + 3, 0), 6) / 6;
    case SIAM_ACT_SIGMOID: return 1 / (1 + expf(-x));
    case SIAM_ACT_EXP: return expf(x);
    default: return x;
    }
}

static inline __attribute__((always_inline)) void output_body(
    const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups, const float *bias,
    const float *residual, int activation, float *output, long plane) {
    long pstride = (long)channels * ld;
    for (int k = k0; k < k1; k++) {
        const float *src = m + (long)k * ld;
        float *dst = output + (long)k * plane;
        const float *res = residual ? residual + (long)k * plane : 0;
        const float b = bias[k];
        for (int grp = 0; grp < groups; grp++) {
            const int32_t *off = out_offsets + (long)grp * 16 * LANES;
            const float *s0 = src + grp * LANES;
            float t[24][LANES], y[16][LANES];
            // columns: t[r][s] = sum_k AT[r][k] m[k][s], r < 4, s < 6
            for (int s = 0; s < 6; s++) {
                for (int l = 0; l < LANES; l++) {
                    float z[4];
                    AT6(s0[s * pstride + l], s0[(6 + s) * pstride + l], s0[(12 + s) * pstride + l],
                        s0[(18 + s) * pstride + l], s0[(24 + s) * pstride + l], s0[(30 + s) * pstride + l], z);
                    for (int r = 0; r < 4; r++) t[r * 6 + s][l] = z[r];
                }
            }
            // rows: y[r][s] = sum_k t[r][k] AT[s][k], then the bias (and the residual)
            for (int r = 0; r < 4; r++) {
                for (int l = 0; l < LANES; l++) {
                    float z[4];
                    const int o = r * 6;
                    AT6(t[o][l], t[o + 1][l], t[o + 2][l], t[o + 3][l], t[o + 4][l], t[o + 5][l], z);
                    for (int s = 0; s < 4; s++) y[r * 4 + s][l] = z[s] + b;
                }
            }
            if (res) {
                for (int p = 0; p < 16; p++) {
                    for (int l = 0; l < LANES; l++) {
                        int32_t q = off[p * LANES + l];
                        float r = res[q < 0 ? 0 : q];
                        y[p][l] = y[p][l] + (q < 0 ? 0.0f : r);
                    }
                }
            }
            switch (activation) {
            case SIAM_ACT_NONE: break;
            case SIAM_ACT_RELU:
                for (int p = 0; p < 16; p++)
                    for (int l = 0; l < LANES; l++) y[p][l] = activate(y[p][l], SIAM_ACT_RELU);
                break;
            case SIAM_ACT_RELU6:
                for (int p = 0; p < 16; p++)
                    for (int l = 0; l < LANES; l++) y[p][l] = activate(y[p][l], SIAM_ACT_RELU6);
                break;
            default:
                for (int p = 0; p < 16; p++)
                    for (int l = 0; l < LANES; l++) y[p][l] = activate(y[p][l], activation);
                break;
            }
            for (int p = 0; p < 16; p++) {
                for (int l = 0; l < LANES; l++) {
                    int32_t q = off[p * LANES + l];
                    if (q >= 0) dst[q] = y[p][l];
                }
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SIAM_HAVE_X86_VARIANTS 1
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

AVX512 static void input_avx512(
    const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups, float *v,
    int ld) {
    input_body(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
}
AVX2 static void input_avx2(
    const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups, float *v,
    int ld) {
    input_body(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
}
AVX512 static void output_avx512(
    const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups, const float *bias,
    const float *residual, int activation, float *output, long plane) {
    output_body(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
}
AVX2 static void output_avx2(
    const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups, const float *bias,
    const float *residual, int activation, float *output, long plane) {
    output_body(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
}
#endif

static void input_portable(
    const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups, float *v,
    int ld) {
    input_body(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
}
static void output_portable(
    const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups, const float *bias,
    const float *residual, int activation, float *output, long plane) {
    output_body(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
}

void siam_winograd_input(
    int isa, const float *input, long plane, int c0, int c1, int channels, const int32_t *in_offsets, int groups,
    float *v, int ld) {
#ifdef SIAM_HAVE_X86_VARIANTS
    if (isa >= SIAM_ISA_AVX512) return input_avx512(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
    if (isa >= SIAM_ISA_AVX2) return input_avx2(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
#endif
    (void)isa;
    input_portable(input, plane, c0, c1, channels, in_offsets, groups, v, ld);
}

void siam_winograd_output(
    int isa, const float *m, int k0, int k1, int channels, int ld, const int32_t *out_offsets, int groups,
    const float *bias, const float *residual, int activation, float *output, long plane) {
#ifdef SIAM_HAVE_X86_VARIANTS
    if (isa >= SIAM_ISA_AVX512)
        return output_avx512(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
    if (isa >= SIAM_ISA_AVX2)
        return output_avx2(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
#endif
    (void)isa;
    output_portable(m, k0, k1, channels, ld, out_offsets, groups, bias, residual, activation, output, plane);
}
