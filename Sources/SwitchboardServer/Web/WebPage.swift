import CompressNIO
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardProtocol
import SwitchboardWeb

/// The customer page, built into the binary (SwitchboardWeb): `/` (the page), `/widget.js` (the
/// loader a company puts on its own site), `/sw.js` (the page's offline copy) and
/// `/assets/<bundle>/<file>`. `<bundle>` is a hash of every asset's content, so a new build has
/// new addresses: assets are cached for a year ("immutable"), the page and loaders never without
/// asking. The JavaScript modules import each other by relative path, so one hash for the lot
/// keeps them plain files. Everything is gzipped once, at start.
public struct WebPage: Sendable {
    struct Asset: Sendable {
        let plain: ByteBuffer
        let gzipped: ByteBuffer?
        let contentType: String
        let etag: String
        let cacheControl: String
        /// The page's Content-Security-Policy, on the page and its worker (for other files a
        /// policy would mean nothing: the connection guard's API policy goes on them).
        var policy: String? = nil
    }

    let bundle: String
    let assets: [String: Asset]
    let page: Asset
    let widget: Asset
    let serviceWorker: Asset

    /// Files served under `/assets/<bundle>/`; the others are served at the root, filled in.
    static let rootFiles: Set<String> = ["index.html", "widget.js", "sw.js"]

    public init(limits: Limits, allowedOrigins: [String], files: [String: [UInt8]] = WebFiles.all) {
        let assetNames = files.keys.filter { !Self.rootFiles.contains($0) }.sorted()
        var digest = SHA256()
        for name in assetNames {
            digest.update(data: Data(name.utf8))
            digest.update(data: Data(files[name] ?? []))
        }
        let bundle = digest.finalize().lowercaseHex.prefix(16)
        self.bundle = String(bundle)
        let immutable = "public, max-age=31536000, immutable"
        var assets: [String: Asset] = [:]
        for name in assetNames { assets[name] = Self.asset(files[name] ?? [], name: name, cacheControl: immutable) }
        self.assets = assets
        let prefix = "/assets/\(bundle)"
        let html = String(decoding: files["index.html"] ?? [], as: UTF8.self)
            .replacingOccurrences(of: "{{ASSETS}}", with: prefix)
            .replacingOccurrences(of: "{{CONFIG}}", with: Self.attribute(Self.configuration(limits)))
        // The page's Content-Security-Policy: its own files only, no inline script or style. A
        // worker runs under its own script's policy: the page's, so that it may fetch the page.
        let policy = Self.policy(allowedOrigins: allowedOrigins)
        page = Self.asset(Array(html.utf8), name: "index.html", cacheControl: "no-cache", policy: policy)
        let fileList = assetNames.map { "\"\(prefix)/\($0)\"" }.joined(separator: ",")
        let worker = String(decoding: files["sw.js"] ?? [], as: UTF8.self)
            .replacingOccurrences(of: "{{BUNDLE}}", with: String(bundle))
            .replacingOccurrences(of: "{{FILES}}", with: "[\(fileList)]")
        serviceWorker = Self.asset(Array(worker.utf8), name: "sw.js", cacheControl: "no-cache", policy: policy)
        widget = Self.asset(files["widget.js"] ?? [], name: "widget.js", cacheControl: "public, max-age=300")
    }

    /// `frame-ancestors` lists the allowed origins that are web origins (`https://shop.example`);
    /// anything else in the list (`ws://…`, a typo) is left out rather than loosening the policy.
    static func policy(allowedOrigins: [String]) -> String {
        let framers = allowedOrigins.filter { origin in
            origin.range(of: #"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$"#, options: .regularExpression) != nil
        }
        return [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
            "connect-src 'self'", "worker-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'",
            "frame-ancestors " + (["'self'"] + framers).joined(separator: " "),
        ].joined(separator: "; ")
    }

    /// What the page needs to check input as the server will: the contract's limits, as set here.
    static func configuration(_ limits: Limits) -> String {
        let fields: [String: any Sendable] = [
            "usernameLength": [limits.usernameLength.lowerBound, limits.usernameLength.upperBound],
            "passwordLength": [limits.passwordLength.lowerBound, limits.passwordLength.upperBound],
            "displayNameMaxLength": limits.displayNameMaxLength, "subjectMaxLength": limits.subjectMaxLength,
            "descriptionMaxLength": limits.descriptionMaxLength, "messageMaxLength": limits.messageMaxLength,
            "attachmentBytes": limits.attachmentBytes,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: ["limits": fields], options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Text for a double-quoted HTML attribute.
    static func attribute(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func asset(_ bytes: [UInt8], name: String, cacheControl: String, policy: String? = nil) -> Asset {
        let plain = ByteBuffer(bytes: bytes)
        var input = plain
        let gzipped = try? input.compress(with: .gzip())
        let etag = "\"" + SHA256.hash(data: bytes).prefix(12).lowercaseHex + "\""
        return Asset(
            plain: plain, gzipped: gzipped, contentType: contentType(of: name), etag: etag, cacheControl: cacheControl, policy: policy)
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }

    /// Total bytes of the page and its assets, uncompressed and gzipped (the issue's 150 KB budget).
    public var weight: (plain: Int, gzipped: Int) {
        let all = Array(assets.values) + [page]
        return (all.reduce(0) { $0 + $1.plain.readableBytes }, all.reduce(0) { $0 + ($1.gzipped ?? $1.plain).readableBytes })
    }

    // MARK: Routes

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    func addRoutes(to router: Router<SupportRequestContext>) {
        router.get("/") { request, _ in self.answer(self.page, to: request) }
        router.get("widget.js") { request, _ in self.answer(self.widget, to: request) }
        router.get("sw.js") { request, _ in self.answer(self.serviceWorker, to: request) }
        router.get("assets/:bundle/:file") { request, context -> Response in
            // An older page asking for an older bundle after an upgrade gets a 404, not another
            // file under the old name that a cache would then keep for a year.
            guard context.parameters.get("bundle") == self.bundle, let name = context.parameters.get("file"),
                let asset = self.assets[name]
            else { throw ContractError(.notFound, "no such file in this server's web page") }
            return self.answer(asset, to: request)
        }
    }

    func answer(_ asset: Asset, to request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: asset.cacheControl, .eTag: asset.etag, .vary: "Accept-Encoding",
        ]
        headers[Self.referrerPolicy] = "same-origin"
        if let policy = asset.policy { headers[.contentSecurityPolicy] = policy }
        if request.headers[values: .ifNoneMatch].contains(where: {
            $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == asset.etag }
        }) {
            return Response(status: .notModified, headers: headers)
        }
        let acceptsGzip = request.headers[values: .acceptEncoding].contains { $0.lowercased().contains("gzip") }
        if acceptsGzip, let gzipped = asset.gzipped, gzipped.readableBytes < asset.plain.readableBytes {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.plain))
    }
}
