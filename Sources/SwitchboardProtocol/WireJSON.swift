import Foundation

/// JSON as the contract writes it: camelCase keys, RFC 3339 UTC timestamps with milliseconds.
public enum WireJSON {
    /// One of each for the whole process: Foundation's coders are safe to share between threads,
    /// and making one (options, a date strategy's closure) cost more than a small frame's coding.
    public static let sharedEncoder = encoder()
    public static let sharedDecoder = decoder()

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        // Sorted: Foundation's encoder on Linux writes an object's keys in hash order otherwise,
        // which changes from run to run (people read these frames in the tester and in logs).
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

    /// Formats from whole milliseconds (a formatter given the float would truncate .123 to .122),
    /// by arithmetic: every message and ticket on the wire carries timestamps, and Foundation's
    /// ISO 8601 formatter cost several microseconds each. Years before 1600 and after 9999 still go
    /// through it: Foundation's calendar is Julian before October 1582, and `parse` reads with it.
    public static func format(_ date: Date) -> String {
        let (seconds, ms) = millis(date).quotientAndRemainderFlooring(dividingBy: 1000)
        let (days, secondOfDay) = seconds.quotientAndRemainderFlooring(dividingBy: 86_400)
        let (year, month, day) = civil(daysSince1970: days)
        guard (1600...9999).contains(year) else {
            let whole = withoutFraction.format(Date(timeIntervalSince1970: Double(seconds)))
            return whole.dropLast() + "." + String(ms + 1000).dropFirst() + "Z"
        }
        var text = [UInt8]()
        text.reserveCapacity(24)
        func put(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        put(year, digits: 4)
        text.append(UInt8(ascii: "-"))
        put(month, digits: 2)
        text.append(UInt8(ascii: "-"))
        put(day, digits: 2)
        text.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, digits: 2)
        text.append(UInt8(ascii: ":"))
        put(secondOfDay % 3600 / 60, digits: 2)
        text.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, digits: 2)
        text.append(UInt8(ascii: "."))
        put(ms, digits: 3)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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

/// A flag that older servers and clients leave out: missing decodes as false; always encoded.
@propertyWrapper
public struct FalseIfMissing: Codable, Sendable, Equatable {
    public var wrappedValue: Bool

    public init(wrappedValue: Bool) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? false : try container.decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    public func decode(_ type: FalseIfMissing.Type, forKey key: Key) throws -> FalseIfMissing {
        try decodeIfPresent(type, forKey: key) ?? FalseIfMissing(wrappedValue: false)
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
