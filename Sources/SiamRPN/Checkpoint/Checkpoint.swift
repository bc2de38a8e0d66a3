import Foundation

/// The checkpoint formats `StateDict.load` recognises. It decides by content, never by file name.
package enum CheckpointFormat: String, Sendable, CaseIterable {
    /// `torch.save` ZIP archive (PyTorch >= 1.6): starts with `PK\3\4`.
    case torchZip
    /// Legacy `torch.save` pickle stream: starts with a pickle PROTO opcode (0x80).
    case torchLegacy
    /// safetensors: an 8-byte little-endian header length, then `{`.
    case safetensors

    /// The format `bytes` look like, or nil if none.
    package static func detect(_ bytes: [UInt8]) -> CheckpointFormat? {
        if ZipArchive.hasSignature(bytes) { return .torchZip }
        if Safetensors.hasSignature(bytes) { return .safetensors }
        if bytes.first == 0x80 { return .torchLegacy }
        return nil
    }
}

extension StateDict {
    /// Loads the tensors of the checkpoint at `url`: a `torch.save` file (ZIP or legacy; a bare
    /// state dict or a snapshot with `state_dict`, `module.` removed) or a safetensors file. The
    /// format is chosen by content. Throws `CheckpointError` for anything else, including
    /// damaged, truncated or hostile files; no code from the file is ever executed.
    public static func load(contentsOf url: URL) throws -> StateDict {
        try load(bytes: readFileBytes(url), source: url.path)
    }

    /// `load(contentsOf:)` for bytes in memory; `source` names them in errors.
    public static func load(bytes: [UInt8], source: String = "<memory>") throws -> StateDict {
        switch CheckpointFormat.detect(bytes) {
        case .safetensors: return try Safetensors.decode(bytes, source: source).stateDict
        case .torchZip, .torchLegacy, nil: return try TorchCheckpoint(bytes: bytes, source: source).stateDict
        }
    }

    /// Which known model these keys look like (see `architectureGuess(keys:)`).
    public var architectureGuess: String? { SiamRPN.architectureGuess(keys: keys) }
}
