import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// What an attacker tried from outside (issue 9), each answered and closed, and the server alive
/// after all of it.
@Suite struct HTTPHardeningTests {
    static let host = "Host: 127.0.0.1\r\n"

    /// Requests the HTTP parser refuses: each gets its answer with the contract's error body, and
    /// the connection is closed (they used to get nothing and stay open for good).
    static let refused: [(name: String, request: [UInt8], status: Int, code: String)] = [
        ("garbage request line", Array("GARBAGE\r\n\r\n".utf8), 400, "INVALID"),
        ("unknown method", Array("FOO / HTTP/1.1\r\n\(host)\r\n".utf8), 400, "INVALID"),
        (
            "two Content-Lengths",
            Array("POST /api/auth/login HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello".utf8), 400, "INVALID"
        ),
        ("negative Content-Length", Array("POST /api/auth/login HTTP/1.1\r\n\(host)Content-Length: -5\r\n\r\n".utf8), 400, "INVALID"),
        (
            "Content-Length and chunked",
            Array("POST /api/auth/login HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8), 400,
            "INVALID"
        ),
        (
            "a 1 MiB header", Array("GET /health HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "a", count: 1 << 20))\r\n\r\n".utf8), 431,
            "TOO_LARGE"
        ),
        (
            "5 000 headers", Array(("GET /health HTTP/1.1\r\n\(host)" + (0..<5_000).map { "X-\($0): a\r\n" }.joined() + "\r\n").utf8), 431,
            "TOO_LARGE"
        ),
        ("a 100 KB URL", Array("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\(host)\r\n".utf8), 431, "TOO_LARGE"),
        ("a NUL in a header", Array("GET /health HTTP/1.1\r\n\(host)X-N: a".utf8) + [0] + Array("b\r\n\r\n".utf8), 400, "INVALID"),
        ("HTTP/0.9", Array("GET /\r\n\r\n".utf8), 400, "INVALID"),
        (
            "a malformed chunked body",
            Array(
                "POST /api/auth/login HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
                    .utf8), 400, "INVALID"
        ),
    ]

    @Test func requestsTheParserRefusesAreAnsweredAndClosed() async throws {
        try await withCast(live: true) { api, _, _ in
            for (name, request, status, code) in Self.refused {
                let reply = try await RawHTTP.converse(port: api.port, request, waitAtMost: .seconds(15))
                #expect(reply.status == status, "\(name): \(reply.text.prefix(120))")
                #expect(reply.text.contains(#"{"error":{"code":"\#(code)""#), "\(name): \(reply.text.prefix(200))")
                #expect(reply.text.contains("Connection: close"), "\(name)")
                #expect(reply.closed, "\(name): the connection must be closed")
            }
            #expect(try await api.get("/health", token: nil).status == 200)
        }
    }

    /// A chunked body that stops parsing halfway through a route's read is the client's fault:
    /// `400`, not `500 INTERNAL` as it once was.
    @Test func aBrokenBodyMidRequestIsNotAServerFault() async throws {
        try await withCast(live: true) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let request =
                "POST /api/tickets/\(ticket)/messages HTTP/1.1\r\n\(Self.host)Authorization: Bearer \(cast.customer)\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{\"mes\r\nzz\r\n"
            let reply = try await RawHTTP.converse(port: api.port, Array(request.utf8), waitAtMost: .seconds(15))
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.closed)
            #expect(try await api.ticket(ticket, token: cast.customer).messageCount == 0)
        }
    }

    @Test func anOversizedBodyIsRefusedAndTheConnectionClosed() async throws {
        try await withCast(live: true) { api, _, _ in
            let request =
                "POST /api/auth/login HTTP/1.1\r\n\(Self.host)Content-Type: application/json\r\n"
                + "Content-Length: 100000000\r\n\r\n" + String(repeating: "a", count: 4_000)
            let reply = try await RawHTTP.converse(port: api.port, Array(request.utf8), waitAtMost: .seconds(15))
            #expect(reply.status == 413)
            #expect(reply.text.contains(#""code":"TOO_LARGE""#))
            #expect(reply.closed, "after 413 the connection is closed, not left reading")
        }
    }

    /// Half a request, or nothing at all, is closed after the header timeout; an idle kept-alive
    /// connection after the idle timeout. (Before, they were held forever.)
    @Test func slowAndSilentConnectionsAreClosed() async throws {
        try await withCast(
            live: true,
            configure: {
                // Three seconds, not one: on two cores saturated by the whole suite a new
                // connection could sit a second before its request was read, and was closed as slow.
                $0.configuration.headerTimeout = .seconds(3)
                $0.configuration.idleTimeout = .seconds(4)
            }
        ) { api, _, _ in
            let half = try await RawHTTP.converse(
                port: api.port, Array("GET /health HTTP/1.1\r\n\(Self.host)".utf8),
                waitAtMost: .seconds(20))
            #expect(half.closed && half.text.isEmpty)
            #expect(half.elapsed >= .milliseconds(900))
            let silent = try await RawHTTP.converse(port: api.port, [], waitAtMost: .seconds(20))
            #expect(silent.closed && silent.text.isEmpty)
            // A body that stalls is cut off too.
            let stalled = try await RawHTTP.converse(
                port: api.port, Array("POST /api/auth/login HTTP/1.1\r\n\(Self.host)Content-Length: 50\r\n\r\n{\"user".utf8),
                waitAtMost: .seconds(20))
            #expect(stalled.closed)
            // A finished request keeps the connection for the idle timeout, then it is closed.
            let idle = try await RawHTTP.converse(
                port: api.port, Array("GET /health HTTP/1.1\r\n\(Self.host)\r\n".utf8),
                waitAtMost: .seconds(20))
            #expect(idle.status == 200 && idle.closed)
            #expect(idle.elapsed >= .milliseconds(1_900))
            // (The test client's own kept-alive connection was idle too and is closed: ask on a new one.)
            let alive = try await RawHTTP.converse(
                port: api.port, Array("GET /health HTTP/1.1\r\n\(Self.host)Connection: close\r\n\r\n".utf8),
                waitAtMost: .seconds(15))
            #expect(alive.status == 200)
        }
    }

    /// `page × size` past what 64 bits hold once stopped the whole process with an arithmetic
    /// overflow; any signed-in customer could send it.
    @Test func hugePagesAreRefusedOrEmptyNeverATrap() async throws {
        try await withCast(live: true) { api, cast, _ in
            _ = try await api.openTicket(cast.customer)
            let huge = try await api.get("/api/tickets?page=9223372036854775807&size=100", token: cast.customer)
            #expect(huge.status == 400 && huge.error?.code == .invalid)
            let far: Page<Ticket> = try await api.get("/api/tickets?page=2147483647&size=100", token: cast.customer).decode()
            #expect(far.items.isEmpty && far.total == 1)
            for query in ["page=-1", "size=0", "size=101", "customerId=99999999999999999999", "assignedAgentId=9223372036854775807"] {
                #expect(try await api.get("/api/tickets?\(query)", token: cast.agent).status == 400, "\(query)")
            }
            for query in ["afterSeq=9223372036854775807", "beforeSeq=-9223372036854775808", "limit=9223372036854775807"] {
                #expect(try await api.get("/api/tickets/1/messages?\(query)", token: cast.agent).status == 400, "\(query)")
            }
            #expect(try await api.get("/health", token: nil).status == 200)
        }
    }

    /// The store's own guard, for callers that bypass the route: an offset past 64 bits is an empty page.
    @Test func offsetsSaturate() {
        var query = TicketQuery()
        query.page = .max
        query.size = 100
        #expect(query.offset == .max)
        query.page = 3
        #expect(query.offset == 300)
    }
}
