/// A value held beside a state that is not part of it — a cache of what the state already says —
/// so the state's synthesised `==` leaves it out: two states with the same fields are equal
/// whether or not one of them has laid out its lines yet.
struct Uncompared<Value: Sendable>: Equatable, Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }

    static func == (_: Uncompared, _: Uncompared) -> Bool { true }
}
