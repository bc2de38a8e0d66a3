// The x86-64 CPU's vector features as cpuid/xgetbv report them (SiamNN/CPUFeatures.swift).
#ifndef SIAM_CPU_FEATURES_H
#define SIAM_CPU_FEATURES_H

/// Bits of `siam_cpu_features()`: each set only when the CPU has the feature and the operating
/// system saves its registers (XCR0), i.e. when code may use it.
enum {
    SIAM_CPU_SSE3 = 1 << 0,
    SIAM_CPU_AVX = 1 << 1,
    SIAM_CPU_AVX2 = 1 << 2,
    SIAM_CPU_FMA = 1 << 3,
    SIAM_CPU_AVX512F = 1 << 4,
    SIAM_CPU_AVX512BW = 1 << 5,
    SIAM_CPU_AVX512DQ = 1 << 6,
    SIAM_CPU_AVX512VL = 1 << 7,
};

/// The usable vector features (0 on other architectures).
int siam_cpu_features(void);

/// Writes the CPU's brand string (cpuid leaves 0x80000002-4, NUL-terminated, at most 48
/// characters) to `out` (49 bytes); an empty string where there is none.
void siam_cpu_brand(char *out);

/// cpuid leaf 1's family and model (extended fields folded in), -1 where there is no cpuid.
void siam_cpu_family_model(int *family, int *model);

#endif
