// Mirrors no pysot file: numpy 1.24's float64 summation (pairwise_sum in numpy/core/src/umath/loops_utils.h.src), which pysot's np.sum / np.mean / np.nanmean use
import Foundation

/// NumPy's `np.sum` of a contiguous float64 vector: pairwise summation (blocks of 128, eight
/// accumulators inside a block, a plain loop below 8 values). The toolkit's means and sums go
/// through it, so a port that adds left to right differs in the last bits.
func numpySum(_ v: [Double]) -> Double {
    v.withUnsafeBufferPointer { pairwiseSum($0.baseAddress, $0.count) }
}

/// `np.sum(v[range])`, without copying the slice.
func numpySum(_ v: [Double], _ range: Range<Int>) -> Double {
    v.withUnsafeBufferPointer { pairwiseSum($0.baseAddress.map { $0 + range.lowerBound }, range.count) }
}

private func pairwiseSum(_ a: UnsafePointer<Double>?, _ n: Int) -> Double {
    guard let a, n > 0 else { return 0 }
    if n < 8 {
        var res = 0.0
        for i in 0..<n { res += a[i] }
        return res
    } else if n <= 128 {
        var r = (0..<8).map { a[$0] }
        var i = 8
        while i < n - (n % 8) {
            for k in 0..<8 { r[k] += a[i + k] }
            i += 8
        }
        var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n {
            res += a[i]
            i += 1
        }
        return res
    } else {
        var n2 = n / 2
        n2 -= n2 % 8
        return pairwiseSum(a, n2) + pairwiseSum(a + n2, n - n2)
    }
}

/// `np.mean` of a float64 vector (NaN if empty).
func numpyMean(_ v: [Double]) -> Double { numpySum(v) / Double(v.count) }

/// `np.nanmean` of a float64 vector: NaNs replaced by 0 and summed, divided by the non-NaN count.
func numpyNanMean(_ v: [Double]) -> Double {
    let count = v.reduce(0) { $1.isNaN ? $0 : $0 + 1 }
    return numpySum(v.map { $0.isNaN ? 0 : $0 }) / Double(count)
}

/// `np.nanmean(rows, axis=0)` of equally long rows: per column, the non-NaN values added row by
/// row (an axis-0 reduction is not pairwise), divided by their count (NaN where there is none).
func numpyNanMeanAxis0(_ rows: [[Double]]) -> [Double] {
    guard let n = rows.first?.count else { return [] }
    return (0..<n).map { j in
        var sum = 0.0
        var count = 0
        for row in rows {
            let x = row[j]
            if !x.isNaN {
                sum += x
                count += 1
            }
        }
        return sum / Double(count)
    }
}
