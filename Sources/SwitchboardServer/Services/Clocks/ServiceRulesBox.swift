import Foundation
import Synchronization

/// The rules in force, shared by the store (each ticket read shows its clocks by them), the
/// clock keeper and the admin routes that change them; and the server's clock, the one every
/// due time is read against.
public final class ServiceRulesBox: Sendable {
    private let current: Mutex<ServiceRules>
    public let clock: @Sendable () -> Date

    public init(_ rules: ServiceRules = ServiceRules(), clock: @escaping @Sendable () -> Date = { Date() }) {
        current = Mutex(rules)
        self.clock = clock
    }

    public var rules: ServiceRules {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
