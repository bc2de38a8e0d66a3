/// What the opcode machine (`PickleReader`) and the interpretation of callables
/// (`TorchPickleRules`, `NumpyPickleRules`) share while one pickle is read: the
/// `PickleDocument` being built, the resource accounting that every container and every copied
/// item goes through, and what errors need to name the place (file, offset origin).
///
/// It plays the part of the Python heap under CPython's `Lib/pickle.py` `_Unpickler`: objects are
/// values in the document's arenas, and what it costs to make them is bounded by `PickleLimits`.
struct PickleContext {
    /// The file named in errors.
    let source: String
    let limits: PickleLimits
    /// Offsets in errors are relative to this position (the pickle's start, or 0 for file offsets).
    let origin: Int
    var document = PickleDocument()
    private var work = 0
    private var containers = 0
    private let workBudget: Int

    /// The context for a pickle of `length` bytes; its work budget is proportional to `length`.
    init(source: String, limits: PickleLimits, origin: Int, length: Int) {
        self.source = source
        self.limits = limits
        self.origin = origin
        self.workBudget = limits.workPerByte.multipliedReportingOverflow(by: length).partialValue + limits.baseWork
    }

    /// `CheckpointError.malformedPickle` for the absolute position `offset`.
    func malformed(_ reason: String, at offset: Int) -> CheckpointError {
        .malformedPickle(file: source, offset: offset - origin, reason: reason)
    }

    /// Counts `amount` items of work (items copied, characters re-encoded) against the budget.
    mutating func charge(_ amount: Int) throws {
        work += amount
        if work > workBudget {
            throw CheckpointError.limitExceeded(file: source, what: "pickle work (items copied)", limit: workBudget)
        }
    }

    /// Counts a newly created container against `limits.maxContainers`, and returns it.
    mutating func created(_ v: PickleValue) throws -> PickleValue {
        containers += 1
        guard containers <= limits.maxContainers else {
            throw CheckpointError.limitExceeded(file: source, what: "pickle containers created", limit: limits.maxContainers)
        }
        return v
    }
}
