/// Resource limits of `PickleReader`; the defaults are far above what any state dict needs.
///
/// CPython's `Lib/pickle.py` has no such limits (it trusts its input); these bound what a hostile
/// pickle can make the reader allocate or do.
struct PickleLimits: Sendable {
    /// Values on the stack at once.
    var maxStack = 1 << 22
    /// Nested MARKs.
    var maxMarks = 1 << 12
    /// Memo entries.
    var maxMemo = 1 << 22
    /// Tuples, lists, dicts, tensors and numpy scalars created (a ResNet-50 snapshot needs ~10^4).
    var maxContainers = 1 << 22
    /// Bytes in one string or bytes value.
    var maxStringBytes = 1 << 28
    /// Bytes in one protocol-0 text argument (GLOBAL names, INT digits, ...).
    var maxLineLength = 512
    /// Dimensions of one tensor.
    var maxRank = 64
    /// Work budget: items copied between containers, characters re-encoded, ... per pickle byte, plus a base.
    var workPerByte = 16
    var baseWork = 1 << 20
}
