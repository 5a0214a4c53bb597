import Foundation
import SwitchboardProtocol

/// Business hours and service-level targets: read by staff, changed by admins, kept in the
/// database for every node (the config file gives the first value).
public struct TargetsService: Sendable {
    let store: any Store
    let events: any SupportEventSink
    let clock: @Sendable () -> Date

    static let hoursSetting = "businessHours"
    static let slaSetting = "sla"

    public func businessHours(for caller: Caller) throws -> BusinessHours {
        try caller.requireStaff()
        return store.rules.rules.calendar.hours
    }

    public func setBusinessHours(_ hours: BusinessHours, by caller: Caller) async throws -> BusinessHours {
        try caller.requireAdmin()
        guard let calendar = BusinessCalendar(hours) else {
            let (field, problem) = hours.problems.min { $0.key < $1.key } ?? ("timeZone", "cannot be used")
            throw ContractError(.invalid, "\(field): \(problem)")
        }
        let stamp = try await store.saveSetting(Self.hoursSetting, value: try Self.json(hours), now: clock())
        store.rules.change(stamp: stamp) { $0.calendar = calendar }
        try await store.nudgeClocks(now: clock())
        return hours
    }

    public func sla(for caller: Caller) throws -> SLASettings {
        try caller.requireStaff()
        return store.rules.rules.settings
    }

    public func setSLA(_ settings: SLASettings, by caller: Caller) async throws -> SLASettings {
        try caller.requireAdmin()
        if let (field, problem) = settings.problems.min(by: { $0.key < $1.key }) { throw ContractError(.invalid, "\(field): \(problem)") }
        let stamp = try await store.saveSetting(Self.slaSetting, value: try Self.json(settings), now: clock())
        store.rules.change(stamp: stamp) { $0.settings = settings }
        try await store.nudgeClocks(now: clock())
        return settings
    }

    /// The rules as saved by admins, over `fallback` (the config file's) for what was never saved,
    /// with the newest save's stamp; nil when nothing was saved.
    static func stored(in store: any Store, over fallback: ServiceRules) async throws -> (rules: ServiceRules, stamp: Int64)? {
        let hours = try await store.setting(hoursSetting), sla = try await store.setting(slaSetting)
        guard hours != nil || sla != nil else { return nil }
        var rules = fallback
        let decoder = WireJSON.decoder()
        if let hours, let calendar = BusinessCalendar(try decoder.decode(BusinessHours.self, from: Data(hours.value.utf8))) {
            rules.calendar = calendar
        }
        if let sla { rules.settings = try decoder.decode(SLASettings.self, from: Data(sla.value.utf8)) }
        return (rules, max(hours?.stamp ?? 0, sla?.stamp ?? 0))
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encoder().encode(value), as: UTF8.self)
    }

    // MARK: System lines

    /// A line from the system on the ticket: public (both sides see it) or an internal note.
    static func systemLine(
        _ text: String, on ticketId: Int, note: Bool, store: any Store, events: any SupportEventSink, now: Date
    ) async throws {
        let new = NewMessage(
            ticketId: ticketId, sender: try await store.systemAccount(), senderType: .system, body: text, messageType: .text,
            internal: note, clientMessageId: nil)
        let result = try await store.appendMessage(new, now: now) { _ in nil }
        await events.publish(.messageStored(result.message, origin: nil))
    }

    /// A customer who starts waiting while the team is away is told, once per wait, when it is back.
    func noticeIfAway(ticketId: Int, startedWait: Bool) async throws {
        let now = clock(), rules = store.rules.rules
        guard startedWait, !rules.calendar.isOpen(at: now), let opening = rules.calendar.nextOpening(at: now) else { return }
        let text = rules.settings.afterHoursNotice.replacingOccurrences(
            of: "{opening}", with: rules.calendar.describe(opening, from: now))
        try await Self.systemLine(text, on: ticketId, note: false, store: store, events: events, now: now)
    }
}
