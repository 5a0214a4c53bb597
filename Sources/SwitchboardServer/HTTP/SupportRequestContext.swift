import Foundation
import Hummingbird
import NIOCore
import SwitchboardProtocol

/// The request context of every route: who is calling, once `AuthMiddleware` has checked.
public struct SupportRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    /// The peer's IP address, for limits counted per address (nil when not over a socket).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    public var responseEncoder: JSONEncoder { WireJSON.encoder() }
    public var requestDecoder: JSONDecoder { WireJSON.decoder() }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    public func requireCaller() throws(ContractError) -> Caller {
        guard let caller else { throw ContractError(.unauthorized, "log in first: send Authorization: Bearer <accessToken>") }
        return caller
    }

    /// A positive integer id from the path. Not a number at all: no such thing (`404`); a number
    /// past what an id can be (31 bits, as every number of the contract): `400`, as documented.
    public func id(_ name: String = "id") throws(ContractError) -> Int {
        let text = parameters.get(name) ?? ""
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            text.contains(where: { $0 != "0" })
        else {
            throw ContractError(.notFound, "'\(text)' is not an id")
        }
        return try Validator.id(Int(text) ?? Int.max, field: name)
    }
}

extension Request {
    /// The JSON body as `T`, or `TOO_LARGE` / `INVALID` with a sentence that names the field.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        // A declared length past the limit is refused before a byte of the body is read.
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ContractError(.tooLarge, "the request body is over \(limit) bytes")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ContractError(.tooLarge, "the request body is over \(limit) bytes")
        }
        do {
            return try WireJSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            let sentence = error.sentence
            throw ContractError(.invalid, sentence == "not valid JSON" ? "the body is not valid JSON" : sentence)
        }
    }

    /// A query-string value, with empty treated as absent.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// A whole number within `range`, checked here so that nothing later does arithmetic on a
    /// number a client chose freely (`page × size` once overflowed and stopped the server).
    func queryInt(_ name: String, in range: ClosedRange<Int> = Request.queryNumbers) throws(ContractError) -> Int? {
        guard let text = query(name) else { return nil }
        guard let value = Int(text) else { throw ContractError(.invalid, "\(name): '\(text)' is not a whole number") }
        guard range.contains(value) else {
            throw ContractError(.invalid, "\(name): \(range.lowerBound)–\(range.upperBound)")
        }
        return value
    }

    /// What a number in a query may be unless a route says otherwise: ids, seqs and pages all fit
    /// in 31 bits, so sums and products of two of them cannot overflow.
    static let queryNumbers = 0...Int(Int32.max)

    /// A comma-separated list of enum values: `status=OPEN,IN_PROGRESS`.
    func queryList<E: WireEnum>(_ name: String, _: E.Type) throws(ContractError) -> [E] {
        guard let text = query(name) else { return [] }
        var values: [E] = []
        for part in text.split(separator: ",") {
            values.append(try E.parse(part.trimmingCharacters(in: .whitespaces), parameter: name))
        }
        return values
    }
}

// Wire types travel as JSON responses.
extension User: ResponseEncodable {}
extension Ticket: ResponseEncodable {}
extension Message: ResponseEncodable {}
extension Attachment: ResponseEncodable {}
extension ChatSession: ResponseEncodable {}
extension CannedResponse: ResponseEncodable {}
extension Page: ResponseEncodable {}
extension MessagePage: ResponseEncodable {}
extension SearchPage: ResponseEncodable {}
extension Mention: ResponseEncodable {}
extension AuthResponse: ResponseEncodable {}
extension Dashboard: ResponseEncodable {}
extension AgentLoad: ResponseEncodable {}
extension SupportReport: ResponseEncodable {}
extension ChatHistoryEntry: ResponseEncodable {}
extension ServerStatistics: ResponseEncodable {}
extension BusinessHours: ResponseEncodable {}
extension SLASettings: ResponseEncodable {}
extension Webhook: ResponseEncodable {}
extension WebhookDelivery: ResponseEncodable {}
extension APIToken: ResponseEncodable {}
