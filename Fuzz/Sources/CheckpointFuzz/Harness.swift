import SiamRPN

/// libFuzzer entry point: every input must load or throw `CheckpointError`; anything else
/// (a crash, an ASan report, another error type) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        _ = try StateDict.load(bytes: bytes, source: "fuzz")
    } catch is CheckpointError {
    } catch {
        fatalError("StateDict.load threw a non-CheckpointError: \(error)")
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`; hand control to libFuzzer's driver.
@_cdecl("CheckpointFuzz_main")
public func checkpointFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, checkpointFuzzTestOneInput)
}
