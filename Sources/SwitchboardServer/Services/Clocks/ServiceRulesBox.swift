import Foundation
import Synchronization

/// The rules in force, shared by the store (each ticket read shows its clocks by them), the
/// clock keeper and the admin routes that change them; and the server's clock, the one every
/// due time is read against.
public final class ServiceRulesBox: Sendable {
    /// The rules, and the stamp of the saved settings they are (0: the config file's).
    private let current: Mutex<(rules: ServiceRules, stamp: Int64)>
    public let clock: @Sendable () -> Date

    public init(_ rules: ServiceRules = ServiceRules(), clock: @escaping @Sendable () -> Date = { Date() }) {
        current = Mutex((rules, 0))
        self.clock = clock
    }

    public var rules: ServiceRules { current.withLock { $0.rules } }

    /// Takes `rules` when they were saved after the ones held (`stamp` grows with every save): a
    /// node's reading of the database that began before an admin's save cannot undo it.
    public func adopt(_ rules: ServiceRules, stamp: Int64) {
        current.withLock { if stamp > $0.stamp { $0 = (rules, stamp) } }
    }

    /// Changes the rules held, as saved under `stamp`.
    public func change(stamp: Int64, _ edit: (inout ServiceRules) -> Void) {
        current.withLock { held in
            guard stamp > held.stamp else { return }
            edit(&held.rules)
            held.stamp = stamp
        }
    }
}
