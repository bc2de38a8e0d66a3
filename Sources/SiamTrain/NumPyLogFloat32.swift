// Mirrors numpy/_core/src/umath/loops_exponent_log.dispatch.c.src: the AVX2 / AVX512F float32 log
// (what `np.log` of a float32 array computes on x86-64 with those extensions)
import Foundation

/// numpy's float32 `log` on x86-64 (AVX2 or AVX512F), value for value: not the correctly rounded
/// logarithm (it differs by 1 ulp for about 12% of inputs), so labels built with `np.log` on
/// float32 arrays (pysot's `log(tw / w)`) need it to be reproduced exactly.
///
/// `x = m 2^e` with `m` in [0.5, 1); if `m <= sqrt(1/2)` (float32, 0x3f3504f3): `m = 2m`, `e -= 1`; `r = m - 1`;
/// `log x = e ln2 + P(r) / Q(r)` with numpy's degree-5 minimax polynomials, evaluated by fused
/// multiply-adds in float32 (Horner), the last step `fma(e, ln2, P/Q)`. Zero, negative, infinite
/// and NaN inputs go to the platform's `logf` (numpy's special cases give the same values).
package func numpyLog(_ x: Float) -> Float {
    guard x > 0, x.isFinite else { return Foundation.log(x) }
    let p: [Float] = [
        0.0, 9.999999999999998702752e-01, 2.112677543073053063722e+00, 1.480000633576506585156e+00,
        3.808837741388407920751e-01, 2.589979117907922693523e-02
    ]
    let q: [Float] = [
        1.0, 2.612677543073109236779e+00, 2.453006071784736363091e+00, 9.864942958519418960339e-01,
        1.546476374983906719538e-01, 5.875095403124574342950e-03
    ]
    var m = x.significand / 2  // [0.5, 1)
    var e = Float(x.exponent + 1)
    if m <= Float(0.5.squareRoot()) {
        m += m
        e -= 1
    }
    let r = m - 1
    var num = p[5]
    var den = q[5]
    for k in stride(from: 4, through: 0, by: -1) {
        num = p[k].addingProduct(num, r)
        den = q[k].addingProduct(den, r)
    }
    return (num / den).addingProduct(e, Float(M_LN2))
}
