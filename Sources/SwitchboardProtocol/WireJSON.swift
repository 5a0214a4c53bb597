import Foundation

/// JSON as the contract writes it: camelCase keys, RFC 3339 UTC timestamps with milliseconds.
public enum WireJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an RFC 3339 timestamp")
            }
            return date
        }
        return decoder
    }
}

/// RFC 3339 timestamps, always written in UTC with milliseconds: `2026-11-24T10:02:03.123Z`.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// Formats from whole milliseconds: a formatter given the float would truncate .123 to .122.
    public static func format(_ date: Date) -> String {
        let ms = millis(date)
        let seconds = ms.quotientAndRemainderFlooring(dividingBy: 1000)
        let whole = withoutFraction.format(Date(timeIntervalSince1970: Double(seconds.quotient)))
        let fraction = String(seconds.remainder + 1000).dropFirst()
        return whole.dropLast() + "." + fraction + "Z"
    }

    /// Accepts timestamps with or without fractional seconds, and a bare `YYYY-MM-DD` (midnight UTC).
    public static func parse(_ text: String) -> Date? {
        if let date = try? withFraction.parse(text) { return date }
        if let date = try? withoutFraction.parse(text) { return date }
        if text.count == 10, let date = try? withoutFraction.parse(text + "T00:00:00Z") { return date }
        return nil
    }

    /// Milliseconds since 1970, the storage form of every timestamp.
    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

extension Int64 {
    /// Division rounding toward minus infinity, so times before 1970 format correctly too.
    func quotientAndRemainderFlooring(dividingBy divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}

/// An optional that the contract writes as `null` rather than leaving out (`assignedAgent: UserRef|null`).
/// Swift's synthesised `Encodable` skips nil optionals, so wrapped properties encode `nil` explicitly.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key decodes as `nil` too, so clients may leave nullable fields out.
    public func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// A list that older servers and clients leave out: missing decodes as empty; always encoded.
@propertyWrapper
public struct EmptyIfMissing<Element: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: [Element]

    public init(wrappedValue: [Element]) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? [] : try container.decode([Element].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    public func decode<Element>(_ type: EmptyIfMissing<Element>.Type, forKey key: Key) throws -> EmptyIfMissing<Element> {
        try decodeIfPresent(type, forKey: key) ?? EmptyIfMissing(wrappedValue: [])
    }
}

/// A field of a partial update (`PUT`) where leaving it out and sending `null` mean different
/// things: `assignedAgentId: null` unassigns, no `assignedAgentId` leaves the assignee alone.
public enum Patch<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    case unchanged
    case set(Value?)

    /// The new value when the field was given.
    public var given: Value?? {
        if case .set(let value) = self { return .some(value) }
        return .none
    }
}

extension KeyedDecodingContainer {
    public func decodePatch<Value>(_ type: Value.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .unchanged }
        if try decodeNil(forKey: key) { return .set(nil) }
        return .set(try decode(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    public mutating func encodePatch<Value>(_ patch: Patch<Value>, forKey key: Key) throws {
        if case .set(let value) = patch {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
    }
}

extension DecodingError {
    /// A sentence that names the field: `subject: is required`, `priority: unknown value 'HUGE' (…)`.
    public var sentence: String {
        func path(_ context: Context, _ key: (any CodingKey)? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "\(path(context, key)): is required"
        case .valueNotFound(_, let context):
            return "\(path(context)): must not be null"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(Self.kind(of: type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "not in the expected shape"
        }
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt8.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: "an object or value of another kind"
        }
    }
}
