import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file-system error as the words a user can act on: the operating system's own text
/// (`strerror`, e.g. "No space left on device", "Permission denied") when Foundation carries the
/// POSIX error, otherwise Foundation's description without its "operation could not be
/// completed" and error-code boilerplate (Linux's Foundation prints "NSCocoaErrorDomain error 512").
public func describeFileError(_ error: Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if let cocoa = error as? CocoaError {
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
        case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
        case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
        case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
        case .fileWriteFileExists: return String(cString: strerror(EEXIST))
        case .fileReadCorruptFile: return "the file is corrupt"
        case .fileReadInapplicableStringEncoding: return "the file is not text in the expected encoding"
        default: break
        }
    }
    var text = ns.localizedDescription
    for boilerplate in ["The operation could not be completed. ", "The operation couldn’t be completed. "] where text.hasPrefix(boilerplate) {
        text.removeFirst(boilerplate.count)
    }
    return text
}
