// cpuid (Intel SDM vol. 2A, "CPUID") and xgetbv (XCR0) through GCC/Clang's <cpuid.h>.
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

int siam_cpu_features(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int f = 0;
    if (c & bit_SSE3) f |= SIAM_CPU_SSE3;
    int osxsave = (c & bit_OSXSAVE) != 0;
    unsigned long long x = osxsave ? xcr0() : 0;
    int ymm = (x & 0x6) == 0x6;     // SSE and AVX state
    int zmm = (x & 0xe6) == 0xe6;   // plus opmask, ZMM_Hi256, Hi16_ZMM
    int fma = (c & bit_FMA) != 0;
    if (ymm && (c & bit_AVX)) f |= SIAM_CPU_AVX;
    if (ymm && fma) f |= SIAM_CPU_FMA;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (ymm && (b & bit_AVX2)) f |= SIAM_CPU_AVX2;
        if (zmm) {
            if (b & bit_AVX512F) f |= SIAM_CPU_AVX512F;
            if (b & bit_AVX512BW) f |= SIAM_CPU_AVX512BW;
            if (b & bit_AVX512DQ) f |= SIAM_CPU_AVX512DQ;
            if (b & bit_AVX512VL) f |= SIAM_CPU_AVX512VL;
        }
    }
    return f;
}

void siam_cpu_brand(char *out) {
    unsigned int r[12];
    out[0] = 0;
    if (__get_cpuid_max(0x80000000, 0) < 0x80000004) return;
    for (unsigned int i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    memcpy(out, r, 48);
    out[48] = 0;
}

void siam_cpu_family_model(int *family, int *model) {
    unsigned int a, b, c, d;
    *family = -1;
    *model = -1;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    unsigned int fam = (a >> 8) & 0xf, mod = (a >> 4) & 0xf;
    if (fam == 0xf) fam += (a >> 20) & 0xff;
    if (fam == 0x6 || fam >= 0xf) mod |= ((a >> 16) & 0xf) << 4;
    *family = (int)fam;
    *model = (int)mod;
}
#else
int siam_cpu_features(void) { return 0; }
void siam_cpu_brand(char *out) { out[0] = 0; }
void siam_cpu_family_model(int *family, int *model) { *family = -1; *model = -1; }
#endif
