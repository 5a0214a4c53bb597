import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SwitchboardProtocol

/// The few REST calls the benchmark needs to set the scene.
struct BenchREST: Sendable {
    let server: URL
    let session: URLSession

    init(server: URL) {
        self.server = server
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 120
        session = URLSession(configuration: configuration)
    }

    func call<Answer: Decodable>(_ method: String, _ path: String, token: String? = nil, body: (any Encodable)? = nil,
                                 as _: Answer.Type = Answer.self) async throws -> Answer {
        var request = URLRequest(url: server.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = try WireJSON.encoder().encode(body) }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let error = (try? WireJSON.decoder().decode(ErrorBody.self, from: data))?.error.message ?? "HTTP \(status)"
            throw BenchError("\(method) \(path): \(error)")
        }
        return try WireJSON.decoder().decode(Answer.self, from: data)
    }

    /// Runs `work` for each index, at most `width` at a time.
    static func forEach(_ count: Int, width: Int = 32, _ work: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(width, count) {
                let index = next
                group.addTask { try await work(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    let index = next
                    group.addTask { try await work(index) }
                    next += 1
                }
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
