/// The contract's enums (protocol.md, "Enums"). Raw values are the wire spelling.

/// A value of a closed set that decodes with a sentence naming the allowed values,
/// so a client sending `"priority": "HUGE"` is told what would have been accepted.
public protocol WireEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown value '\(raw)' (expected one of \(Self.allowedValues))"
            )
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// `A, B, C` — for error messages.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// A body's list of values as written (`["ticket.created", …]`, exact spelling): at least one,
    /// each known — else a sentence naming `field` and what is allowed — duplicates dropped.
    public static func list(_ names: [String], field: String) throws(ContractError) -> [Self] {
        guard !names.isEmpty else { throw ContractError(.invalid, "\(field): give at least one of \(allowedValues)") }
        var values: [Self] = []
        for name in names {
            guard let value = Self(rawValue: name) else {
                throw ContractError(.invalid, "\(field): '\(String(name.prefix(40)))' is not one of \(allowedValues)")
            }
            if !values.contains(value) { values.append(value) }
        }
        return values
    }

    /// Parses a query-string value, naming the parameter in the error.
    public static func parse(_ raw: String, parameter: String) throws(ContractError) -> Self {
        guard let value = Self(rawValue: raw.uppercased()) else {
            throw ContractError(.invalid, "\(parameter): unknown value '\(raw)' (expected one of \(allowedValues))")
        }
        return value
    }
}

public enum Role: String, WireEnum {
    case customer = "CUSTOMER"
    case agent = "AGENT"
    case admin = "ADMIN"

    /// Agents and admins work the queue; an admin can do everything an agent can.
    public var isStaff: Bool { self != .customer }
}

public enum TicketStatus: String, WireEnum {
    case open = "OPEN"
    case inProgress = "IN_PROGRESS"
    case resolved = "RESOLVED"
    case closed = "CLOSED"

    /// The workflow of the contract: OPEN → IN_PROGRESS → RESOLVED → CLOSED; RESOLVED may be
    /// reopened to IN_PROGRESS; OPEN and IN_PROGRESS may be closed directly. The same status
    /// again is allowed (a no-op).
    public func canMove(to next: TicketStatus) -> Bool {
        if next == self { return true }
        switch (self, next) {
        case (.open, .inProgress), (.inProgress, .resolved), (.resolved, .closed),
            (.resolved, .inProgress), (.open, .closed), (.inProgress, .closed):
            return true
        default:
            return false
        }
    }

    /// Still waiting for work: counts toward an agent's load and the queue.
    public var isActive: Bool { self == .open || self == .inProgress }
}

public enum Priority: String, WireEnum {
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"
    case urgent = "URGENT"

    /// Sort key: higher is more urgent.
    public var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .urgent: 3
        }
    }
}

public enum Category: String, WireEnum {
    case payment = "PAYMENT"
    case shipping = "SHIPPING"
    case account = "ACCOUNT"
    case returns = "RETURNS"
    case technical = "TECHNICAL"
    case other = "OTHER"
}

public enum SenderType: String, WireEnum {
    case customer = "CUSTOMER"
    case agent = "AGENT"
    case system = "SYSTEM"
}

public enum MessageType: String, WireEnum {
    case text = "TEXT"
    case image = "IMAGE"
    case file = "FILE"
}

public enum SessionStatus: String, WireEnum {
    case active = "ACTIVE"
    case inactive = "INACTIVE"
    case ended = "ENDED"
}

public enum AgentStatus: String, WireEnum {
    case online = "ONLINE"
    case busy = "BUSY"
    case away = "AWAY"
    case offline = "OFFLINE"
}
