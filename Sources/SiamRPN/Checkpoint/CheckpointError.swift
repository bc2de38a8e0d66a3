/// Why a checkpoint (PyTorch `.pth`, safetensors) or a ZIP archive could not be read or written.
///
/// Every case names the file (`file` is the path, or `"<memory>"` for bytes handed in directly) and
/// its `description` is one sentence saying what is wrong and what to do about it. Offsets are
/// 0-based byte positions in the file (for ZIP entries: in the entry, as stated in the message).
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read (missing, permissions, I/O error).
    case unreadable(file: String, reason: String)
    /// The file has no bytes at all.
    case empty(file: String)
    /// The first bytes match none of the accepted formats (ZIP, legacy torch pickle, safetensors).
    case unrecognizedFormat(file: String, leadingBytes: [UInt8])
    /// The file ends before a structure it declares: `needed` bytes would be required (nil: unknown,
    /// e.g. a ZIP archive whose end record is missing), it has `size`.
    case truncated(file: String, what: String, needed: Int?, size: Int)
    /// The ZIP container is damaged (bad signature, offsets or sizes out of range, ...).
    case malformedZip(file: String, reason: String)
    /// A ZIP entry uses a feature this reader does not implement (compression, encryption, ...).
    case unsupportedZipEntry(file: String, entry: String, reason: String)
    /// A required ZIP entry is absent.
    case missingEntry(file: String, entry: String)
    /// A ZIP entry's bytes do not match the CRC-32 the archive records for them.
    case checksumMismatch(file: String, entry: String, recorded: UInt32, actual: UInt32)
    /// The pickle stream is not well formed (stack underflow, bad memo index, bad UTF-8, ...).
    /// Pickle offsets count from the start of the file for legacy checkpoints and from the start
    /// of the `data.pkl` entry for ZIP checkpoints.
    case malformedPickle(file: String, offset: Int, reason: String)
    /// The pickle uses an opcode that state-dict pickles never contain.
    case unsupportedOpcode(file: String, offset: Int, opcode: UInt8, name: String)
    /// The pickle names a global (a Python function or class) outside the state-dict whitelist.
    case forbiddenGlobal(file: String, name: String)
    /// Parsing would exceed one of the reader's resource limits (`what`, e.g. "pickle stack depth").
    case limitExceeded(file: String, what: String, limit: Int)
    /// The pieces parse, but do not form a valid torch checkpoint (bad magic number, bad tensor
    /// arguments, missing storage, ...).
    case malformedCheckpoint(file: String, reason: String)
    /// The file stores tensors of an element type this loader does not convert.
    case unsupportedDType(file: String, dtype: String)
    /// A tensor's offset, sizes and strides reach outside its storage.
    case tensorOutOfBounds(file: String, tensor: String, reason: String)
    /// The file holds no dict of tensors (neither a bare state dict nor a snapshot with `state_dict`).
    case noStateDict(file: String, found: String)
    /// Two tensors end up with the same key (e.g. `module.x` and `x` after removing `module.`).
    case duplicateKey(file: String, key: String)
    /// The ZIP archive is a TorchScript module (`torch.jit.save`), not a `torch.save` state dict.
    case torchScriptArchive(file: String)
    /// The safetensors header or data layout is invalid.
    case malformedSafetensors(file: String, reason: String)
    /// A state dict cannot be written as asked (e.g. a non-integral value in an integer entry).
    case unwritable(file: String, reason: String)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let f, _), .empty(let f), .unrecognizedFormat(let f, _), .truncated(let f, _, _, _),
            .malformedZip(let f, _), .unsupportedZipEntry(let f, _, _), .missingEntry(let f, _),
            .checksumMismatch(let f, _, _, _), .malformedPickle(let f, _, _), .unsupportedOpcode(let f, _, _, _),
            .forbiddenGlobal(let f, _), .limitExceeded(let f, _, _), .malformedCheckpoint(let f, _),
            .unsupportedDType(let f, _), .tensorOutOfBounds(let f, _, _), .noStateDict(let f, _),
            .duplicateKey(let f, _), .torchScriptArchive(let f), .malformedSafetensors(let f, _),
            .unwritable(let f, _):
            return f
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let f, let reason):
            return "cannot read '\(f)': \(reason); check the path and the file's permissions"
        case .empty(let f):
            return "'\(f)' is empty (0 bytes), so it is not a checkpoint; download or save it again"
        case .unrecognizedFormat(let f, let lead):
            let hex = lead.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            return "'\(f)' is not a PyTorch checkpoint or safetensors file: it starts with bytes [\(hex)], "
                + "which match neither a torch.save ZIP archive, a legacy torch.save pickle nor a safetensors header"
        case .truncated(let f, let what, let needed?, let size):
            return "'\(f)' is truncated: \(what) needs \(needed) bytes but the file has only \(size); "
                + "download or save it again"
        case .truncated(let f, let what, nil, let size):
            return "'\(f)' is truncated: \(what) is missing from its \(size) bytes; download or save it again"
        case .malformedZip(let f, let reason):
            return "'\(f)' is a damaged ZIP archive (\(reason)); download or save the checkpoint again"
        case .unsupportedZipEntry(let f, let entry, let reason):
            return "entry '\(entry)' of '\(f)' cannot be read because \(reason); only stored (uncompressed) "
                + "entries, as torch.save and numpy.savez write them, are supported"
        case .missingEntry(let f, let entry):
            return "'\(f)' has no entry '\(entry)', so it is not a complete torch.save archive; save it again with torch.save"
        case .checksumMismatch(let f, let entry, let recorded, let actual):
            return "entry '\(entry)' of '\(f)' is corrupt: its bytes have CRC-32 \(hex32(actual)) but the archive "
                + "records \(hex32(recorded)); download or save the file again"
        case .malformedPickle(let f, let offset, let reason):
            return "the pickle in '\(f)' is malformed at byte \(offset) (\(reason)); the file is damaged or was not "
                + "written by torch.save"
        case .unsupportedOpcode(let f, let offset, let opcode, let name):
            return "the pickle in '\(f)' uses opcode \(name) (0x\(String(opcode, radix: 16).leftPadded(to: 2))) at byte "
                + "\(offset), which state-dict pickles never contain; save model.state_dict() with torch.save"
        case .forbiddenGlobal(let f, let name):
            return "checkpoint pickle '\(f)' calls the forbidden global '\(name)'; only state-dict pickles are accepted "
                + "(no code is ever executed), so save model.state_dict() rather than a whole object"
        case .limitExceeded(let f, let what, let limit):
            return "'\(f)' exceeds this reader's limit on \(what) (\(limit)); a state dict never needs that much, "
                + "so the file is damaged or hostile"
        case .malformedCheckpoint(let f, let reason):
            return "'\(f)' is not a valid PyTorch checkpoint: \(reason)"
        case .unsupportedDType(let f, let dtype):
            return "'\(f)' stores tensors of type '\(dtype)', which this loader does not read (it reads float16, "
                + "bfloat16, float32, float64, int64, int32, int16, int8, uint8 and bool); convert them in PyTorch first"
        case .tensorOutOfBounds(let f, let tensor, let reason):
            return "tensor '\(tensor)' in '\(f)' reaches outside its storage (\(reason)); the file is damaged"
        case .noStateDict(let f, let found):
            return "'\(f)' holds no state dict: it contains \(found); pass a file saved from model.state_dict() "
                + "or a training snapshot with a 'state_dict' entry"
        case .duplicateKey(let f, let key):
            return "'\(f)' holds the tensor '\(key)' twice (after removing the 'module.' prefix); keep one of them "
                + "and save the state dict again"
        case .torchScriptArchive(let f):
            return "'\(f)' is a TorchScript archive (torch.jit.save), not a state dict; load it in Python and save "
                + "model.state_dict() with torch.save"
        case .malformedSafetensors(let f, let reason):
            return "'\(f)' is not a valid safetensors file: \(reason)"
        case .unwritable(let f, let reason):
            return "cannot write '\(f)': \(reason)"
        }
    }
}

private func hex32(_ v: UInt32) -> String { "0x" + String(v, radix: 16).leftPadded(to: 8) }

extension String {
    /// The string with leading zeros added up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
