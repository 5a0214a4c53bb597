import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A WebSocket client that upgrades, sends a few frames, and then never reads again, with a tiny
/// receive buffer: what the server sees of a client on a dead network or a stopped process.
/// Plain blocking POSIX calls, so nothing reads for it behind the test's back — each on a thread
/// of its own: blocking one of Swift's few concurrency threads (or NIO's thread pool, where the
/// test servers commit) stalls every other test.
final class StalledSocket: @unchecked Sendable {
    private let fd: Int32

    static func open(port: Int, token: String) async throws -> StalledSocket {
        try await onThreadOfItsOwn { try StalledSocket(port: port, token: token) }
    }

    private init(port: Int, token: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StalledSocketError("socket: \(errno)") }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw StalledSocketError("connect: \(errno)")
        }
        try write(
            Array(
                ("GET /ws?access_token=\(token) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").utf8))
        // The 101 head only, byte by byte: nothing after it is read.
        var head: [UInt8] = []
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            var byte: UInt8 = 0
            guard recv(fd, &byte, 1, 0) == 1 else { throw StalledSocketError("no upgrade answer") }
            head.append(byte)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw StalledSocketError("upgrade refused: \(String(decoding: head, as: UTF8.self))")
        }
    }

    deinit { close(fd) }

    /// A masked text frame, as a client must send.
    func sendText(_ text: String) async throws {
        try await onThreadOfItsOwn { try self.sendTextNow(text) }
    }

    private func sendTextNow(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// Reads (and throws away) until the server ends the connection or `seconds` pass; answers
    /// whether it ended.
    func drainsToTheEnd(within seconds: Int) async throws -> Bool {
        try await onThreadOfItsOwn { self.drainNow(within: seconds) }
    }

    private func drainNow(within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return true }  // the server closed
            if count < 0 { return errno == ECONNRESET }
        }
        return false
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw StalledSocketError("send: \(errno)") }
            sent += count
        }
    }
}

/// Runs blocking `work` on a new thread and waits for it without holding a concurrency thread.
private func onThreadOfItsOwn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

struct StalledSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
