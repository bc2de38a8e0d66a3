import SiamNN

extension TrainingBatch {
    /// The samples `rank` of `size` processes trains on: the contiguous range
    /// `rank * N / size ..< (rank + 1) * N / size` of the global batch's N (sizes differ by at most
    /// one), every file cut alike. Throws when N < size (a process would have no sample).
    package func shard(rank: Int, of size: Int) throws -> TrainingBatch {
        precondition(size >= 1 && (0..<size).contains(rank), "rank \(rank) of \(size)")
        let n = template.batch
        guard n >= size else {
            throw TrainingBatchError(
                file: "template.npy", problem: "holds \(n) sample(s), fewer than the \(size) processes; each process needs one or more")
        }
        if size == 1 { return self }
        let samples = (rank * n / size)..<((rank + 1) * n / size)
        func cut(_ buffer: TrainingBuffer) -> TrainingBuffer {
            let per = buffer.count / n
            let values = Array(UnsafeBufferPointer(start: buffer.pointer + samples.lowerBound * per, count: samples.count * per))
            return TrainingBuffer(shape: [samples.count] + buffer.shape.dropFirst(), values: values)
        }
        func cut<T>(_ values: [T]) -> [T] {
            let per = values.count / n
            return Array(values[(samples.lowerBound * per)..<(samples.upperBound * per)])
        }
        var local = self
        local.template = cut(template)
        local.search = cut(search)
        local.labelCls = cut(labelCls)
        local.labelLoc = cut(labelLoc)
        local.labelLocWeight = cut(labelLocWeight)
        local.labelShape[0] = samples.count
        return local
    }
}
