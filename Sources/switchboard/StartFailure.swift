import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Why the server could not start, as a sentence and what to do — instead of a library's error
/// dump (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`,
/// `Error Domain=NSCocoaErrorDomain Code=4 …`). Errors it does not know pass through unchanged.
enum StartFailure {
    static func explained(_ error: any Error, host: String, port: Int) -> any Error {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE:
                return CommandFailure(
                    "cannot listen on \(host):\(port): the address is in use — another server runs there; "
                        + "choose another port with --port (0 picks a free one)")
            case EACCES:
                return CommandFailure(
                    "cannot listen on \(host):\(port): permission denied — ports below 1024 need "
                        + "privileges; choose another with --port")
            case EADDRNOTAVAIL:
                return CommandFailure(
                    "cannot listen on \(host):\(port): this machine has no such address — "
                        + "use --host 127.0.0.1, or 0.0.0.0 for every address")
            default:
                return CommandFailure("cannot listen on \(host):\(port): \(String(cString: strerror(io.errnoCode)))")
            }
        }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain,
            let path = ns.userInfo[NSFilePathErrorKey] as? String
                ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        {
            let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
            let why =
                underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil }
                ?? "it cannot be created or written"
            return CommandFailure("cannot use \(path): \(why) — choose another data directory with --data-dir")
        }
        return error
    }
}
