import Foundation
import HTTPTypes
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer
@testable import SwitchboardWeb

/// The customer page as the server serves it (issue 35): built in, hashed, compressed, cached,
/// under a strict policy; and the sign-in cookie that keeps its refresh token from its scripts.
/// The page's behaviour in a real browser is scripts/web-test's.
@Suite struct WebPageTests {
    static let session: HTTPFields = [HTTPField.Name("X-Switchboard-Session")!: "cookie"]

    @Test func thePageAndItsAssetsComeFromTheBinaryUnderAStrictPolicy() async throws {
        try await withCast { api, _, _ in
            let page = try await api.get("/", token: nil)
            #expect(page.status == 200 && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-cache")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(policy.contains("frame-ancestors 'self'") && policy.contains("default-src 'none'"))
            // No inline script or style in the page itself (the policy would refuse them anyway).
            #expect(!page.text.contains("<script>") && !page.text.contains("style=") && !page.text.contains("<style"))
            // Every asset it names is served under one content hash, cached for good.
            let names = page.text.matches(of: /"(\/assets\/[0-9a-f]{16}\/[a-z]+\.(?:js|css|svg))"/).map { String($0.1) }
            #expect(names.count == 3, "\(names)")
            for name in names {
                let asset = try await api.get(name, token: nil)
                #expect(asset.status == 200, "\(name)")
                #expect(asset.headers[.cacheControl] == "public, max-age=31536000, immutable")
            }
            // The modules import each other by relative path: they are all under the same hash.
            let bundle = try #require(names.first?.split(separator: "/")[1])
            #expect(try await api.get("/assets/\(bundle)/realtime.js", token: nil).status == 200)
            let stale = try await api.get("/assets/0000000000000000/app.js", token: nil)
            #expect(stale.status == 404 && stale.error?.code == .notFound)
            #expect(try await api.get("/assets/\(bundle)/index.html", token: nil).status == 404)
            let widget = try await api.get("/widget.js", token: nil)
            #expect(widget.status == 200 && widget.headers[.contentType] == "text/javascript; charset=utf-8")
            let worker = try await api.get("/sw.js", token: nil)
            #expect(worker.text.contains("/assets/\(bundle)/app.js") && !worker.text.contains("{{"))
        }
    }

    @Test func servedCompressedWithValidators() async throws {
        try await withCast { api, _, _ in
            let plain = try await api.get("/", token: nil)
            let gzipped = try await api.call(.get, "/", headers: [.acceptEncoding: "gzip, deflate, br"])
            #expect(gzipped.headers[.contentEncoding] == "gzip" && gzipped.headers[.vary] == "Accept-Encoding")
            #expect(gzipped.body.count < plain.body.count / 2)
            #expect(Array(gzipped.body.prefix(2)) == [0x1f, 0x8b])
            let etag = try #require(plain.headers[.eTag])
            let again = try await api.call(.get, "/", headers: [.ifNoneMatch: etag])
            #expect(again.status == 304 && again.body.isEmpty)
        }
    }

    /// The issue's budget: under 150 KB uncompressed, page and assets together.
    @Test func thePageWeighsUnder150KB() {
        let page = WebPage(limits: Limits(), allowedOrigins: [])
        #expect(page.weight.plain < 150 * 1024, "\(page.weight)")
        #expect(page.weight.gzipped < page.weight.plain / 2)
        #expect(WebFiles.all.keys.sorted() == (page.assets.keys.sorted() + ["index.html", "sw.js", "widget.js"]).sorted())
    }

    @Test func framingFollowsTheAllowedOrigins() {
        let policy = WebPage.policy(allowedOrigins: [
            "https://shop.example", "http://localhost:8000", "ws://shop.example", "https://x.example/path", "'unsafe-inline'",
        ])
        #expect(policy.hasSuffix("frame-ancestors 'self' https://shop.example http://localhost:8000"))
        #expect(WebPage.policy(allowedOrigins: []).hasSuffix("frame-ancestors 'self'"))
        // The page's own limits reach it as data, escaped for the attribute.
        #expect(WebPage.attribute(#"{"a":"<b>&"}"#) == "{&quot;a&quot;:&quot;&lt;b&gt;&amp;&quot;}")
    }

    @Test func theRefreshTokenLivesInAnHttpOnlyCookieOfTheRefreshRoute() async throws {
        try await withCast { api, _, _ in
            let login = try await api.call(
                .post, "/api/auth/login", json: LoginRequest(username: "agent", password: TestServer.password), headers: Self.session)
            #expect(login.status == 200)
            let answer: AuthResponse = try login.decode()
            #expect(answer.refreshToken.isEmpty && !answer.accessToken.isEmpty)
            let cookie = try #require(login.headers[.setCookie])
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth/refresh", "Max-Age="] {
                #expect(cookie.contains(attribute), "\(cookie)")
            }
            let token = try #require(cookie.split(separator: ";").first.map { String($0.dropFirst("sb_refresh=".count)) })
            // The cookie refreshes (rotating), with the header; the body is not needed.
            let refreshed = try await api.call(.post, "/api/auth/refresh", headers: Self.session + [.cookie: "sb_refresh=\(token)"])
            #expect(refreshed.status == 200, "\(refreshed.text)")
            let next = try #require(refreshed.headers[.setCookie])
            let rotated: AuthResponse = try refreshed.decode()
            #expect(!next.contains(token) && rotated.refreshToken.isEmpty)
            // The used one is spent (and, as for body tokens, its reuse ends that sign-in: theft).
            #expect(try await api.call(.post, "/api/auth/refresh", headers: Self.session + [.cookie: "sb_refresh=\(token)"]).status == 401)
            #expect(try await api.get("/api/me", token: rotated.accessToken).status == 401)
            // Without the cookie, or from another site's page: refused.
            #expect(try await api.call(.post, "/api/auth/refresh", headers: Self.session).status == 401)
            let foreign = try await api.call(
                .post, "/api/auth/refresh",
                headers: Self.session + [.cookie: next.split(separator: ";")[0].description, .origin: "https://evil.example"])
            #expect(foreign.status == 403 && foreign.error?.code == .forbidden)
            #expect(
                try await api.call(.post, "/api/auth/refresh", headers: [HTTPField.Name("X-Switchboard-Session")!: "yes"]).status == 400)
            // A refused header is refused before the work: no account is made behind the 400.
            let newcomer = RegisterRequest(username: "webby", password: TestServer.password, displayName: "Webby")
            let bad = try await api.call(
                .post, "/api/auth/register", json: newcomer, headers: [HTTPField.Name("X-Switchboard-Session")!: "yes"])
            #expect(bad.status == 400)
            #expect(try await api.call(.post, "/api/auth/register", json: newcomer, headers: Self.session).status == 201)
            // Signing out clears the cookie.
            let again = try await api.call(
                .post, "/api/auth/login", json: LoginRequest(username: "agent", password: TestServer.password), headers: Self.session)
            let fresh: AuthResponse = try again.decode()
            let out = try await api.call(.post, "/api/auth/logout", token: fresh.accessToken, headers: Self.session)
            #expect(out.status == 204 && out.headers[.setCookie]?.contains("Max-Age=0") == true)
            // Other clients keep the contract's body token.
            let plain = try await api.login("agent")
            #expect(!plain.refreshToken.isEmpty)
        }
    }
}

extension HTTPFields {
    static func + (left: HTTPFields, right: HTTPFields) -> HTTPFields {
        var sum = left
        sum.append(contentsOf: right)
        return sum
    }
}
