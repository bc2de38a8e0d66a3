import SiamNN

/// The tensors of a model checkpoint, by pysot state_dict key, in file order.
///
/// Values are converted to Float32 whatever the stored dtype (float16/float64 are cast exactly as
/// PyTorch's `load_state_dict` into a float32 model does); `dtype` records what the file held.
public struct StateDict: Sendable {
    /// Storage types a checkpoint may hold.
    public enum DType: String, Sendable, CaseIterable {
        case float16, bfloat16, float32, float64, int64, int32, int16, int8, uint8, bool
    }

    /// One named tensor of the checkpoint.
    public struct Entry: Sendable {
        public var name: String
        public var dtype: DType
        public var tensor: Tensor

        public init(name: String, dtype: DType, tensor: Tensor) {
            self.name = name
            self.dtype = dtype
            self.tensor = tensor
        }

        public var shape: [Int] { tensor.shape }
    }

    public private(set) var entries: [Entry]
    private var index: [String: Int]

    public init(_ entries: [Entry] = []) {
        self.entries = []
        self.index = [:]
        for e in entries { self[e.name] = e }
    }

    /// The entry named `name`; assigning replaces it in place or appends it.
    public subscript(name: String) -> Entry? {
        get { index[name].map { entries[$0] } }
        set {
            if let i = index[name] {
                if let v = newValue {
                    entries[i] = v
                } else {
                    entries.remove(at: i)
                    index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
                }
            } else if let v = newValue {
                index[name] = entries.count
                entries.append(v)
            }
        }
    }

    public var keys: [String] { entries.map(\.name) }

    /// Total number of elements over all floating-point entries.
    public var parameterCount: Int {
        entries.filter { [.float16, .bfloat16, .float32, .float64].contains($0.dtype) }.reduce(0) { $0 + $1.tensor.count }
    }
}
