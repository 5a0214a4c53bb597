import Foundation
import NIOPosix
import SwitchboardProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where a webhook may point: `http` or `https`, a host, and — unless the config allows it — no
/// address in a private, loopback, link-local, shared or multicast range, checked on the
/// addresses the host name resolves to at each attempt (so an address changed later is caught).
enum WebhookAddress {
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// The URL, checked for form: scheme, host, port, no credentials in it.
    static func parse(_ text: String) throws(ContractError) -> URLComponents {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 2_000, let url = URLComponents(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ContractError(.invalid, "url: an http:// or https:// address with a host, at most 2000 bytes")
        }
        guard url.user == nil, url.password == nil else {
            throw ContractError(.invalid, "url: no user name or password in the address (the signature proves the sender)")
        }
        return url
    }

    /// Refuses a host whose addresses (any of them) are not public, unless `allowPrivate`.
    static func check(_ url: URLComponents, allowPrivate: Bool) async throws {
        guard !allowPrivate, let host = url.host else { return }
        let addresses = try await resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        guard !addresses.isEmpty else { throw Refused(description: "\(host) has no address") }
        if let inner = addresses.first(where: isPrivate) {
            throw Refused(
                description: "\(host) is at \(show(inner)), a private, loopback or link-local address "
                    + "(the config's webhooksAllowPrivateTargets allows such targets)")
        }
    }

    /// The addresses of a name (or the literal itself), as raw bytes: 4 for IPv4, 16 for IPv6.
    static func resolve(_ host: String) async throws -> [[UInt8]] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
                hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0 else {
                throw Refused(description: "\(host) could not be resolved (\(String(cString: gai_strerror(status))))")
            }
            defer { freeaddrinfo(list) }
            var addresses: [[UInt8]] = []
            var next = list
            while let entry = next {
                if let address = entry.pointee.ai_addr {
                    switch Int32(address.pointee.sa_family) {
                    case AF_INET:
                        address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                            var raw = $0.pointee.sin_addr
                            addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                        }
                    case AF_INET6:
                        address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                            var raw = $0.pointee.sin6_addr
                            addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                        }
                    default: break
                    }
                }
                next = entry.pointee.ai_next
            }
            return addresses
        }
    }

    /// Not a public unicast address: what a webhook must not reach by default.
    static func isPrivate(_ address: [UInt8]) -> Bool {
        if address.count == 16 {
            // ::ffff:a.b.c.d and ::a.b.c.d carry an IPv4 address.
            let mark = Array(address[10..<12])
            if address[0..<10].allSatisfy({ $0 == 0 }) && (mark == [0xFF, 0xFF] || mark == [0, 0]) {
                let inner = Array(address[12..<16])
                return inner == [0, 0, 0, 0] || inner == [0, 0, 0, 1] || isPrivate(inner)
            }
            let (a, b) = (address[0], address[1])
            return a == 0xFC || a == 0xFD  // unique local fc00::/7
                || (a == 0xFE && b & 0xC0 == 0x80)  // link-local fe80::/10
                || (a == 0xFE && b & 0xC0 == 0xC0)  // site-local fec0::/10
                || a == 0xFF  // multicast
                || (a == 0x20 && b == 0x01 && address[2] == 0x0D && address[3] == 0xB8)  // documentation
        }
        guard address.count == 4 else { return true }
        let (a, b) = (address[0], address[1])
        return a == 0 || a == 10 || a == 127  // this network, private, loopback
            || (a == 100 && b & 0xC0 == 64)  // shared (carrier NAT) 100.64/10
            || (a == 169 && b == 254)  // link-local
            || (a == 172 && b & 0xF0 == 16)  // private 172.16/12
            || (a == 192 && b == 168)  // private
            || (a == 192 && b == 0 && address[2] == 0)  // protocol assignments
            || (a == 198 && b & 0xFE == 18)  // benchmarking 198.18/15
            || a >= 224  // multicast, reserved, broadcast
    }

    static func show(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
