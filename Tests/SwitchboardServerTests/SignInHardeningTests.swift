import Foundation
import JWTKit
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Tokens that are not valid yet, weak secrets, and password guessing (issue 9).
@Suite struct SignInHardeningTests {
    /// A token signed with the server's own secret, with chosen times.
    static func token(_ server: TestServer, userId: Int, sid: String, iat: Date, nbf: Date?) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: server.configuration.jwtSecret!), digestAlgorithm: .sha256)
        return try await keys.sign(
            AccessClaims(
                sub: .init(value: String(userId)), sid: sid, role: "AGENT", iss: .init(value: "switchboard"),
                aud: .init(value: ["switchboard-api"]), iat: .init(value: iat), exp: .init(value: iat.addingTimeInterval(3_600)),
                nbf: nbf.map { NotBeforeClaim(value: $0) }))
    }

    @Test func tokensFromTheFutureAreRefused() async throws {
        try await withCast { api, cast, server in
            let login = try await api.login("agent")
            let sid = try #require(try AuthRouteTests.claims(login.accessToken)["sid"] as? String)
            #expect(try AuthRouteTests.claims(login.accessToken)["nbf"] != nil, "issued tokens carry nbf")
            let now = server.clock.now
            let later = try await Self.token(server, userId: cast.agentId, sid: sid, iat: now, nbf: now.addingTimeInterval(3_600))
            let refused = try await api.get("/api/me", token: later)
            #expect(refused.status == 401 && refused.error?.message == "the access token is not valid yet")
            let minted = try await Self.token(server, userId: cast.agentId, sid: sid, iat: now.addingTimeInterval(600), nbf: nil)
            #expect(try await api.get("/api/me", token: minted).status == 401)
            // A clock a little ahead (another node's) is within the leeway.
            let skewed = try await Self.token(
                server, userId: cast.agentId, sid: sid, iat: now.addingTimeInterval(30),
                nbf: now.addingTimeInterval(30))
            #expect(try await api.get("/api/me", token: skewed).status == 200)
        }
    }

    @Test func aShortSecretStopsTheServerWithASentence() async throws {
        var server = try TestServer()
        defer { server.cleanUp() }
        server.configuration.jwtSecret = "too-short"
        do {
            _ = try await buildApplication(server.configuration)
            Issue.record("a 9-byte secret was accepted")
        } catch let error as ConfigError {
            #expect(error.description.contains("the JWT secret is 9 bytes; it must be at least 32"))
        }
        server.configuration.jwtSecret = String(repeating: "k", count: 32)
        _ = try await buildApplication(server.configuration)
    }

    // MARK: Login guessing

    @Test func failedLoginsWaitLongerAndLongerThenASuccessClears() async throws {
        try await withCast(live: true) { api, _, server in
            func attempt(_ username: String, _ password: String) async throws -> Reply {
                try await api.post("/api/auth/login", LoginRequest(username: username, password: password))
            }
            for _ in 0..<5 { #expect(try await attempt("agent", "wrong password").status == 401) }
            // The sixth must wait, whatever the password: the answer says how long.
            let waiting = try await attempt("agent", TestServer.password)
            #expect(waiting.status == 429 && waiting.error?.code == .rateLimited)
            #expect(waiting.headers[.retryAfter] == "1")
            server.clock.advance(1.5)
            #expect(try await attempt("agent", "wrong again").status == 401)
            // Each further failure doubles the wait.
            #expect(try await attempt("agent", TestServer.password).headers[.retryAfter] == "2")
            server.clock.advance(2.5)
            #expect(try await attempt("agent", TestServer.password).status == 200)
            // The success cleared the count: five free failures again.
            for _ in 0..<5 { #expect(try await attempt("agent", "wrong password").status == 401) }
        }
    }

    /// An unknown username is throttled exactly like a known one, so the answers tell nothing.
    @Test func unknownUsernamesAreThrottledAlike() async throws {
        try await withCast(live: true, configure: { $0.configuration.loginThrottle.freeFailures = 3 }) { api, _, _ in
            for username in ["agent2", "nobody-here"] {
                var statuses: [Int] = []
                for _ in 0..<4 {
                    statuses.append(try await api.post("/api/auth/login", LoginRequest(username: username, password: "guess")).status)
                }
                // The address's own count (3 failures by then) throttles the second username at once.
                #expect(statuses.last == 429, "\(username): \(statuses)")
            }
        }
    }

    @Test func registrationsPerAddressAreLimited() async throws {
        try await withCast(live: true, configure: { $0.configuration.registrationsPerHour = 4 }) { api, _, server in
            // The cast registered two customers already.
            _ = try await api.register("third")
            _ = try await api.register("fourth")
            let refused = try await api.post(
                "/api/auth/register",
                RegisterRequest(
                    username: "fifth", password: TestServer.password, displayName: "Fifth"))
            #expect(refused.status == 429 && refused.error?.code == .rateLimited)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 3_000)
            server.clock.advance(3_601)
            _ = try await api.register("fifth")
        }
    }

    // MARK: The throttle as a value

    @Test func theThrottleDoublesItsWaitUpToTheCeiling() {
        var throttle = LoginThrottle(
            policy: {
                var p = LoginThrottle.Policy()
                p.maxDelay = 60
                return p
            }())
        let start = Date(timeIntervalSince1970: 0), keys = ["user:a"]
        for second in 0..<5 { throttle.failed(keys, now: start.addingTimeInterval(Double(second))) }
        #expect(throttle.wait(keys, now: start.addingTimeInterval(4)) == 1)
        #expect(throttle.delay(afterFailures: 6) == 2 && throttle.delay(afterFailures: 9) == 16)
        #expect(throttle.delay(afterFailures: 60) == 60 && throttle.delay(afterFailures: .max) == 60)
        #expect(throttle.wait(["user:b"], now: start) == nil)
        // Forgotten after an hour without failures.
        #expect(throttle.wait(keys, now: start.addingTimeInterval(3_700)) == nil)
        throttle.succeeded(keys)
        #expect(throttle.keyCount == 0)
    }

    @Test func aSprayOfUsernamesCannotGrowMemoryWithoutEnd() {
        var throttle = LoginThrottle(
            policy: {
                var p = LoginThrottle.Policy()
                p.maxKeys = 100
                return p
            }())
        let now = Date()
        for index in 0..<1_000 { throttle.failed(["user:\(index)"], now: now.addingTimeInterval(Double(index))) }
        #expect(throttle.keyCount <= 100)
        #expect(throttle.wait(["user:999"], now: now) == nil)  // one failure: free
    }
}
