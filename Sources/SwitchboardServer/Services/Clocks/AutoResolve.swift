import Foundation
import SwitchboardProtocol

/// Silent chats close themselves: when the last public word is staff's and the customer has said
/// nothing for `afterMinutes` (per priority where given), the customer first gets
/// `warningText` `warningMinutes` before, then the ticket is resolved with a system line. A
/// customer's message in between cancels it (they are waiting again). Off when no minutes are set.
public struct AutoResolve: Sendable, Equatable {
    /// Minutes of silence by priority; a priority left out is never resolved this way.
    public var afterMinutes: [Priority: Int] = [:]
    public var warningMinutes = 60
    /// `{minutes}` stands for the minutes left.
    public var warningText = "This chat will close in {minutes} minutes unless you reply."

    public init() {}

    public var isOn: Bool { !afterMinutes.isEmpty }

    /// The config file's `autoResolveAfterMinutes`: one number for every priority (0: off), or
    /// minutes by priority (`{"LOW": 60, "MEDIUM": 240}`).
    public static func minutes(_ value: MinutesByPriority) -> [Priority: Int] {
        switch value {
        case .all(let minutes): minutes > 0 ? Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, minutes) }) : [:]
        case .byPriority(let map): map.filter { $0.value > 0 }
        }
    }

    /// The warning line, its minutes said.
    public func warning(for priority: Priority) -> String {
        let left = min(warningMinutes, afterMinutes[priority] ?? warningMinutes)
        return warningText.replacingOccurrences(of: "{minutes}", with: String(left))
    }
}

/// A number for all, or a number per priority.
public enum MinutesByPriority: Codable, Sendable, Equatable {
    case all(Int)
    case byPriority([Priority: Int])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let minutes = try? container.decode(Int.self) {
            self = .all(minutes)
            return
        }
        let raw = try container.decode([String: Int].self)
        var map: [Priority: Int] = [:]
        for (key, minutes) in raw {
            guard let priority = Priority(rawValue: key.uppercased()) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\(key) is not a priority (\(Priority.allowedValues))")
            }
            map[priority] = minutes
        }
        self = .byPriority(map)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .all(let minutes): try container.encode(minutes)
        case .byPriority(let map): try container.encode(Dictionary(uniqueKeysWithValues: map.map { ($0.key.rawValue, $0.value) }))
        }
    }

    var values: [Int] {
        switch self {
        case .all(let minutes): [minutes]
        case .byPriority(let map): Array(map.values)
        }
    }
}
