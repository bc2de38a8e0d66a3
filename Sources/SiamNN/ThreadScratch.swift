#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A grow-only float buffer per thread, for kernels that need a few kilobytes of temporary rows
/// inside a `parallelChunks` body (where the plan's scratch, shared by all chunks, cannot be
/// used). The first use on a thread, or a larger request, allocates; every later call reuses
/// the thread's buffer, so a tracking step allocates nothing. The buffer is freed when its
/// thread exits.
///
/// Not reentrant: a body must not call `withFloats` again on the same thread (the inner call
/// would hand out the same memory).
enum ThreadScratch {
    /// Bytes before the floats: the capacity (an `Int`), padded to keep the floats 64-byte aligned.
    private static let header = 64

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { free($0) }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// Runs `body` with at least `count` floats of this thread's buffer (contents undefined).
    @inline(__always)
    static func withFloats<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var raw = pthread_getspecific(key)
        if raw == nil || raw!.load(as: Int.self) < count {
            free(raw)
            var fresh: UnsafeMutableRawPointer?
            let status = posix_memalign(&fresh, header, header + max(count, 1) * MemoryLayout<Float>.stride)
            precondition(status == 0 && fresh != nil, "cannot allocate \(count) floats of thread scratch")
            fresh!.storeBytes(of: count, as: Int.self)
            pthread_setspecific(key, fresh)
            raw = fresh
        }
        return body((raw! + header).assumingMemoryBound(to: Float.self))
    }
}
