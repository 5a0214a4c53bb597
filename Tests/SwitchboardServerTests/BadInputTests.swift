import Foundation
import Hummingbird
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct BadInputTests {
    /// Bodies that are not what a route takes: each answered 400 INVALID with a sentence.
    @Test func malformedBodiesOnEveryWritingRoute() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let routes: [(HTTPRequest.Method, String, String)] = [
                (.post, "/api/auth/register", cast.customer), (.post, "/api/auth/login", cast.customer),
                (.post, "/api/auth/refresh", cast.customer), (.post, "/api/admin/users", cast.admin),
                (.post, "/api/tickets", cast.customer), (.put, "/api/tickets/\(ticket)", cast.agent),
                (.post, "/api/tickets/\(ticket)/messages", cast.customer), (.post, "/api/tickets/\(ticket)/read", cast.customer),
                (.put, "/api/chat/sessions/1/status", cast.agent), (.post, "/api/canned-responses", cast.agent),
                (.put, "/api/admin/support/agents/\(cast.agentId)/status", cast.admin),
            ]
            for (method, path, token) in routes {
                for body in ["", "{", "[1,2]", "null", "\"text\"", "{\"status\": 5}", "\u{FF}\u{FE}"] {
                    let reply = try await api.call(method, path, token: token, raw: Data(body.utf8))
                    #expect(reply.status == 400, "\(method) \(path) with \(body.debugDescription): \(reply.status) \(reply.text)")
                    #expect(reply.error?.code == .invalid, "\(method) \(path) with \(body.debugDescription)")
                }
            }
        }
    }

    @Test func errorsNameTheField() async throws {
        try await withCast { api, cast, _ in
            let cases: [(String, String)] = [
                (#"{"description":"d","category":"OTHER"}"#, "subject: is required"),
                (#"{"subject":7,"description":"d","category":"OTHER"}"#, "subject: expected a string"),
                (#"{"subject":null,"description":"d","category":"OTHER"}"#, "subject: must not be null"),
                (
                    #"{"subject":"s","description":"d","category":"OTHER","priority":"HUGE"}"#,
                    "priority: unknown value 'HUGE' (expected one of LOW, MEDIUM, HIGH, URGENT)"
                ),
                (
                    #"{"subject":"s","description":"d","category":"other"}"#,
                    "category: unknown value 'other' (expected one of PAYMENT, SHIPPING, ACCOUNT, RETURNS, TECHNICAL, OTHER)"
                ),
                ("{not json", "the body is not valid JSON"),
            ]
            for (json, message) in cases {
                let reply = try await api.call(.post, "/api/tickets", token: cast.customer, raw: Data(json.utf8))
                #expect(reply.status == 400)
                #expect(reply.error?.message == message, "\(json)")
            }
        }
    }

    @Test func overLimitFields() async throws {
        try await withCast { api, cast, _ in
            let long = { (n: Int) in String(repeating: "x", count: n) }
            let ticket = try await api.openTicket(cast.customer).id
            let cases: [(String, any Encodable & Sendable, String?)] = [
                ("/api/auth/register", RegisterRequest(username: long(33), password: "password1", displayName: "n"), nil),
                ("/api/auth/register", RegisterRequest(username: "okname", password: "short", displayName: "n"), nil),
                ("/api/auth/register", RegisterRequest(username: "okname", password: long(129), displayName: "n"), nil),
                ("/api/auth/register", RegisterRequest(username: "okname", password: "password1", displayName: long(65)), nil),
                ("/api/auth/register", RegisterRequest(username: "okname", password: "password1", displayName: "a\u{7}b"), nil),
                ("/api/auth/register", RegisterRequest(username: "okname", password: "password1", displayName: "n", email: "nope"), nil),
                ("/api/tickets", CreateTicketRequest(subject: long(201), description: "d", category: .other), cast.customer),
                ("/api/tickets", CreateTicketRequest(subject: "s", description: long(10_001), category: .other), cast.customer),
                ("/api/tickets", CreateTicketRequest(subject: "   ", description: "d", category: .other), cast.customer),
                ("/api/tickets/\(ticket)/messages", PostMessageRequest(message: long(8_001)), cast.customer),
                ("/api/tickets/\(ticket)/messages", PostMessageRequest(message: " \n\t "), cast.customer),
                ("/api/tickets/\(ticket)/messages", PostMessageRequest(message: "hi", clientMessageId: long(129)), cast.customer),
                // Stored whole but read back cut at it: refused rather than changed.
                ("/api/tickets/\(ticket)/messages", PostMessageRequest(message: "before\u{0}after"), cast.customer),
                ("/api/tickets", CreateTicketRequest(subject: "s\u{0}", description: "d", category: .other), cast.customer),
            ]
            for (path, body, token) in cases {
                let reply = try await api.post(path, token: token, body)
                #expect(reply.status == 400 && reply.error?.code == .invalid, "\(path) \(body): \(reply.text)")
            }
            // At the limit is fine.
            #expect(
                try await api.post(
                    "/api/tickets/\(ticket)/messages", token: cast.customer,
                    PostMessageRequest(message: long(8_000))
                ).status == 201)
            // Nothing of the refused ones was stored.
            #expect(try await api.ticket(ticket, token: cast.agent).messageCount == 1)
            let tickets: Page<Ticket> = try await api.get("/api/tickets", token: cast.agent).decode()
            #expect(tickets.total == 1)
            #expect(try await api.post("/api/auth/login", LoginRequest(username: "okname", password: "password1")).status == 401)
        }
    }

    @Test func badQueriesAndIds() async throws {
        try await withCast { api, cast, _ in
            for query in [
                "status=FOO", "priority=1", "category=FOOD", "size=0", "size=101", "page=-1", "page=x",
                "sort=name", "assignedAgentId=someone", "customerId=me",
            ] {
                let reply = try await api.get("/api/tickets?\(query)", token: cast.agent)
                #expect(reply.status == 400 && reply.error?.code == .invalid, "\(query)")
            }
            for path in [
                "/api/tickets/abc", "/api/tickets/0", "/api/tickets/-3", "/api/tickets/99999",
                "/api/tickets/99999/messages", "/api/chat/sessions/77/messages", "/api/nothing-here",
            ] {
                let reply = try await api.get(path, token: cast.agent)
                #expect(reply.status == 404 && reply.error?.code == .notFound, "\(path): \(reply.text)")
            }
            // Past 31 bits a number cannot be an id at all: 400, as documented (it was a 404 search).
            for path in [
                "/api/tickets/2147483648", "/api/tickets/9223372036854775807", "/api/tickets/99999999999999999999/messages",
                "/api/attachments/4294967296",
            ] {
                let reply = try await api.get(path, token: cast.agent)
                #expect(reply.status == 400 && reply.error?.code == .invalid, "\(path): \(reply.text)")
            }
            #expect(try await api.get("/api/tickets/2147483647", token: cast.agent).status == 404)
            let wrongMethod = try await api.call(.patch, "/api/tickets", token: cast.agent)
            #expect(wrongMethod.status == 404 || wrongMethod.status == 405)
            #expect(wrongMethod.error != nil)
        }
    }

    /// Over 1 MiB is refused whole, over a real socket, and the socket's server keeps serving.
    @Test func oversizeBodyOverARealSocket() async throws {
        try await withCast(live: true) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            // Chunked, so the size is learned only while reading (a declared Content-Length is
            // refused before reading). Over its own socket: after a 413 the server closes it.
            let chunk = #"{"message":""# + String(repeating: "a", count: (1 << 20) + 10) + #""}"#
            let request =
                "POST /api/tickets/\(ticket)/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(cast.customer)\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n"
            let reply = try await RawHTTP.converse(port: api.port, Array(request.utf8), waitAtMost: .seconds(10))
            #expect(reply.status == 413)
            #expect(reply.text.contains(#""code":"TOO_LARGE""#))
            #expect(reply.closed)
            #expect(try await api.ticket(ticket, token: cast.customer).messageCount == 0)
            #expect(try await api.get("/health", token: nil).status == 200)
        }
    }

    /// A smaller configured limit is honoured too.
    @Test func configuredBodyLimit() async throws {
        try await withCast(configure: { $0.configuration.limits.requestBodyBytes = 200 }) { api, cast, _ in
            let reply = try await api.post(
                "/api/tickets", token: cast.customer,
                CreateTicketRequest(subject: "s", description: String(repeating: "d", count: 300), category: .other))
            #expect(reply.status == 413)
        }
    }
}
