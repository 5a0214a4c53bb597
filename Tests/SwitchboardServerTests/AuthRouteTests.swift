import Foundation
import JWTKit
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct AuthRouteTests {
    @Test func registerCreatesACustomerAndLogsIn() async throws {
        try await withCast { api, cast, _ in
            let reply = try await api.post(
                "/api/auth/register",
                RegisterRequest(
                    username: "Newbie", password: "longenough", displayName: "  New Bie ", email: "new@example.com"))
            #expect(reply.status == 201)
            let auth: AuthResponse = try reply.decode()
            #expect(auth.user.role == .customer)
            #expect(auth.user.displayName == "New Bie")
            #expect(auth.user.agentStatus == nil)
            #expect(auth.expiresIn == 900)
            let me = try await api.get("/api/me", token: auth.accessToken)
            #expect(try me.decode(User.self).username == "Newbie")
            // Unique regardless of case.
            let again = try await api.post(
                "/api/auth/register",
                RegisterRequest(
                    username: "newbie", password: "longenough", displayName: "Other"))
            #expect(again.status == 409)
            #expect(again.error?.code == .conflict)
        }
    }

    @Test func loginRefusesWrongPasswordAndUnknownUserAlike() async throws {
        try await withCast { api, _, _ in
            let wrong = try await api.post("/api/auth/login", LoginRequest(username: "agent", password: "not the password"))
            let unknown = try await api.post("/api/auth/login", LoginRequest(username: "nobody", password: "whatever1"))
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.error == unknown.error)
            let staff = try await api.login("AGENT")
            #expect(staff.user.role == .agent && staff.user.agentStatus == .offline && staff.user.capacity == 5)
        }
    }

    /// `switchboard users set-password` through the store, on SQLite and (in CI) PostgreSQL: the
    /// accounts listed, the old password and the login made with it no longer work, the new one does.
    @Test func aNewPasswordFromTheStoreEndsTheSessions() async throws {
        try await withCast { api, _, server in
            let before = try await api.login("agent")
            let store = try await openStore(server.configuration, logger: .init(label: "test"))
            let users = try await store.users()
            #expect(users.map(\.id) == users.map(\.id).sorted() && users.contains { $0.username == "agent" && $0.role == .agent })
            let agent = try #require(try await store.user(username: "agent"))
            let hash = try await PasswordHasher(cost: 4).hash("a brand new one")
            #expect(try await store.setPassword(userId: agent.user.id, passwordHash: hash, now: server.clock.now))
            #expect(try await store.setPassword(userId: 99_999, passwordHash: hash, now: server.clock.now) == false)
            try await store.close()
            #expect(try await api.post("/api/auth/login", LoginRequest(username: "agent", password: TestServer.password)).status == 401)
            #expect(try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: before.refreshToken)).status == 401)
            #expect(try await api.get("/api/me", token: before.accessToken).status == 401)
            #expect(try await api.login("agent", password: "a brand new one").user.username == "agent")
        }
    }

    /// `switchboard users set-role` through the store, on SQLite and (in CI) PostgreSQL: an agent
    /// made an admin signs in again and is one; staff with a ticket that is not closed stay staff.
    @Test func aNewRoleFromTheStoreEndsTheSessions() async throws {
        try await withCast { api, cast, server in
            let before = try await api.login("agent2")
            let ticket = try await api.openTicket(cast.customer, category: .payment).id
            _ = try await api.put("/api/tickets/\(ticket)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            let store = try await openStore(server.configuration, logger: .init(label: "test"))
            let now = server.clock.now
            #expect(try await store.setRole(userId: cast.agent2Id, role: .admin, now: now) == .agent)
            #expect(try await store.setRole(userId: cast.agent2Id, role: .admin, now: now) == .admin, "nothing to change")
            #expect(try await store.setRole(userId: 99_999, role: .admin, now: now) == nil)
            await #expect(throws: ContractError.self) { try await store.setRole(userId: cast.agentId, role: .customer, now: now) }
            #expect(try await store.user(id: cast.agentId)?.user.role == .agent, "refused: the role stays")
            #expect(try await store.setRole(userId: cast.customer2Id, role: .agent, now: now) == .customer)
            #expect(try await store.user(id: cast.customer2Id)?.user.agentStatus == .offline)
            try await store.close()

            #expect(try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: before.refreshToken)).status == 401)
            #expect(try await api.get("/api/me", token: before.accessToken).status == 401)
            #expect(try await api.login("agent2").user.role == .admin)
            #expect(try await api.get("/api/admin/support/dashboard", token: try await api.login("agent2").accessToken).status == 200)
            #expect(try await api.get("/api/me", token: cast.customer2).status == 401, "the customer's session ended too")
        }
    }

    @Test func refreshRotatesAndARefreshTokenWorksOnce() async throws {
        try await withCast { api, _, _ in
            let first = try await api.login("agent")
            let second = try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: first.refreshToken))
            #expect(second.status == 200)
            let rotated: AuthResponse = try second.decode()
            #expect(rotated.refreshToken != first.refreshToken)
            #expect(try await api.get("/api/me", token: rotated.accessToken).status == 200)

            // Presenting the used token again looks like theft: refused, and the whole login ends.
            let replay = try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: first.refreshToken))
            #expect(replay.status == 401)
            #expect(try await api.get("/api/me", token: rotated.accessToken).status == 401)
            let afterTheft = try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: rotated.refreshToken))
            #expect(afterTheft.status == 401)
            // Other logins of the same user are untouched.
            #expect(try await api.get("/api/me", token: try await api.login("agent").accessToken).status == 200)
        }
    }

    @Test func refreshTokensExpire() async throws {
        try await withCast { api, _, server in
            let auth = try await api.login("agent")
            server.clock.advance(31 * 86_400)
            let reply = try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: auth.refreshToken))
            #expect(reply.status == 401)
            #expect(reply.error?.message.contains("expired") == true)
            #expect(try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: "made-up")).status == 401)
        }
    }

    @Test func logoutEndsTheLoginOnly() async throws {
        try await withCast { api, _, _ in
            let phone = try await api.login("agent"), laptop = try await api.login("agent")
            #expect(try await api.call(.post, "/api/auth/logout", token: phone.accessToken).status == 204)
            #expect(try await api.get("/api/me", token: phone.accessToken).status == 401)
            #expect(try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: phone.refreshToken)).status == 401)
            #expect(try await api.get("/api/me", token: laptop.accessToken).status == 200)
        }
    }

    @Test func expiredAccessTokenIsRefused() async throws {
        try await withCast { api, cast, server in
            server.clock.advance(15 * 60 + 1)
            let reply = try await api.get("/api/me", token: cast.agent)
            #expect(reply.status == 401)
            #expect(reply.error == .init(code: .unauthorized, message: "the access token has expired"))
        }
    }

    @Test func tamperedTokensAreRefused() async throws {
        try await withCast { api, cast, _ in
            let parts = cast.customer.split(separator: ".").map(String.init)
            // Claim to be an admin, keeping the customer's signature.
            var claims = try JSONSerialization.jsonObject(with: Data(base64URLEncoded: parts[1])!) as! [String: Any]
            claims["role"] = "ADMIN"
            claims["sub"] = String(cast.adminId)
            let forged = [parts[0], try JSONSerialization.data(withJSONObject: claims).base64URLEncodedString(), parts[2]]
                .joined(separator: ".")
            #expect(try await api.get("/api/me", token: forged).status == 401)
            // Unsigned (`alg: none`), with and without a trailing dot.
            let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URLEncodedString()
            for token in ["\(none).\(parts[1]).", "\(none).\(parts[1])"] {
                #expect(try await api.get("/api/me", token: token).status == 401)
            }
            for token in ["", "garbage", "a.b.c", cast.customer + "x"] {
                #expect(try await api.get("/api/me", token: token).status == 401)
            }
            #expect(try await api.get("/api/me", token: nil).status == 401)
        }
    }

    /// Tokens signed with our own secret but for another audience or issuer are refused too.
    @Test func wrongAudienceAndIssuerAreRefused() async throws {
        try await withCast { api, cast, server in
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: server.configuration.jwtSecret!), digestAlgorithm: .sha256)
            let login = try await api.login("agent")
            let sid = try #require(Self.claims(login.accessToken)["sid"] as? String)
            let now = server.clock.now
            func token(iss: String, aud: String) async throws -> String {
                try await keys.sign(
                    AccessClaims(
                        sub: .init(value: String(cast.agentId)), sid: sid, role: "AGENT", iss: .init(value: iss),
                        aud: .init(value: [aud]), iat: .init(value: now), exp: .init(value: now.addingTimeInterval(600))))
            }
            #expect(try await api.get("/api/me", token: try await token(iss: "switchboard", aud: "switchboard-api")).status == 200)
            #expect(try await api.get("/api/me", token: try await token(iss: "switchboard", aud: "billing")).status == 401)
            #expect(try await api.get("/api/me", token: try await token(iss: "elsewhere", aud: "switchboard-api")).status == 401)
        }
    }

    @Test func adminCreatesStaffAccounts() async throws {
        try await withCast { api, cast, _ in
            let request = CreateUserRequest(username: "agent3", password: "password3", displayName: "Third Agent", role: .agent)
            let reply = try await api.post("/api/admin/users", token: cast.admin, request)
            #expect(reply.status == 201)
            #expect(try reply.decode(User.self).role == .agent)
            #expect(try await api.login("agent3", password: "password3").user.agentStatus == .offline)
            #expect(try await api.post("/api/admin/users", token: cast.agent, request).status == 403)
            #expect(try await api.post("/api/admin/users", token: cast.admin, request).status == 409)
        }
    }

    static func claims(_ token: String) throws -> [String: Any] {
        let payload = String(token.split(separator: ".")[1])
        return try JSONSerialization.jsonObject(with: Data(base64URLEncoded: payload)!) as! [String: Any]
    }
}
