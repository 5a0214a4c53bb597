import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP answer as it came: for the tester's REST console and for showing why a socket was refused.
public struct RawResponse: Equatable, Sendable {
    public var status: Int
    public var headers: [Header]
    public var body: String

    public struct Header: Equatable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, headers: [Header], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension APIClient {
    /// Any request, exactly as given: `path` with its query, `body` as typed (sent as JSON when
    /// there is one), `token` as the bearer (none: no Authorization header). No refresh, no retry,
    /// no error for a 4xx or 5xx: the answer is what the tester wants to see.
    public func raw(
        method: String, path: String, body: String?, token: String?,
        headers extra: [RawResponse.Header] = []
    ) async throws(APIError) -> RawResponse {
        let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard let url = URL(string: relative, relativeTo: server.hasDirectoryPath ? server : server.appendingPathComponent("")) else {
            throw APIError(code: .invalid, message: "\(path) is not a path", status: 0)
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method.uppercased())
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for header in extra { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: requestTimeout)
            let data = try await response.body.collect(upTo: 16 << 20)
            return RawResponse(
                status: Int(response.status.code),
                headers: response.headers.map { RawResponse.Header(name: $0.name, value: $0.value) },
                body: String(buffer: data))
        } catch {
            throw APIError.transport(error, "\(server.host ?? "server") did not answer")
        }
    }
}
