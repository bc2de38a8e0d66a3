// The memory plan of a graph: which buffer holds each value (liveness, best fit)
/// Which buffer holds each value of a plan: a value's buffer is reused once the value is dead
/// (after its last reader), best fit among the free buffers, so memory stays close to the largest
/// few live feature maps. Graph inputs and `pinned` values (outputs, or every value when a plan
/// keeps all) are never freed.
struct BufferAssignment {
    /// Buffer index of every value.
    let bufferOf: [Int]
    /// Float capacity of every buffer.
    let sizes: [Int]

    /// `valueSizes`: floats of every value (inputs first); `operationInputs[i]`: the values
    /// operation i reads (it produces value `inputCount + i`).
    init(valueSizes: [Int], inputCount: Int, operationInputs: [[Int]], pinned: Set<Int>) {
        var lastUse = [Int](repeating: -1, count: valueSizes.count)
        for (i, inputs) in operationInputs.enumerated() {
            for v in inputs { lastUse[v] = i }
        }
        let kept = pinned.union(0..<inputCount)
        var bufferOf = [Int](repeating: -1, count: valueSizes.count)
        var sizes: [Int] = []
        var free: [Int] = []
        func allocate(_ count: Int) -> Int {
            // Best fit among free buffers; grow the largest free one if none is big enough.
            if let best = free.filter({ sizes[$0] >= count }).min(by: { sizes[$0] < sizes[$1] }) {
                free.removeAll { $0 == best }
                return best
            }
            if let largest = free.max(by: { sizes[$0] < sizes[$1] }) {
                free.removeAll { $0 == largest }
                sizes[largest] = count
                return largest
            }
            sizes.append(count)
            return sizes.count - 1
        }
        for v in 0..<inputCount { bufferOf[v] = allocate(valueSizes[v]) }
        for (i, inputs) in operationInputs.enumerated() {
            let v = inputCount + i
            bufferOf[v] = allocate(valueSizes[v])
            for input in Set(inputs) where lastUse[input] == i && !kept.contains(input) {
                free.append(bufferOf[input])
            }
            if lastUse[v] == -1 && !kept.contains(v) { free.append(bufferOf[v]) }
        }
        self.bufferOf = bufferOf
        self.sizes = sizes
    }
}
